import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { fixtureId } from '../dev/fixtures';
import { count, renderStatic } from '../dev/renderStatic';
import { createMeshStore } from '../store/meshStore';
import { MemoryBrowser } from './MemoryBrowser';

const [a, b] = [1, 2].map(fixtureId) as [AgentId, AgentId];

describe('MemoryBrowser', () => {
  it('lists entries with writer and TTL countdown, and one sync chip per peer', () => {
    const store = createMeshStore();
    expect(renderStatic(store, <MemoryBrowser />)).toContain('loading shared state');
    store.getState().setMemory({
      nowMs: 100_000,
      namespaces: [{ namespace: 'demo', count: 2 }],
      entries: [
        {
          namespace: 'demo',
          key: 'forever',
          value: { n: 1 },
          writer: a,
          writtenAtMs: 90_000,
          expiresAtMs: null,
          stamp: { ms: 90_000, counter: 0, writer: a },
        },
        {
          namespace: 'demo',
          key: 'soon',
          value: 'bye',
          writer: b,
          writtenAtMs: 95_000,
          expiresAtMs: 130_000,
          stamp: { ms: 95_000, counter: 0, writer: b },
        },
      ],
      truncated: false,
      peers: [
        { peer: a, state: 'in-sync', comparedAtMs: 99_000 },
        { peer: b, state: 'behind', comparedAtMs: 98_000 },
      ],
      rejectedUpdates: 3,
    });
    const html = renderStatic(store, <MemoryBrowser />);
    expect(count(html, 'data-testid="memory-row"')).toBe(2);
    expect(html).toContain(`>${b.slice(0, 8)}<`);
    expect(html).toContain('30 s');
    expect(html).toContain('data-state="in-sync"');
    expect(html).toContain('data-state="behind"');
    expect(html).toContain('3 refused');
    // No commands wired yet: the form cannot store.
    expect(html).toMatch(/data-testid="memory-store" disabled/);
  });
});
