import type * as Y from 'yjs';
import type { Clock, TimerHandle } from '../../host/ports';
import { HybridClock } from './hlc';
import {
  checkKey,
  checkNamespace,
  checkTtl,
  DEFAULT_MEMORY_LIMITS,
  isAgreementCode,
  MemoryError,
  type MemoryLimits,
} from './limits';
import { entryOf, MemoryIndex, type MemoryEntry, type Winner } from './memoryIndex';
import { slotKeyOf, stampOf, type JsonValue, type Slot } from './slot';

/** A write to a namespace that needs agreement, handed to the consensus layer before it lands. */
export interface AgreedWrite {
  action: 'store' | 'delete';
  namespace: string;
  key: string;
  value: JsonValue;
  ttlSeconds: number | null;
}

/**
 * The hook the consensus layer (pBFT or Raft) plugs in. Writes to agreed namespaces go through
 * `propose` (resolve once agreed and applied, reject to refuse); their entries are read from the
 * agreed state through `entries`, never from the shared document, where any agent could write.
 * Without a hook, writes to such namespaces are refused and they read as empty.
 */
export interface AgreementHook {
  /** Resolves with the agreed outcome (a delete's `{ existed }`), once applied here. */
  propose(write: AgreedWrite): Promise<unknown>;
  /** The namespace's agreed entries visible at `nowMs`, in key order. */
  entries(namespace: string, nowMs: number): MemoryEntry[];
  /** Called after every agreed change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

export interface MemoryStoreOptions {
  doc: Y.Doc;
  /** This agent's id: the writer of its slots. */
  selfId: string;
  clock: Clock;
  limits?: Partial<MemoryLimits>;
  /** Namespaces whose writes go through `agreement` first. */
  agreedNamespaces?: readonly string[];
  agreement?: AgreementHook;
  /** How often beaten slots, long-expired entries and old tombstones are removed. */
  sweepIntervalMs?: number;
  /** Tombstones are kept this long, so a write older than the delete cannot come back. */
  tombstoneRetentionMs?: number;
  /** Expired entries are removed this long after they expire (they are hidden at once). */
  expiredGraceMs?: number;
}

export interface SearchQuery {
  namespace?: string;
  /** Keys starting with this. */
  prefix?: string;
  /** Case-insensitive substring of the key or of the value's JSON text. */
  text?: string;
  limit?: number;
}

/** The name of the shared map in the document. */
export const MEMORY_MAP_NAME = 'memory';

/**
 * A namespaced key/value store over a shared Y.Doc. Each writer keeps its own slot per key and
 * the slot with the largest hybrid-logical-clock stamp wins, so concurrent writes on the two
 * sides of a partition merge to the same entry everywhere: the later write (by stamp), ties by
 * writer id. Deletes are tombstones; TTLs are absolute expiry times, hidden at once and swept
 * later. Reads come from a local index and never walk the document.
 */
export class MemoryStore {
  private readonly map: Y.Map<unknown>;
  private readonly index = new MemoryIndex();
  private readonly hlc: HybridClock;
  private readonly limits: MemoryLimits;
  private readonly agreed: ReadonlySet<string>;
  private readonly listeners = new Set<() => void>();
  private timer: TimerHandle | null = null;
  private readonly sweepIntervalMs: number;
  private readonly tombstoneRetentionMs: number;
  private readonly expiredGraceMs: number;
  private readonly unsubscribeAgreed: (() => void) | null;

  constructor(private readonly options: MemoryStoreOptions) {
    this.map = options.doc.getMap(MEMORY_MAP_NAME);
    this.hlc = new HybridClock(options.selfId);
    this.limits = { ...DEFAULT_MEMORY_LIMITS, ...options.limits };
    this.agreed = new Set(options.agreedNamespaces ?? []);
    this.sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    this.tombstoneRetentionMs = options.tombstoneRetentionMs ?? 3_600_000;
    this.expiredGraceMs = options.expiredGraceMs ?? 60_000;
    for (const [slotKey, raw] of this.map.entries()) this.take(slotKey, raw);
    this.map.observe(this.onMapChange);
    this.unsubscribeAgreed =
      options.agreement?.onChange(() => {
        for (const listener of this.listeners) listener();
      }) ?? null;
  }

  /** Starts the periodic sweep. */
  start(): void {
    if (this.timer !== null) return;
    const clock = this.options.clock;
    const arm = () => {
      this.timer = clock.setTimer(clock.nowMs() + this.sweepIntervalMs, () => {
        this.sweep();
        arm();
      });
    };
    arm();
  }

  stop(): void {
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    this.timer = null;
    this.map.unobserve(this.onMapChange);
    this.unsubscribeAgreed?.();
  }

  /** Called after every change to the store's content, local or remote. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get invalidSlots(): number {
    return this.index.invalidSlots;
  }

  /**
   * Stores a JSON value. Outside agreed namespaces the write is in the document when this
   * returns (the promise is already settled); in them, once the agreement hook resolved.
   */
  store(
    namespace: string,
    key: string,
    value: unknown,
    options: { ttlSeconds?: number | null } = {},
  ): Promise<MemoryEntry> {
    try {
      checkNamespace(namespace);
      checkKey(key, this.limits);
      const ttlSeconds = checkTtl(options.ttlSeconds, this.limits);
      const json = this.normalise(value);
      const write = () => this.writeSlot(namespace, key, json, ttlSeconds, false);
      if (!this.agreed.has(namespace)) return Promise.resolve(write());
      return this.agree({ action: 'store', namespace, key, value: json, ttlSeconds }).then(
        // An agent that is not a replica holds no agreed state: the entry as it was written.
        () =>
          this.agreedEntry(namespace, key) ?? this.entryOfWrite(namespace, key, json, ttlSeconds),
      );
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The entry, or null when absent, deleted or expired. */
  retrieve(namespace: string, key: string): MemoryEntry | null {
    checkNamespace(namespace);
    checkKey(key, this.limits);
    if (this.agreed.has(namespace)) return this.agreedEntry(namespace, key);
    const winner = this.index.winner(namespace, key);
    return winner !== undefined && this.isVisible(winner, this.options.clock.nowMs())
      ? entryOf(winner)
      : null;
  }

  /** Deletes by tombstone; resolves to whether there was a visible entry. */
  delete(namespace: string, key: string): Promise<boolean> {
    try {
      const existed = this.retrieve(namespace, key) !== null;
      if (!this.agreed.has(namespace)) {
        this.writeSlot(namespace, key, null, null, true);
        return Promise.resolve(existed);
      }
      const agreed: AgreedWrite = {
        action: 'delete',
        namespace,
        key,
        value: null,
        ttlSeconds: null,
      };
      // Whether it existed is the replicas' answer, as of the agreed order.
      return this.agree(agreed).then((outcome) => {
        const agreedExisted = (outcome as { existed?: unknown } | null)?.existed;
        return typeof agreedExisted === 'boolean' ? agreedExisted : existed;
      });
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** A namespace's visible entries, by key, at most `limit`. */
  list(namespace: string, options: { prefix?: string; limit?: number } = {}): MemoryEntry[] {
    checkNamespace(namespace);
    return this.search({ namespace, ...options });
  }

  /** Visible entries matching every given condition, by namespace then key, at most `limit`. */
  search(query: SearchQuery): MemoryEntry[] {
    const limit = Math.min(query.limit ?? 100, this.limits.maxResults);
    if (!(limit >= 0)) throw new MemoryError('invalid-request', 'limit must be a number ≥ 0');
    const namespaces =
      query.namespace === undefined ? this.allNamespaces() : [checkNamespace(query.namespace)];
    const text = query.text?.toLowerCase();
    const nowMs = this.options.clock.nowMs();
    const found: MemoryEntry[] = [];
    for (const namespace of namespaces) {
      if (this.agreed.has(namespace)) {
        for (const entry of this.options.agreement?.entries(namespace, nowMs) ?? []) {
          if (query.prefix !== undefined && !entry.key.startsWith(query.prefix)) continue;
          if (text !== undefined && !searchTextOf(entry).includes(text)) continue;
          found.push(entry);
        }
        continue;
      }
      for (const winner of this.index.liveWinners(namespace)) {
        if (query.prefix !== undefined && !winner.key.startsWith(query.prefix)) continue;
        if (text !== undefined && !winner.searchText.includes(text)) continue;
        if (this.isVisible(winner, nowMs)) found.push(entryOf(winner));
      }
    }
    found.sort((a, b) =>
      a.namespace === b.namespace
        ? compareText(a.key, b.key)
        : compareText(a.namespace, b.namespace),
    );
    return found.slice(0, limit);
  }

  /** Namespaces with visible entries, and how many each has. */
  namespaces(): { namespace: string; count: number }[] {
    const nowMs = this.options.clock.nowMs();
    const counts = this.allNamespaces().map((namespace) => {
      if (this.agreed.has(namespace)) {
        return { namespace, count: this.options.agreement?.entries(namespace, nowMs).length ?? 0 };
      }
      let count = 0;
      for (const winner of this.index.liveWinners(namespace)) {
        if (this.isVisible(winner, nowMs)) count++;
      }
      return { namespace, count };
    });
    return counts.filter((n) => n.count > 0 || !this.agreed.has(n.namespace));
  }

  /** The shared document's namespaces, and the agreed ones that hold entries, sorted. */
  private allNamespaces(): string[] {
    const names = new Set(this.index.namespaces().filter((n) => !this.agreed.has(n)));
    for (const namespace of this.agreed) names.add(namespace);
    return [...names].sort(compareText);
  }

  private agreedEntry(namespace: string, key: string): MemoryEntry | null {
    const entries = this.options.agreement?.entries(namespace, this.options.clock.nowMs()) ?? [];
    return entries.find((entry) => entry.key === key) ?? null;
  }

  /**
   * Removes what no read can see any more: slots beaten by a later write, entries expired for
   * longer than the grace period, tombstones older than the retention. Any agent may do it; two
   * doing it at once remove the same items. Returns how many slots went.
   */
  sweep(): number {
    const nowMs = this.options.clock.nowMs();
    const doomed: string[] = [];
    for (const [entryKey, winner] of this.index.allWinners()) {
      const { slot } = winner;
      const expired = slot.x !== null && nowMs >= slot.x + this.expiredGraceMs;
      const oldTombstone = slot.d && nowMs >= slot.ms + this.tombstoneRetentionMs;
      doomed.push(
        ...(expired || oldTombstone
          ? this.index.slotKeysOf(entryKey)
          : this.index.beaten(entryKey)),
      );
    }
    if (doomed.length === 0) return 0;
    this.options.doc.transact(() => {
      for (const slotKey of doomed) this.map.delete(slotKey);
    });
    return doomed.length;
  }

  private entryOfWrite(
    namespace: string,
    key: string,
    value: JsonValue,
    ttlSeconds: number | null,
  ): MemoryEntry {
    const nowMs = this.options.clock.nowMs();
    const expiresAtMs = ttlSeconds === null ? null : nowMs + Math.round(ttlSeconds * 1000);
    const writer = this.options.selfId;
    return {
      namespace,
      key,
      value,
      writer,
      writtenAtMs: nowMs,
      expiresAtMs,
      stamp: { ms: nowMs, counter: 0, writer },
    };
  }

  private writeSlot(
    namespace: string,
    key: string,
    value: JsonValue,
    ttlSeconds: number | null,
    deleted: boolean,
  ): MemoryEntry {
    const stamp = this.hlc.next(this.options.clock.nowMs());
    const expiresAtMs = ttlSeconds === null ? null : stamp.ms + Math.round(ttlSeconds * 1000);
    const slot: Slot = {
      v: value,
      w: stamp.writer,
      ms: stamp.ms,
      c: stamp.counter,
      x: expiresAtMs,
      d: deleted,
    };
    this.map.set(slotKeyOf(namespace, key, this.options.selfId), slot);
    // Built from the slot, not the index: inside a caller's transaction the index catches up
    // only when the transaction ends. The stamp is the largest this agent has seen, so it wins.
    return entryOf({ namespace, key, slotKey: '', slot, searchText: '' });
  }

  private isVisible(winner: Winner, nowMs: number): boolean {
    return !winner.slot.d && (winner.slot.x === null || nowMs < winner.slot.x);
  }

  private normalise(value: unknown): JsonValue {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new MemoryError('invalid-value', `value is not JSON: ${String(error)}`);
    }
    if (text === undefined) throw new MemoryError('invalid-value', 'value is not JSON');
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > this.limits.maxValueBytes) {
      throw new MemoryError(
        'invalid-value',
        `value of ${bytes} bytes, limit ${this.limits.maxValueBytes}`,
      );
    }
    return JSON.parse(text) as JsonValue;
  }

  private async agree(write: AgreedWrite): Promise<unknown> {
    const hook = this.options.agreement;
    if (hook === undefined) {
      throw new MemoryError(
        'agreement-unavailable',
        `namespace ${write.namespace} needs agreement and no consensus layer is attached`,
      );
    }
    try {
      return await hook.propose(write);
    } catch (error) {
      // The consensus layer's own reason (no-quorum, timeout, ...) is the caller's to see.
      const code = (error as { code?: unknown } | null)?.code;
      const message = error instanceof Error ? error.message : String(error);
      throw new MemoryError(
        isAgreementCode(code) ? code : 'agreement-failed',
        `not agreed: ${message}`,
      );
    }
  }

  private take(slotKey: string, raw: unknown): void {
    const slot = this.index.update(slotKey, raw);
    if (slot !== null) this.hlc.observe(stampOf(slot));
  }

  private readonly onMapChange = (event: Y.YMapEvent<unknown>): void => {
    for (const slotKey of event.keysChanged) this.take(slotKey, this.map.get(slotKey));
    for (const listener of this.listeners) listener();
  };
}

function searchTextOf(entry: MemoryEntry): string {
  return (entry.key + '\n' + JSON.stringify(entry.value)).toLowerCase();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
