import { describe, expect, it } from 'vitest';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { CRDT_LANE_TYPE_CODE } from '../core/wire/lanes';
import { WIRE_VERSION } from '../core/wire/messages';
import type { MeshEvent } from '../host/ports';
import { DocSync, type DocSyncOptions } from './docSync';
import { encodeMessageFrame } from './crdtFrame';
import { encodeAwareness, encodeUpdate } from './syncMessages';
import { TestClock, TestNet } from './testNet';

const A = 'a'.repeat(64) as AgentId;
const B = 'b'.repeat(64) as AgentId;
const C = 'c'.repeat(64) as AgentId;

function setup(ids: AgentId[], extra: Partial<DocSyncOptions> = {}) {
  const clock = new TestClock();
  const net = new TestNet();
  const events: MeshEvent[] = [];
  const agents = ids.map((id, i) => {
    const doc = new Y.Doc();
    doc.clientID = i + 1;
    const sync = new DocSync({
      doc,
      transport: net.transport(id),
      clock,
      random: createSeededPrng(i),
      observer: { onEvent: (e) => events.push(e) },
      ...extra,
    });
    sync.start();
    return { id, doc, sync };
  });
  return { clock, net, events, agents };
}

const contentOf = (doc: Y.Doc) => doc.getMap('m').toJSON();

describe('DocSync', () => {
  it('brings two documents with their own writes together when the link comes up', () => {
    const { net, agents } = setup([A, B]);
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    a.doc.getMap('m').set('x', 1);
    b.doc.getMap('m').set('y', 2);
    net.link(A, B);
    net.deliverAll();
    expect(contentOf(a.doc)).toEqual({ x: 1, y: 2 });
    expect(contentOf(b.doc)).toEqual({ x: 1, y: 2 });
    expect(a.sync.peerStates()).toEqual([{ peer: B, state: 'in-sync', comparedAtMs: 0 }]);
  });

  it('sends a local write to every linked peer at once, in one frame each', () => {
    const { net, agents } = setup([A, B, C]);
    net.link(A, B);
    net.link(A, C);
    net.link(B, C);
    net.deliverAll();
    agents[0]?.doc.getMap('m').set('k', 'v');
    expect(net.inFlight.map((f) => f.to).sort()).toEqual([B, C]);
    net.deliverAll();
    for (const { doc } of agents) expect(contentOf(doc)).toEqual({ k: 'v' });
  });

  it('lets a peer that missed updates catch up through anti-entropy, with nobody writing', () => {
    const { net, clock, agents } = setup([A, B]);
    net.link(A, B);
    net.deliverAll();
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    a.doc.getMap('m').set('lost', true);
    a.doc.getMap('m').delete('lost');
    a.doc.getMap('m').set('kept', 1);
    net.deliverAll(() => false); // every update lost on the way
    expect(contentOf(b.doc)).toEqual({});
    expect(b.sync.peerStates()[0]?.state).toBe('in-sync'); // stale: nothing compared since
    clock.advance(2000);
    net.deliverAll();
    expect(contentOf(b.doc)).toEqual({ kept: 1 });
    expect(a.sync.stats.antiEntropyRounds + b.sync.stats.antiEntropyRounds).toBe(2);
  });

  it('syncs only what a returning peer missed, not the whole document', () => {
    const { net, agents } = setup([A, B]);
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    a.doc.getText('t').insert(0, 'x'.repeat(200_000));
    // B comes back with what it had stored before (as from IndexedDB), then A wrote a little.
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
    a.doc.getMap('m').set('missed', 'while away');
    net.link(A, B);
    net.deliverAll();
    expect(contentOf(b.doc)).toEqual({ missed: 'while away' });
    expect(b.sync.stats.bytesIn).toBeLessThan(1000);
  });

  it('reports a peer behind from the state vector it hears, and in sync once merged', () => {
    const { net, agents } = setup([A, B]);
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    expect(a.sync.peerStates()).toEqual([]);
    net.link(A, B);
    expect(a.sync.peerStates()[0]?.state).toBe('unknown');
    net.deliverAll();
    expect(a.sync.peerStates()[0]?.state).toBe('in-sync');
    // A partition: each side writes; when the link returns, the first state vector shows it.
    net.unlink(A, B);
    b.doc.getMap('m').set('b', 1);
    net.link(A, B);
    net.deliverAll((f) => f.from === B);
    expect(a.sync.peerStates()[0]?.state).toBe('behind');
    net.unlink(A, B);
    a.doc.getMap('m').set('a', 1);
    b.doc.getMap('m').set('b', 2);
    net.link(A, B);
    net.deliverAll();
    expect(contentOf(a.doc)).toEqual({ a: 1, b: 2 });
    expect(contentOf(b.doc)).toEqual({ a: 1, b: 2 });
    expect(a.sync.peerStates()[0]?.state).toBe('in-sync');
    expect(b.sync.peerStates()[0]?.state).toBe('in-sync');
  });

  it('relays updates along a line of links only when asked to (partial views)', () => {
    for (const relay of [true, false]) {
      const { net, agents } = setup([A, B, C], { relayUpdates: () => relay });
      net.link(A, B);
      net.link(B, C);
      net.deliverAll();
      agents[0]?.doc.getMap('m').set('far', 1);
      net.deliverAll();
      expect(contentOf(agents[2]?.doc as Y.Doc)).toEqual(relay ? { far: 1 } : {});
    }
  });

  it('carries a 1 MB document in chunks, no faster than the link drains', () => {
    const { net, clock, agents } = setup([A, B]);
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    const text = a.doc.getText('t');
    for (let i = 0; i < 64; i++) text.insert(text.length, 'x'.repeat(16 * 1024));
    net.link(A, B);
    net.buffered = 10 * 1024 * 1024; // the link is full: the answers may not go out
    net.deliverAll();
    expect(b.doc.getText('t').length).toBe(0);
    net.buffered = 0;
    clock.advance(10);
    const chunks = net.inFlight.filter((f) => f.from === A && f.frame[2] === 1);
    expect(chunks.length).toBeGreaterThan(15);
    for (const chunk of chunks) expect(chunk.frame.length).toBeLessThanOrEqual(64 * 1024);
    net.deliverAll();
    expect(b.doc.getText('t').length).toBe(1024 * 1024);
  });

  it('fetches a large document once when it links to several holders at once', () => {
    const { net, agents } = setup([A, B, C]);
    const [a, b, c] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
    a.doc.getText('t').insert(0, 'z'.repeat(300_000));
    net.link(A, B);
    net.deliverAll();
    net.link(C, A);
    net.link(C, B);
    net.deliverAll();
    expect(c.doc.getText('t').length).toBe(300_000);
    expect(b.doc.getText('t').length).toBe(300_000);
    // One copy and small change, not one copy per holder.
    expect(c.sync.stats.bytesIn).toBeLessThan(1.2 * 300_000);
  });

  it('refuses bad frames and updates whole, counts and logs them, and keeps working', () => {
    const { net, events, agents } = setup([A, B], { config: { maxUpdateBytes: 4096 } });
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    net.link(A, B);
    net.deliverAll();
    b.doc.getMap('m').set('before', 1);
    net.deliverAll();
    const handler = (frame: Uint8Array) => net.inFlight.push({ from: B, to: A, frame });
    handler(Uint8Array.of(WIRE_VERSION, CRDT_LANE_TYPE_CODE)); // truncated
    handler(Uint8Array.of(WIRE_VERSION, CRDT_LANE_TYPE_CODE, 7, 1)); // unknown kind
    handler(encodeMessageFrame(Uint8Array.of(9))); // unknown message type
    handler(encodeMessageFrame(encodeUpdate(Uint8Array.of(1, 2, 3, 4, 5)))); // not an update
    const big = new Y.Doc();
    big.getText('t').insert(0, 'y'.repeat(8000));
    handler(encodeMessageFrame(encodeUpdate(Y.encodeStateAsUpdate(big)))); // over the limit
    expect(() => net.deliverAll()).not.toThrow();
    expect(a.sync.stats.rejected).toBe(5);
    expect(events.filter((e) => e.kind === 'doc-sync-rejected')).toHaveLength(5);
    expect(contentOf(a.doc)).toEqual({ before: 1 });
    expect(a.doc.getText('t').length).toBe(0);
    b.doc.getMap('m').set('after', 2);
    net.deliverAll();
    expect(contentOf(a.doc)).toEqual({ before: 1, after: 2 });
  });

  it('never throws on random or mutated frames, and never applies an update it refused', () => {
    const { net, agents } = setup([A, B]);
    const a = agents[0] as (typeof agents)[0];
    net.link(A, B);
    net.deliverAll();
    const source = new Y.Doc();
    source.getMap('m').set('k', { nested: [1, 2, 3] });
    source.getText('t').insert(0, 'hello world');
    const valid = encodeMessageFrame(encodeUpdate(Y.encodeStateAsUpdate(source)));
    const prng = createSeededPrng(7);
    for (let i = 0; i < 1200; i++) {
      let frame: Uint8Array;
      if (i % 3 === 0) {
        frame = new Uint8Array(prng.nextInt(200));
        for (let j = 0; j < frame.length; j++) frame[j] = prng.nextInt(256);
        if (frame.length > 1) frame.set([WIRE_VERSION, CRDT_LANE_TYPE_CODE]);
      } else {
        frame = valid.slice();
        const flips = 1 + prng.nextInt(4);
        for (let f = 0; f < flips; f++)
          frame[3 + prng.nextInt(frame.length - 3)] = prng.nextInt(256);
      }
      const before = Y.encodeStateAsUpdate(a.doc);
      const rejectedBefore = a.sync.stats.rejected;
      net.inFlight.push({ from: B, to: A, frame });
      expect(() => net.deliverAll()).not.toThrow();
      if (a.sync.stats.rejected > rejectedBefore) {
        expect(Y.encodeStateAsUpdate(a.doc)).toEqual(before);
      }
    }
    expect(a.sync.stats.rejected).toBeGreaterThan(400);
  });

  it('shares awareness states and drops a peer’s when its link goes down', () => {
    const clock = new TestClock();
    const net = new TestNet();
    const docs = [new Y.Doc(), new Y.Doc()];
    const awareness = docs.map((doc) => new Awareness(doc));
    const syncs = [A, B].map((id, i) => {
      const sync = new DocSync({
        doc: docs[i] as Y.Doc,
        transport: net.transport(id),
        clock,
        random: createSeededPrng(i),
        awareness: awareness[i] as Awareness,
      });
      sync.start();
      return sync;
    });
    awareness[0]?.setLocalState({ name: 'a' });
    net.link(A, B);
    net.deliverAll();
    expect(awareness[1]?.getStates().get(docs[0]?.clientID as number)).toEqual({ name: 'a' });
    awareness[0]?.setLocalStateField('name', 'a2');
    net.deliverAll();
    expect(awareness[1]?.getStates().get(docs[0]?.clientID as number)).toEqual({ name: 'a2' });
    // A peer cannot flood the presence table.
    const flood = new Awareness(new Y.Doc());
    const many = Array.from({ length: 70 }, (_, i) => 1000 + i);
    for (const client of many) flood.states.set(client, { spam: true });
    for (const client of many) flood.meta.set(client, { clock: 1, lastUpdated: 0 });
    net.inFlight.push({
      from: A,
      to: B,
      frame: encodeMessageFrame(encodeAwareness(encodeAwarenessUpdate(flood, many))),
    });
    net.deliverAll();
    expect(syncs[1]?.stats.rejected).toBe(1);
    expect(awareness[1]?.getStates().size).toBe(2);
    net.unlink(A, B);
    expect(awareness[1]?.getStates().has(docs[0]?.clientID as number)).toBe(false);
    for (const sync of syncs) sync.stop();
    for (const a of awareness) a.destroy();
  });
});
