import { describe, expect, it } from 'vitest';
import type { LedgerView } from '../../host/ledgerView';
import { buildSnapshot, fixtureId, raftScenario, type Scenario } from '../dev/fixtures';
import { count, element, renderStatic } from '../dev/renderStatic';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { App } from './App';
import { RaftPanel } from './RaftPanel';

function storeWith({ snapshot, events }: Scenario): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({ snapshot, events, eventsDroppedBeforeIngest: 0 });
  return store;
}

function ledgerOf(scenario: Scenario): LedgerView {
  const view = scenario.snapshot.ledger;
  if (view === null) throw new Error('scenario changed');
  return view;
}

/** The scenario with its ledger view changed by `change`. */
function scenarioWith(self: 'leader' | 'follower', change: Partial<LedgerView>): Scenario {
  const scenario = raftScenario(self);
  const ledger = { ...ledgerOf(scenario), ...change };
  return { ...scenario, snapshot: { ...scenario.snapshot, ledger } };
}

function panel(scenario: Scenario): string {
  return renderStatic(storeWith(scenario), <RaftPanel />);
}

/** The values of `attr` on every element with this test id, in document order. */
function attrs(html: string, testId: string, attr: string): string[] {
  const re = new RegExp(`data-testid="${testId}"[^>]*?${attr}="([^"]*)"`, 'g');
  return [...html.matchAll(re)].map((m) => m[1] ?? '');
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');

describe('RaftPanel', () => {
  it('says so when the agent runs without the ledger', () => {
    const html = panel({ snapshot: buildSnapshot({ selfId: fixtureId(0) }), events: [] });
    expect(html).toContain('runs without the Raft ledger');
    expect(html).not.toContain('data-testid="raft-panel"');
  });

  it("shows the leader's role, term, leader and indexes", () => {
    const html = panel(raftScenario('leader'));
    const status = element(html, 'raft-status');
    expect(status).toContain('data-role="leader"');
    expect(status).toContain('data-term="3"');
    expect(status).toContain('data-commit="57"');
    expect(status).toContain('data-applied="57"');
    expect(status).toContain('data-last="58"');
    expect(status).toContain('data-snapshot="40"');
    expect(status).toContain('>term 3 · voters 4<');
    const leader = element(html, 'raft-leader');
    expect(leader).toContain(`data-agent="${fixtureId(0)}"`);
    expect(leader).toContain('>you<');
    expect(element(html, 'raft-role')).toContain('>leader<');
    expect(element(html, 'raft-panel')).toMatch(/<dt>applied<\/dt><dd class="mono">57</);
  });

  it('shows what a forming node waits for, and no leader', () => {
    const forming = ledgerOf(raftScenario('follower'));
    const html = panel(
      scenarioWith('follower', {
        status: { ...forming.status, role: 'forming', leader: null, term: 0 },
        formingDetail: 'waiting for 3 of 5 members to agree on the voters',
      }),
    );
    expect(element(html, 'raft-role')).toContain(
      'forming — waiting for 3 of 5 members to agree on the voters',
    );
    expect(element(html, 'raft-leader')).not.toContain('data-agent=');
    expect(element(html, 'raft-leader')).toContain('no leader');
  });

  it('draws one bar per follower on the leader, the learner marked, with its state', () => {
    const scenario = raftScenario('leader');
    const html = panel(scenario);
    const progress = element(html, 'raft-progress');
    expect(count(progress, 'data-testid="raft-progress-row"')).toBe(4);
    const learner = element(progress, 'raft-progress-row', ['data-agent', fixtureId(4)]);
    expect(learner).toContain('data-learner="true"');
    expect(learner).toContain('>learner<');
    expect(learner).toContain('data-state="snapshot"');
    expect(learner).toContain('>30 / 58');
    expect(learner).toContain('width:52%');
    const lagging = element(progress, 'raft-progress-row', ['data-agent', fixtureId(3)]);
    expect(lagging).toContain('data-state="probe"');
    expect(lagging).toContain('not heard lately');
    expect(lagging).not.toContain('>learner<');
    const current = element(progress, 'raft-progress-row', ['data-agent', fixtureId(2)]);
    expect(current).toContain('>58 / 58<');
    expect(current).toContain('width:100%');
    expect(count(progress, '>learner<')).toBe(1);
  });

  it('draws no bars on a follower', () => {
    const html = panel(raftScenario('follower'));
    expect(html).not.toContain('data-testid="raft-progress-row"');
    expect(element(html, 'raft-progress')).toContain('Only the leader tracks');
  });

  it('lists the timeline newest first with why each election started and each step-down', () => {
    const leaderHtml = panel(raftScenario('leader'));
    const kinds = attrs(leaderHtml, 'raft-timeline-row', 'data-kind');
    expect(kinds).toEqual([
      'raft-leader',
      'raft-election',
      'raft-election',
      'raft-snapshot-installed',
      'raft-leader',
      'raft-step-down',
      'raft-transfer',
      'raft-members',
      'raft-members',
      'raft-leader',
      'raft-election',
      'raft-election',
    ]);
    const timeline = element(leaderHtml, 'raft-timeline');
    expect(timeline).toContain('pre-vote for term 3');
    expect(timeline).toContain('election timeout');
    expect(timeline).toContain('higher-term');

    const followerHtml = panel(raftScenario('follower'));
    const stepDown = element(followerHtml, 'raft-timeline-row', ['data-kind', 'raft-step-down']);
    expect(stepDown).toContain('stepped down in term 2');
    expect(stepDown).toContain('>check-quorum<');
    const election = element(followerHtml, 'raft-timeline-row', ['data-kind', 'raft-election']);
    expect(election).toContain('leadership transfer');
  });

  it("lists the ledger's newest entries with index, term and short JSON", () => {
    const html = panel(raftScenario('leader'));
    const entries = element(html, 'raft-entries');
    expect(attrs(entries, 'raft-entry-row', 'data-index').map(Number)).toEqual([
      57, 55, 54, 53, 52, 49, 48, 47,
    ]);
    const newest = decode(element(entries, 'raft-entry-row', ['data-index', '57']));
    expect(newest).toContain('data-term="3"');
    expect(newest).toContain(`>{"task":"render","tile":19,"by":"${fixtureId(1).slice(0, 8)}"}<`);
    const put = decode(element(entries, 'raft-entry-row', ['data-index', '47']));
    expect(put).toContain('>{"kind":"put","key":"config/replicas","value":4}<');
  });

  it('counts committed entries on the tab, and the leader star on the graph', () => {
    const scenario = raftScenario('follower');
    const html = renderStatic(storeWith(scenario), <App />);
    expect(element(html, 'tab-raft')).toMatch(/Raft<span class="tab-count">57</);
    expect(html).toContain('data-testid="raft-panel"');

    const leader = element(html, 'topology-node', ['data-agent-id', fixtureId(0)]);
    expect(leader).toContain('data-raft-leader="true"');
    expect(leader).toContain('Raft leader, term 3');
    expect(leader).toContain('class="node-leader-mark"');
    expect(count(html, 'data-raft-leader="true"')).toBe(1);
    expect(count(html, 'class="node-leader-mark"')).toBe(1);
    expect(html).toContain('Raft leader</li>');
  });

  it('marks no node and shows no legend entry without a ledger', () => {
    const html = renderStatic(
      storeWith({ snapshot: buildSnapshot({ selfId: fixtureId(0) }), events: [] }),
      <App />,
    );
    expect(html).not.toContain('data-raft-leader');
    expect(html).not.toContain('Raft leader</li>');
  });
});
