import { describe, expect, it } from 'vitest';
import type { ConsensusView } from '../../host/consensusView';
import { buildSnapshot, consensusScenario, fixtureId, type Scenario } from '../dev/fixtures';
import { count, element, renderStatic } from '../dev/renderStatic';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { App } from './App';
import { ConsensusPanel } from './ConsensusPanel';

function storeWith({ snapshot, events }: Scenario): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({ snapshot, events, eventsDroppedBeforeIngest: 0 });
  return store;
}

/** The scenario with its consensus view changed by `change`. */
function scenarioWith(change: Partial<ConsensusView>): Scenario {
  const scenario = consensusScenario();
  const view = scenario.snapshot.consensus;
  if (view === null) throw new Error('scenario changed');
  return { ...scenario, snapshot: { ...scenario.snapshot, consensus: { ...view, ...change } } };
}

function panel(scenario: Scenario): string {
  return renderStatic(storeWith(scenario), <ConsensusPanel />);
}

const decode = (s: string) => s.replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

describe('ConsensusPanel', () => {
  it('says so when the agent runs without pBFT', () => {
    const html = panel({ snapshot: buildSnapshot({ selfId: fixtureId(0) }), events: [] });
    expect(html).toContain('runs without pBFT');
    expect(html).not.toContain('data-testid="consensus-status"');
  });

  it('shows n, f, quorum, view, the primary and the role', () => {
    const scenario = consensusScenario();
    const primary = scenario.snapshot.consensus?.status.primary;
    const html = panel(scenario);

    expect(element(html, 'consensus-status')).toContain('>n=4 f=1 quorum=3 view=1');
    expect(element(html, 'consensus-primary')).toContain(`data-agent="${primary}"`);
    expect(element(html, 'consensus-primary')).toContain(`>${primary?.slice(0, 8)}<`);
    expect(element(html, 'consensus-role')).toContain('data-role="replica"');
    expect(html).not.toContain('data-testid="consensus-behaviour"');
    expect(html).not.toContain('data-testid="consensus-view-changing"');
  });

  it('shows a forming replica set with what it waits for, and a behaviour that is not honest', () => {
    const base = consensusScenario().snapshot.consensus;
    if (base === null) throw new Error('scenario changed');
    const html = panel(
      scenarioWith({
        role: 'forming',
        formingDetail: 'waiting for 3 of 4 members to agree on the replica set',
        status: { ...base.status, behaviour: 'equivocate', primary: null },
        viewStatus: 'view-change',
        targetView: 2,
      }),
    );
    expect(element(html, 'consensus-role')).toContain(
      'forming — waiting for 3 of 4 members to agree on the replica set',
    );
    expect(element(html, 'consensus-behaviour')).toContain('behaves: equivocate');
    expect(element(html, 'consensus-primary')).not.toContain('data-agent=');
    expect(element(html, 'consensus-view-changing')).toContain('moving to view 2');
  });

  it("draws one grid row per sequence number and one cell per replica in the replica's status", () => {
    const scenario = consensusScenario();
    const view = scenario.snapshot.consensus;
    if (view === null) throw new Error('scenario changed');
    const html = panel(scenario);
    const grid = element(html, 'consensus-slots').split('</table>')[0] ?? '';

    expect(count(grid, 'data-testid="consensus-slot-row"')).toBe(view.slots.length);
    expect(count(grid, 'data-testid="consensus-slot-cell"')).toBe(view.slots.length * 4);
    const seqs = [...grid.matchAll(/data-testid="consensus-slot-row" data-seq="(\d+)"/g)];
    expect(seqs.map((m) => Number(m[1]))).toEqual([8, 7, 6, 5]);
    for (const slot of view.slots) {
      const row = grid.slice(grid.indexOf(`data-seq="${slot.seq}"`)).split('</tr>')[0] ?? '';
      const cells = [
        ...row.matchAll(
          /data-testid="consensus-slot-cell" data-agent="([^"]+)" data-status="([^"]+)"/g,
        ),
      ].map((m) => [m[1], m[2]]);
      expect(cells).toEqual(view.status.replicas.map((id) => [id, slot.replicas[id]]));
      expect(row).toContain(`>${slot.digest.slice(0, 8)}<`);
      expect(row).toContain('>demo.increment<');
    }
    // Seq 6: this agent committed, the primary prepared, replica 3 only pre-prepared.
    const six = grid.slice(grid.indexOf('data-seq="6"')).split('</tr>')[0] ?? '';
    expect(six).toMatch(/data-status="committed"[^>]*>C</);
    expect(six).toMatch(/data-status="pre-prepared"[^>]*>PP</);
  });

  it('lists the executed log newest first, the checkpoint and the view change with its reason', () => {
    const scenario = consensusScenario();
    const view = scenario.snapshot.consensus;
    if (view === null) throw new Error('scenario changed');
    const html = panel(scenario);
    const log = element(html, 'consensus-log');
    const rows = [...log.matchAll(/data-testid="consensus-log-row" data-seq="(\d+)"/g)];
    expect(rows.map((m) => Number(m[1]))).toEqual([5, 4, 3, 2, 1]);
    expect(log).toContain(`data-proposer="${view.log[0]?.proposer}"`);

    expect(html).toContain('data-testid="consensus-checkpoint" data-seq="4"');
    const change = element(html, 'consensus-view-change');
    expect(change).toContain('view 0 → 1');
    expect(decode(change)).toContain(view.viewChanges[0]?.reason);
  });

  it('shows a flagged replica with its evidence, in the panel and on its graph node', () => {
    const scenario = consensusScenario();
    const view = scenario.snapshot.consensus;
    const flag = view?.flagged[0];
    if (view === null || flag === undefined) throw new Error('scenario changed');
    const html = renderStatic(storeWith(scenario), <App />);

    const row = element(html, 'consensus-flagged-row', ['data-agent', flag.replica]);
    expect(row).toContain('equivocation');
    expect(row).toContain(flag.evidence);

    const node = element(html, 'topology-node', ['data-agent-id', flag.replica]);
    expect(node).toContain('data-flagged="true"');
    expect(node).toContain(`flagged equivocation: ${flag.evidence}`);
    expect(node).toContain('class="node-flagged-ring"');
    expect(count(html, 'data-flagged="true"')).toBe(1);

    const primary = element(html, 'topology-node', [
      'data-agent-id',
      view.status.primary ?? 'none',
    ]);
    expect(primary).toContain('data-primary="true"');
    expect(primary).toContain('node-primary-badge');
    expect(count(html, 'data-primary="true"')).toBe(1);
  });

  it('counts executed entries and flagged replicas on the tab', () => {
    const html = renderStatic(storeWith(consensusScenario()), <App />);
    const tab = element(html, 'tab-consensus');
    expect(tab).toContain('Consensus');
    expect(tab).toMatch(
      /<span class="tab-count">5<span class="tab-alert" title="1 replicas flagged">1/,
    );
  });
});
