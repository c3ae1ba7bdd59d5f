import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MeshStoreContext } from '../store/context';
import type { MeshStore } from '../store/meshStore';

/**
 * Renders `element` with `store` in context to static HTML, for unit tests. Server rendering
 * reads the store's server snapshot (getInitialState), so this shows the current state instead.
 */
export function renderStatic(store: MeshStore, element: ReactNode): string {
  const current = store.getState();
  const view: MeshStore = { ...store, getInitialState: () => current };
  return renderToStaticMarkup(<MeshStoreContext value={view}>{element}</MeshStoreContext>);
}

/** How often `needle` occurs in `html`. */
export function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}
