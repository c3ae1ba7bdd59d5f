import type { AgentId } from '../base/ids';

interface ClientRecord {
  /** Request numbers at or below this were executed or are too old to take. */
  floor: number;
  /** Executed request numbers above the floor, with their results (the reply cache). */
  executed: Map<number, { seq: number; result: string }>;
  /** Sequence number of this client's last execution: the recency that eviction follows. */
  lastSeq: number;
}

export type RequestStatus = 'new' | 'executed' | 'stale';

/**
 * Exactly-once execution (Castro-Liskov 4.1): per client, the requests executed and their
 * results, within a window of request numbers. It is part of the replicated state: changed only
 * by execution, in sequence order, so every replica holds the same table and decides the same
 * duplicates. Request numbers only grow per client (clients start from their clock), so a
 * number at or below the floor is a replay, even for a client evicted from the table.
 */
export class ClientTable {
  private clients = new Map<AgentId, ClientRecord>();
  /** The highest floor of any evicted client: requests of unknown clients must be above it. */
  private evictedFloor = 0;

  constructor(
    private readonly window: number,
    private readonly maxClients: number,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  status(client: AgentId, reqNo: number): RequestStatus {
    const record = this.clients.get(client);
    if (record === undefined) return reqNo > this.evictedFloor ? 'new' : 'stale';
    if (record.executed.has(reqNo)) return 'executed';
    return reqNo > record.floor ? 'new' : 'stale';
  }

  /** The cached result of an executed request, for a client that asks again. */
  result(client: AgentId, reqNo: number): { seq: number; result: string } | undefined {
    return this.clients.get(client)?.executed.get(reqNo);
  }

  record(client: AgentId, reqNo: number, seq: number, result: string): void {
    let record = this.clients.get(client);
    if (record === undefined) {
      record = { floor: this.evictedFloor, executed: new Map(), lastSeq: seq };
      this.clients.set(client, record);
      if (this.clients.size > this.maxClients) this.evictLeastRecent();
    }
    record.executed.set(reqNo, { seq, result });
    record.lastSeq = seq;
    while (record.executed.size > this.window) {
      let lowest = Infinity;
      for (const no of record.executed.keys()) if (no < lowest) lowest = no;
      record.executed.delete(lowest);
      record.floor = Math.max(record.floor, lowest);
    }
  }

  /** The table as JSON-able data in a fixed order (part of a checkpoint's state). */
  snapshot(): unknown {
    const clients = [...this.clients.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, r]) => [
        id,
        r.floor,
        r.lastSeq,
        [...r.executed.entries()].sort(([a], [b]) => a - b).map(([no, e]) => [no, e.seq, e.result]),
      ]);
    return { evictedFloor: this.evictedFloor, clients };
  }

  /** Replaces the table with a snapshot's; returns false (and changes nothing) if malformed. */
  restore(data: unknown): boolean {
    const parsed = parseTable(data);
    if (parsed === null) return false;
    this.evictedFloor = parsed.evictedFloor;
    this.clients = parsed.clients;
    return true;
  }

  private evictLeastRecent(): void {
    let victim: AgentId | null = null;
    let victimSeq = Infinity;
    // Least recent first, then the smallest id: the same victim whatever order the table was
    // built in (a replica restored from a snapshot holds it sorted by id).
    for (const [id, r] of this.clients) {
      if (r.lastSeq < victimSeq || (r.lastSeq === victimSeq && victim !== null && id < victim)) {
        victim = id;
        victimSeq = r.lastSeq;
      }
    }
    if (victim === null) return;
    const record = this.clients.get(victim) as ClientRecord;
    let highest = record.floor;
    for (const no of record.executed.keys()) if (no > highest) highest = no;
    this.evictedFloor = Math.max(this.evictedFloor, highest);
    this.clients.delete(victim);
  }
}

function parseTable(
  data: unknown,
): { evictedFloor: number; clients: Map<AgentId, ClientRecord> } | null {
  if (typeof data !== 'object' || data === null) return null;
  const { evictedFloor, clients } = data as { evictedFloor?: unknown; clients?: unknown };
  if (typeof evictedFloor !== 'number' || !Array.isArray(clients)) return null;
  const table = new Map<AgentId, ClientRecord>();
  for (const entry of clients) {
    if (!Array.isArray(entry) || entry.length !== 4) return null;
    const [id, floor, lastSeq, executed] = entry as unknown[];
    if (typeof id !== 'string' || typeof floor !== 'number' || typeof lastSeq !== 'number') {
      return null;
    }
    if (!Array.isArray(executed)) return null;
    const map = new Map<number, { seq: number; result: string }>();
    for (const e of executed) {
      if (!Array.isArray(e) || e.length !== 3) return null;
      const [no, seq, result] = e as unknown[];
      if (typeof no !== 'number' || typeof seq !== 'number' || typeof result !== 'string') {
        return null;
      }
      map.set(no, { seq, result });
    }
    table.set(id as AgentId, { floor, lastSeq, executed: map });
  }
  return { evictedFloor, clients: table };
}
