import { describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  fixtureId,
  minorityPartitionScenario,
  suspectAndDeadScenario,
  type Scenario,
} from '../dev/fixtures';
import { count, renderStatic } from '../dev/renderStatic';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { PANEL_TABS } from '../store/viewSlice';
import { App } from './App';

function render(store: MeshStore): string {
  return renderStatic(store, <App />);
}

function storeWith({ snapshot, events }: Scenario): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({ snapshot, events, eventsDroppedBeforeIngest: 0 });
  return store;
}

/** The opening tag of the element with this test id and data-agent-id. */
function tag(html: string, testId: string, id: string): string {
  const match = new RegExp(`<[a-z]+ [^>]*data-testid="${testId}" data-agent-id="${id}"[^>]*>`).exec(
    html,
  );
  if (match === null) throw new Error(`no ${testId} for ${id}`);
  return match[0];
}

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

  it('renders membership health, suspicion, members and the timeline', () => {
    const scenario = suspectAndDeadScenario();
    const { selfId, members } = scenario.snapshot;
    const html = render(storeWith(scenario));
    const suspect = members.find((m) => m.status === 'suspect');
    const dead = members.find((m) => m.status === 'dead');
    if (suspect === undefined || dead === undefined) throw new Error('scenario changed');

    // Every member drawn; all in group 0 before anyone is moved.
    expect(count(html, 'data-testid="topology-node"')).toBe(5);
    expect(count(html, 'data-group="0"')).toBe(5);
    expect(tag(html, 'topology-node', suspect.id)).toContain('data-status="suspect"');
    expect(tag(html, 'topology-node', suspect.id)).toContain('data-suspicions="2"');
    expect(tag(html, 'topology-node', dead.id)).toContain('data-status="dead"');
    expect(tag(html, 'topology-node', selfId)).toContain('data-status="alive"');
    expect(html).toContain('class="node-suspect-ring"');

    expect(count(html, 'data-testid="member-row"')).toBe(5);
    expect(tag(html, 'member-row', suspect.id)).toContain('data-status="suspect"');
    expect(tag(html, 'member-row', dead.id)).toContain('data-status="dead"');
    expect(html).toContain(suspect.reason ?? 'no reason');

    // Nine member-* events of ten; newest first.
    expect(count(html, 'data-testid="timeline-row"')).toBe(9);
    const first = /data-testid="timeline-row" data-kind="([^"]+)" data-peer="([^"]+)"/.exec(html);
    expect(first?.slice(1)).toEqual(['member-suspect', suspect.id]);
    // Every panel stays in the page, the inactive ones hidden.
    expect(count(html, 'data-testid="event-row"')).toBe(10);
    expect(count(html, 'role="tabpanel"')).toBe(PANEL_TABS.length);
    expect(count(html, 'hidden=""')).toBe(PANEL_TABS.length - 1);
    expect(html).toContain('data-testid="quorum" data-has-quorum="true"');
  });

  it('renders an active partition: islands, cut edges, no quorum', () => {
    const scenario = minorityPartitionScenario();
    const html = render(storeWith(scenario));

    expect(html).toContain('data-testid="quorum" data-has-quorum="false"');
    expect(html).toContain('no quorum 2/5 — read-only');
    expect(html).toContain('data-testid="partition-state"');
    expect(count(html, 'data-testid="topology-island"')).toBe(2);
    // 2 x 3 pairs cross the split; the one link inside the minority side is not cut.
    expect(count(html, 'data-cut="true"')).toBe(6);
    expect(count(html, 'data-testid="topology-edge"')).toBe(7);
    expect(count(html, 'data-island="1"')).toBeGreaterThanOrEqual(3);
  });
});
