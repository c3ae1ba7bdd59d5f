import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { LedgerCommands } from '../../host/ledgerView';
import { fixtureId, raftScenario } from '../dev/fixtures';
import { element, renderStatic } from '../dev/renderStatic';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { LEDGER_NOT_WIRED, transferControl } from '../store/transferControl';
import { RaftPanel } from './RaftPanel';

function storeWith(self: 'leader' | 'follower', commands: LedgerCommands | null): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({ ...raftScenario(self), eventsDroppedBeforeIngest: 0 });
  store.getState().setLedgerCommands(commands);
  return store;
}

function render(store: MeshStore): string {
  return renderStatic(store, <RaftPanel />);
}

/** The opening tag of the element with this test id. */
function openTag(html: string, testId: string): string {
  const match = new RegExp(`<[a-z]+ [^>]*data-testid="${testId}"[^>]*>`).exec(html);
  if (match === null) throw new Error(`no ${testId}`);
  return match[0];
}

/** What a click on the button does (RaftTransfer binds exactly this). */
function clickTransfer(store: MeshStore): Promise<void> {
  const control = transferControl(store.getState());
  if (!control.enabled) throw new Error(`the button is disabled: ${control.title}`);
  return control.run();
}

type Call = {
  to: AgentId;
  resolve(r: { leader: AgentId; term: number }): void;
  reject(e: unknown): void;
};

/** A transferLeadership whose promise the test settles, recording the calls. */
function controlled() {
  const calls: Call[] = [];
  const commands: LedgerCommands = {
    transferLeadership: (to) =>
      new Promise((resolve, reject) => {
        calls.push({ to, resolve, reject });
      }),
  };
  return { commands, calls };
}

describe('Transfer leadership', () => {
  it('is disabled on a follower, with the reason', () => {
    const { commands } = controlled();
    const html = render(storeWith('follower', commands));
    expect(openTag(html, 'raft-transfer-button')).toContain('disabled');
    expect(openTag(html, 'raft-transfer-select')).toContain('disabled');
    expect(html).toContain('title="Only the leader can hand over leadership"');
  });

  it('is disabled until the commands are wired, and does nothing then', async () => {
    const store = storeWith('leader', null);
    const html = render(store);
    expect(openTag(html, 'raft-transfer-button')).toContain('disabled');
    expect(html).toContain(`title="${LEDGER_NOT_WIRED}"`);
    await store.getState().transferLeadership(fixtureId(2));
    expect(store.getState().transfer).toBeNull();
  });

  it('offers the other voters on the leader and hands over to the one picked', async () => {
    const { commands, calls } = controlled();
    const store = storeWith('leader', commands);
    let html = render(store);
    expect(openTag(html, 'raft-transfer-button')).not.toContain('disabled');
    const options = [...element(html, 'raft-transfer-select').matchAll(/value="([^"]+)"/g)];
    const voters = [fixtureId(1), fixtureId(2), fixtureId(3)].sort();
    expect(options.map((m) => m[1])).toEqual(voters);

    store.getState().setTransferTo(fixtureId(3));
    html = render(store);
    expect(element(html, 'raft-transfer-select')).toContain(`value="${fixtureId(3)}" selected=""`);
    const done = clickTransfer(store);
    expect(calls.map((c) => c.to)).toEqual([fixtureId(3)]);
    html = render(store);
    expect(openTag(html, 'raft-transfer-outcome')).toContain('data-state="waiting"');
    expect(openTag(html, 'raft-transfer-button')).toContain('disabled');

    calls[0]?.resolve({ leader: fixtureId(3), term: 4 });
    await done;
    const outcome = element(render(store), 'raft-transfer-outcome');
    expect(outcome).toContain(
      `data-state="transferred" data-leader="${fixtureId(3)}" data-term="4"`,
    );
    expect(outcome).toContain(`>${fixtureId(3).slice(0, 8)} leads term 4<`);
  });

  it("shows a refusal's code and message without rethrowing", async () => {
    const { commands, calls } = controlled();
    const store = storeWith('leader', commands);
    const done = clickTransfer(store);
    calls[0]?.reject(
      Object.assign(new Error(`${fixtureId(1)} did not take over in time`), { code: 'timeout' }),
    );
    await done;
    const outcome = element(render(store), 'raft-transfer-outcome');
    expect(outcome).toContain('data-state="failed"');
    expect(outcome).toContain('data-code="timeout"');
    expect(outcome).toContain('>timeout<');
    expect(outcome).toContain('did not take over in time');
    expect(openTag(render(store), 'raft-transfer-button')).not.toContain('disabled');
  });

  it('records a thrown non-Error without a code', async () => {
    const store = storeWith('leader', {
      transferLeadership: () => {
        throw 'not formed';
      },
    });
    await store.getState().transferLeadership(fixtureId(1));
    expect(store.getState().transfer).toEqual({
      state: 'failed',
      to: fixtureId(1),
      code: null,
      message: 'not formed',
    });
  });

  it('keeps the newest transfer when an older one settles after it', async () => {
    const { commands, calls } = controlled();
    const store = storeWith('leader', commands);
    const older = store.getState().transferLeadership(fixtureId(1));
    const newer = store.getState().transferLeadership(fixtureId(2));
    calls[1]?.resolve({ leader: fixtureId(2), term: 5 });
    await newer;
    calls[0]?.reject(Object.assign(new Error('aborted'), { code: 'timeout' }));
    await older;
    expect(store.getState().transfer).toEqual({
      state: 'transferred',
      leader: fixtureId(2),
      term: 5,
    });
  });

  it('offers the other voters by id and falls back to the first when the pick left', () => {
    const { commands } = controlled();
    const store = storeWith('leader', commands);
    const voters = [fixtureId(1), fixtureId(2), fixtureId(3)].sort();
    expect(transferControl(store.getState())).toMatchObject({
      candidates: voters,
      target: voters[0],
    });
    store.getState().setTransferTo(fixtureId(4)); // the learner: not a voter
    expect(transferControl(store.getState()).target).toBe(voters[0]);
  });

  it('is disabled on a leader without another voter', () => {
    const { commands } = controlled();
    const store = storeWith('leader', commands);
    const snapshot = store.getState().snapshot;
    const ledger = snapshot?.ledger;
    if (snapshot == null || ledger == null) throw new Error('scenario changed');
    store.getState().setSnapshot({
      ...snapshot,
      ledger: { ...ledger, status: { ...ledger.status, voters: [snapshot.selfId] } },
    });
    expect(transferControl(store.getState())).toMatchObject({
      enabled: false,
      target: null,
      title: 'There is no other voter to hand over to',
    });
  });
});
