import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { fixedId } from '../core/base/testSupport';
import type { RecordChanges } from '../core/raft/durability';
import type { RaftEntry } from '../core/wire/raftMessages';
import type { TransportHandler } from './ports';
import { RaftHost, RaftHostError, type RaftStateMachine } from './raftHost';
import { TestClock } from './testClock';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');

/** Appends every applied entry's data; its state is the order. */
class ListMachine implements RaftStateMachine {
  items: string[] = [];
  apply(entry: RaftEntry): unknown {
    this.items.push(entry.data);
    return this.items.length;
  }
  snapshot(): string {
    return JSON.stringify(this.items);
  }
  restore(snapshot: string): void {
    this.items = JSON.parse(snapshot) as string[];
  }
}

interface Member {
  host: RaftHost;
  machine: ListMachine;
  records: Map<string, string>;
  /** Writes issued and not yet acknowledged by the store. */
  writing: number;
  /** Sends made while a write issued before them was still pending (must stay 0). */
  sendsBeforeWrites: number;
}

/** Three hosts over 1 ms links; each store acknowledges a write 3 ms after it is issued. */
function cluster(options: { hasQuorum?: () => boolean } = {}) {
  const clock = new TestClock();
  const handlers = new Map<AgentId, TransportHandler>();
  const members = new Map<AgentId, Member>();
  const up = new Set<AgentId>([A, B, C]);
  const start = (id: AgentId, stored?: Map<string, string>): Member => {
    const member: Member = {
      host: null as never,
      machine: new ListMachine(),
      records: stored ?? new Map(),
      writing: 0,
      sendsBeforeWrites: 0,
    };
    member.host = new RaftHost({
      selfId: id,
      initialVoters: [A, B, C],
      transport: {
        setHandler: (h) => void handlers.set(id, h),
        send: (peer, frame) => {
          if (member.writing > 0) member.sendsBeforeWrites++;
          clock.setTimer(clock.nowMs() + 1, () => {
            if (up.has(peer) && up.has(id)) handlers.get(peer)?.onFrame(id, frame);
          });
        },
        close: () => undefined,
        connect: () => undefined,
      },
      clock,
      prng: createSeededPrng(id.charCodeAt(0)),
      machine: member.machine,
      storage: {
        write: (changes: RecordChanges, done) => {
          member.writing++;
          clock.setTimer(clock.nowMs() + 3, () => {
            for (const key of changes.deletes) member.records.delete(key);
            for (const { key, value } of changes.puts) member.records.set(key, value);
            member.writing--;
            done();
          });
        },
      },
      ...(stored === undefined ? {} : { stored }),
      ...(options.hasQuorum === undefined ? {} : { hasQuorum: options.hasQuorum }),
      timeoutMs: 2000,
    });
    members.set(id, member);
    return member;
  };
  for (const id of [A, B, C]) start(id);
  const leader = () =>
    [...members.values()].find(
      (m) => up.has(m.host.node.selfId) && m.host.node.currentRole === 'leader',
    );
  return { clock, members, up, start, leader };
}

describe('RaftHost', () => {
  it('elects, commits proposals from the leader and from a follower, and never sends before a pending write', async () => {
    const { clock, members, leader } = cluster();
    clock.advance(1000);
    const l = leader()!;
    const follower = [...members.values()].find((m) => m !== l)!;
    const fromLeader = l.host.propose('"one"');
    const fromFollower = follower.host.propose('"two"');
    clock.advance(100);
    await expect(fromLeader).resolves.toMatchObject({
      index: 2,
      term: l.host.node.currentTerm,
      result: 1,
    });
    await expect(fromFollower).resolves.toMatchObject({ index: 3, result: 2 });
    clock.advance(200);
    for (const m of members.values()) {
      expect(m.machine.items).toEqual(['"one"', '"two"']);
      expect(m.sendsBeforeWrites).toBe(0);
    }
  });

  it('a linearizable read resolves once the node applied the read index', async () => {
    const { clock, members, leader } = cluster();
    clock.advance(1000);
    const write = leader()!.host.propose('"x"');
    clock.advance(100);
    await write;
    const follower = [...members.values()].find((m) => m !== leader())!;
    const read = follower.host.readIndex();
    clock.advance(100);
    const index = await read;
    expect(index).toBeGreaterThanOrEqual(2);
    expect(follower.machine.items).toEqual(['"x"']);
  });

  it('a restart from the stored records restores the state machine and the log', async () => {
    const { clock, members, leader, up, start } = cluster();
    clock.advance(1000);
    const writes = [leader()!.host.propose('"a"'), leader()!.host.propose('"b"')];
    clock.advance(200);
    await Promise.all(writes);
    const follower = [...members.values()].find((m) => m !== leader())!;
    const id = follower.host.node.selfId;
    follower.host.stop();
    up.delete(id);
    clock.advance(100);
    up.add(id);
    const again = start(id, new Map(follower.records));
    clock.advance(10); // the replay first stores the commit index again
    expect(again.machine.items).toEqual(['"a"', '"b"']);
    expect(again.host.node.currentTerm).toBe(follower.host.node.currentTerm);
  });

  it('without a leader a proposal fails no-leader, or no-quorum when this side holds no majority', async () => {
    let quorum = true;
    const { members } = cluster({ hasQuorum: () => quorum });
    const a = members.get(A)!;
    await expect(a.host.propose('"early"')).rejects.toMatchObject({
      code: 'no-leader',
      maybeCommitted: false,
    });
    quorum = false;
    const failed = a.host.propose('"early"');
    await expect(failed).rejects.toBeInstanceOf(RaftHostError);
    await expect(failed).rejects.toMatchObject({ code: 'no-quorum' });
  });

  it('an entry over the limit fails too-large', async () => {
    const { clock, leader } = cluster();
    clock.advance(1000);
    await expect(leader()!.host.propose(JSON.stringify('x'.repeat(5000)))).rejects.toMatchObject({
      code: 'too-large',
    });
  });

  it('a proposal whose leader went silent fails saying it may have committed', async () => {
    const { clock, members, leader, up } = cluster();
    clock.advance(1000);
    const l = leader()!;
    const follower = [...members.values()].find((m) => m !== l)!;
    // The follower forwards to a leader that is gone: the entry may be in its log.
    up.delete(l.host.node.selfId);
    const lost = follower.host.propose('"lost"');
    clock.advance(2000);
    await expect(lost).rejects.toMatchObject({ maybeCommitted: true });
    await expect(lost).rejects.toHaveProperty(
      'code',
      expect.stringMatching(/^(timeout|no-quorum)$/),
    );
  });
});
