import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { MeshStoreContext } from '../store/context';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { App } from './App';

function render(store: MeshStore): string {
  // Server rendering reads the store's server snapshot (getInitialState): show the current state.
  const current = store.getState();
  const view: MeshStore = { ...store, getInitialState: () => current };
  return renderToStaticMarkup(
    <MeshStoreContext value={view}>
      <App />
    </MeshStoreContext>,
  );
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe('App', () => {
  it('renders a starting state before the first snapshot', () => {
    const html = render(createMeshStore());
    expect(html).toContain('starting…');
    expect(html).toContain('data-testid="topology"');
    expect(html).not.toContain('data-testid="self-id"');
    expect(count(html, 'data-testid="topology-node"')).toBe(0);
  });

  it('renders the snapshot with the attributes end-to-end tests read', () => {
    const self = fixtureId(0);
    const [p1, p2, p3] = [fixtureId(1), fixtureId(2), fixtureId(3)];
    const store = createMeshStore();
    store.getState().ingest({
      snapshot: buildSnapshot({
        selfId: self,
        room: 'lab',
        peers: [
          { id: p1, rttMs: 0.6 },
          { id: p2, state: 'connecting' },
        ],
        advertised: [{ a: p1, b: p3, rttMs: 3 }],
      }),
      events: [{ atMs: 5, level: 'warn', kind: 'handshake-failed', peer: p2, detail: 'bad sig' }],
      eventsDroppedBeforeIngest: 0,
    });
    const html = render(store);

    expect(html).toContain(`data-testid="self-id" data-agent-id="${self}"`);
    expect(html).toMatch(/data-testid="signaling-state" data-state="open"/);
    expect(count(html, 'data-testid="topology-node"')).toBe(4);
    expect(count(html, 'data-self="true"')).toBe(1);
    expect(html).toMatch(new RegExp(`data-agent-id="${self}" data-self="true"`));
    expect(count(html, 'data-testid="topology-edge"')).toBe(2);
    expect(html).toContain('0.6 ms');
    expect(count(html, 'data-testid="peer-row"')).toBe(2);
    expect(html).toContain(`data-agent-id="${p2}" data-state="connecting"`);
    expect(html).toContain('data-testid="event-row" data-kind="handshake-failed"');
    expect(html).toContain('>you<');
  });
});
