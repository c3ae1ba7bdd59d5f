/**
 * A linearizability checker for key-value histories (Wing and Gong's search with the pruning
 * Porcupine uses: P-compositionality, so each key is checked alone; and a cache of (set of
 * operations linearized, state) pairs already explored, so no configuration is searched twice).
 *
 * An operation is invoked at `invokeMs` and returns at `returnMs` with `output`; an operation
 * whose outcome is unknown (a timeout, a lost reply) has neither: it may have taken effect at
 * any time after its invocation, or never (which is the same as taking effect after everything
 * else). Operations known to have failed must be left out of the history by the caller.
 */

export type KvOp =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'cas'; key: string; expected: string | null; value: string };

export type KvOutput =
  { kind: 'put' } | { kind: 'get'; value: string | null } | { kind: 'cas'; ok: boolean };

export interface KvHistoryOp {
  client: number;
  op: KvOp;
  invokeMs: number;
  /** null: the outcome is unknown. */
  returnMs: number | null;
  output: KvOutput | null;
}

export type LinearizabilityResult =
  | { ok: true }
  | { ok: false; key: string; ops: KvHistoryOp[] }
  /** The search took more than `maxSteps` for one key: no verdict. */
  | { ok: 'unknown'; key: string };

type State = string | null;

/** The register model: whether `op` may return `output` in `state`, and the state after it. */
function step(state: State, op: KvOp, output: KvOutput | null): State | undefined {
  switch (op.kind) {
    case 'put':
      return op.value;
    case 'get':
      if (output !== null && (output as { value: string | null }).value !== state) return undefined;
      return state;
    case 'cas': {
      const swaps = state === op.expected;
      if (output !== null && (output as { ok: boolean }).ok !== swaps) return undefined;
      return swaps ? op.value : state;
    }
  }
}

interface Entry {
  isCall: boolean;
  op: number;
  timeMs: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** Checks one key's operations; true, false, or null when the step budget ran out. */
function checkKey(ops: readonly KvHistoryOp[], maxSteps: number): boolean | null {
  const events: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = {
      isCall: true,
      op: i,
      timeMs: o.invokeMs,
      match: null,
      prev: null,
      next: null,
    };
    const ret: Entry = {
      isCall: false,
      op: i,
      timeMs: o.returnMs ?? Infinity,
      match: null,
      prev: null,
      next: null,
    };
    call.match = ret;
    events.push(call, ret);
  });
  // At equal times a call sorts before a return: the two operations count as concurrent,
  // which never calls a linearizable history wrong.
  events.sort(
    (a, b) => a.timeMs - b.timeMs || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1),
  );
  const head: Entry = {
    isCall: false,
    op: -1,
    timeMs: -Infinity,
    match: null,
    prev: null,
    next: null,
  };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  const lift = (call: Entry): void => {
    const ret = call.match as Entry;
    (call.prev as Entry).next = call.next;
    if (call.next) call.next.prev = call.prev;
    (ret.prev as Entry).next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Entry): void => {
    const ret = call.match as Entry;
    (ret.prev as Entry).next = ret;
    if (ret.next) ret.next.prev = ret;
    (call.prev as Entry).next = call;
    if (call.next) call.next.prev = call;
  };
  const linearized = new Uint32Array(Math.ceil(ops.length / 32));
  const seen = new Set<string>();
  const stack: { call: Entry; state: State }[] = [];
  let state: State = null;
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (++steps > maxSteps) return null;
    const current = entry as Entry;
    if (current.isCall) {
      const o = ops[current.op] as KvHistoryOp;
      const next = step(state, o.op, o.output);
      if (next !== undefined) {
        linearized[current.op >>> 5]! |= 1 << (current.op & 31);
        const key = `${linearized.join(',')}|${next === null ? '' : `=${next}`}`;
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ call: current, state });
          state = next;
          lift(current);
          entry = head.next;
          continue;
        }
        linearized[current.op >>> 5]! &= ~(1 << (current.op & 31));
      }
      entry = current.next;
      continue;
    }
    // A return whose call is not linearized yet: undo the last choice and try the next one.
    const top = stack.pop();
    if (top === undefined) return false;
    state = top.state;
    linearized[top.call.op >>> 5]! &= ~(1 << (top.call.op & 31));
    unlift(top.call);
    entry = top.call.next;
  }
  return true;
}

/** Checks a whole history, key by key. */
export function checkKvHistory(
  history: readonly KvHistoryOp[],
  maxSteps = 5_000_000,
): LinearizabilityResult {
  const byKey = new Map<string, KvHistoryOp[]>();
  for (const o of history) {
    const list = byKey.get(o.op.key);
    if (list) list.push(o);
    else byKey.set(o.op.key, [o]);
  }
  for (const [key, ops] of byKey) {
    const verdict = checkKey(ops, maxSteps);
    if (verdict === null) return { ok: 'unknown', key };
    if (!verdict) return { ok: false, key, ops };
  }
  return { ok: true };
}
