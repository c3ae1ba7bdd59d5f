import { assert } from '../base/assert';
import { compareIds, type AgentId } from '../base/ids';
import { MAX_PENDING_SIGNS, type Signing } from './signing';
import type { SwimState } from './swimState';
import type { SwimMemberView, SwimSnapshot } from './types';

/** Full consistency checks run on every step for small tables, every this many steps otherwise. */
const FULL_CHECK_EVERY = 256;
const SMALL_TABLE = 64;

/** Everything the dashboard shows of one agent's membership, sorted by id. */
export function buildSnapshot(s: SwimState): SwimSnapshot {
  const members: SwimMemberView[] = [];
  const reachable: AgentId[] = [];
  let passive = 0;
  const fullMesh = s.view.mode === 'full-mesh';
  for (const m of s.table.values()) {
    const linked = s.links.has(m.id);
    const live = m.status === 'alive' || m.status === 'suspect';
    if (fullMesh ? live && m.reached : m.status === 'alive') reachable.push(m.id);
    if (!m.self && m.status === 'alive' && !linked) passive++;
    members.push({
      id: m.id,
      self: m.self,
      status: m.status,
      incarnation: m.incarnation,
      sinceMs: m.sinceMs,
      load: m.load === null ? null : { ...m.load.load },
      suspectedBy: m.suspicion === null ? [] : [...m.suspicion.suspecters],
      confirmations: m.suspicion?.confirmations ?? 0,
      suspicionDeadlineMs: m.suspicion?.deadlineMs() ?? null,
      reason: m.reason,
      linked,
      reached: m.reached,
      agreed: m.agreed,
      facts:
        m.app === null
          ? []
          : [...m.app.values()]
              .map((f) => ({ key: f.key, value: f.value, version: f.version }))
              .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    });
  }
  members.sort((a, b) => compareIds(a.id, b.id));
  reachable.sort(compareIds);
  return {
    self: s.config.selfId,
    incarnation: s.self.incarnation,
    leaving: s.leaving,
    mode: s.view.mode,
    members,
    reachable,
    quorum: s.agreed.view(),
    localHealth: s.health.value,
    activeView: [...s.links].sort(compareIds),
    passiveViewSize: passive,
    activeViewTarget: s.view.activeTarget(s.table.liveCount),
    queuedFacts: s.queue.size,
    stats: { ...s.stats, queueDropped: s.queue.dropped },
  };
}

/**
 * The protocol's invariants, checked by the simulator after every step: cheap checks always,
 * full recounts of the table and the queue now and then (every step for small tables).
 */
export class SwimInvariants {
  private calls = 0;
  private lastIncarnation = 0;

  constructor(
    private readonly s: SwimState,
    private readonly signing: Signing,
  ) {}

  check(): void {
    const s = this.s;
    const self = s.self;
    assert(self.status === 'alive' || (s.leaving && self.status === 'left'), 'self not alive');
    assert(self.incarnation >= this.lastIncarnation, 'own incarnation went down');
    this.lastIncarnation = self.incarnation;
    assert(s.table.size <= s.config.maxMembers, 'member table over maxMembers');
    assert(s.queue.size <= s.config.maxQueuedFacts, 'gossip queue over its limit');
    assert(s.prober.relayCount <= s.config.maxRelayedProbes, 'too many relayed probes');
    assert(this.signing.size <= MAX_PENDING_SIGNS, 'too many signing requests');
    assert(!s.links.has(s.config.selfId), 'linked to itself');
    assert(s.prober.currentTarget !== s.config.selfId, 'probing itself');
    assert(s.health.value >= 0 && s.health.value < s.config.localHealthMax, 'health');
    for (const m of s.suspects) assert(m.status === 'suspect', `${m.id} tracked as suspect`);
    if (s.table.size <= SMALL_TABLE || ++this.calls % FULL_CHECK_EVERY === 0) {
      // A table lookup is a cache miss at a thousand members, and only remove() could break
      // this (it asserts it never removes self): checked with the recounts.
      assert(s.table.get(s.config.selfId) === self, 'self missing from the member table');
      s.table.check();
      s.queue.check();
      let suspects = 0;
      for (const m of s.table.values()) if (m.status === 'suspect') suspects++;
      assert(suspects === s.suspects.size, 'suspect set out of step with the table');
    }
  }
}
