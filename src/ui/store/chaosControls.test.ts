import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { MeshCommands } from '../../host/meshSnapshot';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { chaosControls, NOT_WIRED, parseIntInRange, partitionGroups } from './chaosControls';
import { createMeshStore, type MeshStore } from './meshStore';

const [self, a, b, c, d] = [0, 1, 2, 3, 4].map(fixtureId) as [
  AgentId,
  AgentId,
  AgentId,
  AgentId,
  AgentId,
];

type Call = [string, ...unknown[]];

function recorder(): { commands: MeshCommands; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    commands: {
      partition: (groups) => void calls.push(['partition', groups]),
      heal: () => void calls.push(['heal']),
      freeze: (agent, seconds) => void calls.push(['freeze', agent, seconds]),
      setBehaviour: (agent, behaviour) => void calls.push(['setBehaviour', agent, behaviour]),
      setLinkFault: (x, y, fault) => void calls.push(['setLinkFault', x, y, fault]),
    },
  };
}

function meshStore(): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({
    snapshot: buildSnapshot({
      selfId: self,
      peers: [{ id: a }, { id: b }, { id: c }],
      members: [{ id: self }, { id: a }, { id: b }, { id: c }, { id: d, status: 'dead' }],
    }),
    events: [],
    eventsDroppedBeforeIngest: 0,
  });
  return store;
}

const controls = (store: MeshStore) => chaosControls(store.getState());

describe('chaos controls with commands wired', () => {
  it('cuts between the drawn-up groups, ids grouped and sorted, empty groups left out', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    store.getState().setGroupCount(3);
    store.getState().setGroup(c, 2);
    store.getState().setGroup(a, 2);

    const cut = controls(store).cut;
    expect(cut.enabled).toBe(true);
    cut.run();

    const rest = [self, b, d].sort();
    expect(calls).toEqual([['partition', [rest, [a, c].sort()]]]);
    expect(store.getState().lastCommand).toEqual({ ok: true, text: 'Partition sent: 3 | 2' });
  });

  it('will not cut with everyone in one group', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    const cut = controls(store).cut;
    expect(cut.enabled).toBe(false);
    expect(cut.title).toMatch(/at least two groups/);
    cut.run();
    expect(calls).toEqual([]);
  });

  it('heals', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    controls(store).heal.run();
    expect(calls).toEqual([['heal']]);
  });

  it('freezes the selected agent for the typed number of seconds', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    store.getState().select(b);
    store.getState().setFreezeSecondsText('7');
    controls(store).freeze.run();
    expect(calls).toEqual([['freeze', b, 7]]);
  });

  it('refuses a freeze without a target or outside 1..60 s', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    expect(controls(store).freeze.title).toMatch(/Select an agent/);
    store.getState().select(b);
    for (const text of ['0', '61', '2.5', '', 'ten']) {
      store.getState().setFreezeSecondsText(text);
      const freeze = controls(store).freeze;
      expect(freeze.enabled).toBe(false);
      expect(freeze.title).toMatch(/1 to 60/);
      freeze.run();
    }
    expect(calls).toEqual([]);
  });

  it('sets delay and loss (as a rate) on the selected link', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    expect(controls(store).linkApply.enabled).toBe(false);
    store.getState().toggleLink(self, c);
    store.getState().setLinkDelayText('300');
    store.getState().setLinkLossText('25');
    controls(store).linkApply.run();
    const [x, y] = [self, c].sort();
    expect(calls).toEqual([['setLinkFault', x, y, { delayMs: 300, dropRate: 0.25 }]]);
  });

  it('refuses a delay above 2000 ms or a loss above 100 %', () => {
    const store = meshStore();
    const { commands } = recorder();
    store.getState().setCommands(commands);
    store.getState().toggleLink(self, c);
    store.getState().setLinkDelayText('2001');
    expect(controls(store).linkApply.title).toMatch(/Delay must be/);
    store.getState().setLinkDelayText('2000');
    store.getState().setLinkLossText('101');
    expect(controls(store).linkApply.title).toMatch(/Loss must be/);
    store.getState().setLinkLossText('100');
    expect(controls(store).linkApply.enabled).toBe(true);
  });

  it('offers a behaviour picker per alive member, showing the behaviour in force', () => {
    const store = meshStore();
    const { commands, calls } = recorder();
    store.getState().setCommands(commands);
    store.getState().ingest({
      snapshot: buildSnapshot({
        selfId: self,
        members: [{ id: self }, { id: a }, { id: b, status: 'suspect' }, { id: c }],
        chaos: { behaviours: { [c]: 'equivocate' } },
      }),
      events: [],
      eventsDroppedBeforeIngest: 0,
    });
    const pickers = controls(store).behaviours;
    // The suspect member gets none; ids in order.
    expect(pickers.map((p) => p.agent)).toEqual([self, a, c].sort());
    const byAgent = new Map(pickers.map((p) => [p.agent, p]));
    expect(byAgent.get(c)?.current).toBe('equivocate');
    expect(byAgent.get(a)?.current).toBe('honest');
    expect(byAgent.get(self)?.self).toBe(true);
    expect(pickers.every((p) => p.enabled)).toBe(true);
    byAgent.get(c)?.choose('honest');
    byAgent.get(a)?.choose('forge-view-change');
    expect(calls).toEqual([
      ['setBehaviour', c, 'honest'],
      ['setBehaviour', a, 'forge-view-change'],
    ]);
    expect(store.getState().lastCommand?.text).toMatch(/^Behaviour sent: .* forge-view-change$/);
  });

  it('notes a command that throws instead of letting it escape', () => {
    const store = meshStore();
    const { commands } = recorder();
    store.getState().setCommands({
      ...commands,
      heal: () => {
        throw new Error('control channel closed');
      },
    });
    controls(store).heal.run();
    expect(store.getState().lastCommand).toEqual({ ok: false, text: 'control channel closed' });
  });
});

describe('chaos controls without commands', () => {
  it('disables every button with the reason as its tooltip, and sends nothing', () => {
    const store = meshStore();
    store.getState().setGroup(a, 1);
    store.getState().select(b);
    store.getState().toggleLink(self, c);
    const all = controls(store);
    for (const control of [all.cut, all.heal, all.freeze, all.linkApply]) {
      expect(control.enabled).toBe(false);
      expect(control.title).toBe(NOT_WIRED);
      control.run();
    }
    expect(all.behaviours.length).toBeGreaterThan(0);
    for (const picker of all.behaviours) {
      expect(picker.enabled).toBe(false);
      expect(picker.title).toBe(NOT_WIRED);
      picker.choose('silent');
    }
    expect(store.getState().lastCommand).toBeNull();
  });
});

describe('helpers', () => {
  it('parses whole numbers in range only', () => {
    expect(parseIntInRange(' 12 ', 1, 60)).toBe(12);
    expect(parseIntInRange('60', 1, 60)).toBe(60);
    expect(parseIntInRange('-1', 0, 5)).toBeNull();
    expect(parseIntInRange('1e2', 0, 500)).toBeNull();
  });

  it('groups agents by their drawn-up group', () => {
    expect(partitionGroups([a, b, c], { [b]: 1, [c]: 3 }, 2)).toEqual([[a, c].sort(), [b]]);
  });
});
