import { describe, expect, it } from 'vitest';
import type { ConsensusCommands } from '../../host/consensusView';
import { consensusScenario } from '../dev/fixtures';
import { renderStatic } from '../dev/renderStatic';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { CONSENSUS_NOT_WIRED, ProposeDemo } from './ProposeDemo';

function storeWith(commands: ConsensusCommands | null): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({ ...consensusScenario(), eventsDroppedBeforeIngest: 0 });
  store.getState().setConsensusCommands(commands);
  return store;
}

/** The opening tag of the propose button. */
function button(html: string): string {
  const match = /<button [^>]*data-testid="propose-demo"[^>]*>/.exec(html);
  if (match === null) throw new Error('no propose-demo button');
  return match[0];
}

/** A proposeDemo whose promise the test settles, counting the calls. */
function controlled() {
  const calls: { resolve(r: { seq: number; view: number }): void; reject(e: unknown): void }[] = [];
  const commands: ConsensusCommands = {
    proposeDemo: () =>
      new Promise((resolve, reject) => {
        calls.push({ resolve, reject });
      }),
  };
  return { commands, calls };
}

describe('Propose demo action', () => {
  it('is disabled with a reason until the commands are wired', async () => {
    const store = storeWith(null);
    const html = renderStatic(store, <ProposeDemo />);
    expect(button(html)).toContain('disabled');
    expect(html).toContain(`title="${CONSENSUS_NOT_WIRED}"`);
    await store.getState().proposeDemo();
    expect(store.getState().proposal).toBeNull();
  });

  it('calls proposeDemo and shows the seq and view it committed at', async () => {
    const { commands, calls } = controlled();
    const store = storeWith(commands);
    expect(button(renderStatic(store, <ProposeDemo />))).not.toContain('disabled');

    const done = store.getState().proposeDemo();
    expect(calls).toHaveLength(1);
    expect(renderStatic(store, <ProposeDemo />)).toContain('data-state="waiting"');
    calls[0]?.resolve({ seq: 9, view: 1 });
    await done;

    const html = renderStatic(store, <ProposeDemo />);
    expect(html).toContain('data-state="committed" data-seq="9"');
    expect(html).toContain('committed at seq 9, view 1');
  });

  it("shows a failure's code and message without rethrowing", async () => {
    const { commands, calls } = controlled();
    const store = storeWith(commands);
    const done = store.getState().proposeDemo();
    calls[0]?.reject(
      Object.assign(new Error('no quorum of replicas reachable'), { code: 'no-quorum' }),
    );
    await done;

    const html = renderStatic(store, <ProposeDemo />);
    expect(html).toContain('data-state="failed" data-code="no-quorum"');
    expect(html).toContain('>no-quorum<');
    expect(html).toContain('no quorum of replicas reachable');
  });

  it('shows a thrown non-Error without a code', async () => {
    const store = storeWith({
      proposeDemo: () => {
        throw 'replica set still forming';
      },
    });
    await store.getState().proposeDemo();
    expect(store.getState().proposal).toEqual({
      state: 'failed',
      code: null,
      message: 'replica set still forming',
    });
  });

  it('keeps the newest proposal when an older one settles after it', async () => {
    const { commands, calls } = controlled();
    const store = storeWith(commands);
    const older = store.getState().proposeDemo();
    const newer = store.getState().proposeDemo();
    calls[1]?.resolve({ seq: 12, view: 2 });
    await newer;
    calls[0]?.resolve({ seq: 11, view: 2 });
    await older;
    expect(store.getState().proposal).toEqual({ state: 'committed', seq: 12, view: 2 });
  });
});
