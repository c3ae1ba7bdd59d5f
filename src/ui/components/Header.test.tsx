import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, fixtureId, raftLedgerView } from '../dev/fixtures';
import { renderStatic } from '../dev/renderStatic';
import { createMeshStore } from '../store/meshStore';
import { Header, QuorumIndicator } from './Header';

describe('QuorumIndicator', () => {
  it('shows a held quorum in green', () => {
    const html = renderToStaticMarkup(
      <QuorumIndicator quorum={{ reachable: 3, membershipSize: 5, hasQuorum: true }} />,
    );
    expect(html).toContain('data-testid="quorum"');
    expect(html).toContain('data-has-quorum="true"');
    expect(html).toContain('data-reachable="3"');
    expect(html).toContain('data-membership="5"');
    expect(html).toContain('badge--quorum');
    expect(html).toContain('>quorum 3/5<');
  });

  it('shows a lost quorum in red, read-only', () => {
    const html = renderToStaticMarkup(
      <QuorumIndicator quorum={{ reachable: 2, membershipSize: 5, hasQuorum: false }} />,
    );
    expect(html).toContain('data-has-quorum="false"');
    expect(html).toContain('badge--no-quorum');
    expect(html).toContain('>no quorum 2/5 — read-only<');
  });
});

describe('Header chaos badges', () => {
  const self = fixtureId(0);
  const other = fixtureId(1);

  function header(chaos: Parameters<typeof buildSnapshot>[0]['chaos']) {
    const store = createMeshStore();
    store.getState().setSnapshot(buildSnapshot({ selfId: self, nowMs: 10_000, chaos }));
    return renderStatic(store, <Header />);
  }

  it('shows neither badge when healed', () => {
    const html = header({});
    expect(html).toContain('data-testid="quorum"');
    expect(html).not.toContain('data-testid="partition-state"');
    expect(html).not.toContain('data-testid="frozen-state"');
  });

  it('shows "partitioned" with the group sizes while a partition is active', () => {
    const html = header({ partition: [[self], [other, fixtureId(2)]] });
    expect(html).toMatch(
      /data-testid="partition-state" data-state="partitioned" data-groups="1,2"/,
    );
    expect(html).toContain('partitioned 1 | 2');
  });

  it('shows "frozen" with the seconds left while this agent is frozen', () => {
    const html = header({ frozenUntilMs: 13_500 });
    expect(html).toContain('data-testid="frozen-state"');
    expect(html).toContain('frozen 4 s');
  });
});

describe('Header coordinator', () => {
  const leader = fixtureId(0);

  function header(fixture: Parameters<typeof buildSnapshot>[0]) {
    const store = createMeshStore();
    store.getState().setSnapshot(buildSnapshot(fixture));
    const html = renderStatic(store, <Header />);
    const match = /<span [^>]*data-testid="coordinator"[^>]*>(.*?)<\/span><\/dd>/.exec(html);
    if (match === null) throw new Error('no coordinator');
    return { tag: match[0], text: (match[1] ?? '').replace(/<[^>]+>/g, '') };
  }

  it("shows the Raft leader's short id and term", () => {
    const { tag, text } = header({ selfId: fixtureId(1), ledger: raftLedgerView('follower') });
    expect(tag).toContain(`data-leader="${leader}" data-term="3"`);
    expect(text).toBe(`${leader.slice(0, 8)} · term 3`);
  });

  it('says when the coordinator is this agent', () => {
    const { text } = header({ selfId: leader, ledger: raftLedgerView('leader') });
    expect(text).toBe(`${leader.slice(0, 8)} (you) · term 3`);
  });

  it('shows "no coordinator" between leaders and without a ledger', () => {
    const view = raftLedgerView('follower');
    const between = header({
      selfId: fixtureId(1),
      ledger: { ...view, status: { ...view.status, role: 'candidate', leader: null, term: 4 } },
    });
    expect(between.tag).toContain('data-leader=""');
    expect(between.tag).toContain('data-term="4"');
    expect(between.text).toBe('no coordinator');
    expect(header({ selfId: fixtureId(1) }).text).toBe('no coordinator');
  });
});
