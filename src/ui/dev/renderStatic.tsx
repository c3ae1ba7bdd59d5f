import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MeshStoreContext } from '../store/context';
import type { MeshStore } from '../store/meshStore';

/** Renders `element` with `store` in context to static HTML (its current state), for unit tests. */
export function renderStatic(store: MeshStore, element: ReactNode): string {
  return renderToStaticMarkup(<MeshStoreContext value={store}>{element}</MeshStoreContext>);
}

/** How often `needle` occurs in `html`. */
export function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

/**
 * The first element with this test id (and, if given, this attribute value), from its opening
 * tag to its matching closing tag.
 */
export function element(
  html: string,
  testId: string,
  attr?: [name: string, value: string],
): string {
  const filter = attr === undefined ? '' : `[^>]*${attr[0]}="${attr[1]}"`;
  const open = new RegExp(`<([a-z]+) [^>]*data-testid="${testId}"${filter}[^>]*>`).exec(html);
  if (open === null) throw new Error(`no ${testId} ${attr?.join('=') ?? ''}`);
  const name = open[1] ?? '';
  const tags = new RegExp(`<${name}[ >]|</${name}>`, 'g');
  tags.lastIndex = open.index + open[0].length;
  let depth = 1;
  for (let m = tags.exec(html); m !== null; m = tags.exec(html)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(open.index, m.index + m[0].length);
  }
  throw new Error(`${testId} is not closed`);
}
