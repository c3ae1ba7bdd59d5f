export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  requestHeadTimeoutMs: number;
}

export interface ConnectionStats {
  connections: number;
  /** Connections destroyed on arrival: no room, and nobody idle to make room. */
  connectionsRefused: number;
  /** Idle connections cut: to make room for a newcomer, or past their request-head deadline. */
  connectionsCut: number;
  /** How long the oldest idle connection has been idle, now (0 with none). */
  oldestIdleMs: number;
}

export type Admission<C> = { accepted: true; cut: C[] } | { accepted: false; cut: C[] };

interface Tracked {
  readonly address: string;
  /** Requests being answered; an upgraded connection is never idle again. */
  inFlight: number;
  upgraded: boolean;
  /** When an idle connection must have sent its next request head. */
  headDeadlineMs: number;
}

/**
 * The TCP connections the HTTP server holds, counted before any WebSocket upgrade. A connection
 * is idle while it has no request in flight and is not a WebSocket: just opened, half a request
 * head sent, or a keep-alive connection between requests. Idle connections are what an attacker
 * holds cheaply, so they are what gives way: each must send a whole request head within
 * requestHeadTimeoutMs, and when a newcomer finds no room the oldest idle connection (of its
 * own address when that address is full) is cut for it. Knows no sockets: `C` is any handle.
 */
export class ConnectionGuard<C> {
  private readonly tracked = new Map<C, Tracked>();
  /** Idle connections in the order they became idle, which is their deadline order. */
  private readonly idle = new Map<C, Tracked>();
  private readonly perAddress = new Map<string, { count: number; idle: Map<C, Tracked> }>();
  private refused = 0;
  private cutCount = 0;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly nowMs: () => number,
  ) {}

  /** A new connection from `address`: accepted (after cutting `cut`) or to be destroyed. */
  admit(conn: C, address: string): Admission<C> {
    const cut: C[] = [];
    const own = this.perAddress.get(address);
    if (own && own.count >= this.limits.maxConnectionsPerAddress) {
      const oldest = first(own.idle);
      if (oldest === undefined) return this.refuse();
      this.cut(oldest, cut);
    }
    if (this.tracked.size >= this.limits.maxConnections) {
      const oldest = first(this.idle);
      if (oldest === undefined) return this.refuse();
      this.cut(oldest, cut);
    }
    const entry: Tracked = {
      address,
      inFlight: 0,
      upgraded: false,
      headDeadlineMs: this.nowMs() + this.limits.requestHeadTimeoutMs,
    };
    this.tracked.set(conn, entry);
    const use = this.perAddress.get(address) ?? { count: 0, idle: new Map<C, Tracked>() };
    use.count++;
    this.perAddress.set(address, use);
    this.markIdle(conn, entry);
    return { accepted: true, cut };
  }

  /** A whole request head arrived on `conn`. */
  requestStarted(conn: C): void {
    const entry = this.tracked.get(conn);
    if (!entry) return;
    entry.inFlight++;
    this.markBusy(conn, entry);
  }

  /** A request's response finished (or was abandoned); with none left the connection is idle. */
  requestEnded(conn: C): void {
    const entry = this.tracked.get(conn);
    if (!entry || entry.upgraded || entry.inFlight === 0) return;
    entry.inFlight--;
    if (entry.inFlight > 0) return;
    entry.headDeadlineMs = this.nowMs() + this.limits.requestHeadTimeoutMs;
    this.markIdle(conn, entry);
  }

  /** The connection became a WebSocket: it stays counted and is never idle again. */
  upgraded(conn: C): void {
    const entry = this.tracked.get(conn);
    if (!entry) return;
    entry.upgraded = true;
    this.markBusy(conn, entry);
  }

  /** The connection closed, however. */
  closed(conn: C): void {
    const entry = this.tracked.get(conn);
    if (!entry) return;
    this.tracked.delete(conn);
    this.idle.delete(conn);
    const use = this.perAddress.get(entry.address);
    if (!use) return;
    use.idle.delete(conn);
    if (--use.count === 0) this.perAddress.delete(entry.address);
  }

  /** Idle connections past their request-head deadline, forgotten here; the caller cuts them. */
  expired(): C[] {
    const now = this.nowMs();
    const late: C[] = [];
    for (const [conn, entry] of this.idle) {
      if (entry.headDeadlineMs > now) break;
      late.push(conn);
    }
    for (const conn of late) this.cut(conn, []);
    return late;
  }

  stats(): ConnectionStats {
    const oldest = first(this.idle);
    const idleSinceMs =
      oldest === undefined
        ? null
        : (this.idle.get(oldest) as Tracked).headDeadlineMs - this.limits.requestHeadTimeoutMs;
    return {
      connections: this.tracked.size,
      connectionsRefused: this.refused,
      connectionsCut: this.cutCount,
      oldestIdleMs: idleSinceMs === null ? 0 : this.nowMs() - idleSinceMs,
    };
  }

  private refuse(): Admission<C> {
    this.refused++;
    return { accepted: false, cut: [] };
  }

  private cut(conn: C, into: C[]): void {
    this.cutCount++;
    this.closed(conn);
    into.push(conn);
  }

  private markIdle(conn: C, entry: Tracked): void {
    this.idle.delete(conn);
    this.idle.set(conn, entry);
    const own = this.perAddress.get(entry.address)?.idle;
    own?.delete(conn);
    own?.set(conn, entry);
  }

  private markBusy(conn: C, entry: Tracked): void {
    this.idle.delete(conn);
    this.perAddress.get(entry.address)?.idle.delete(conn);
  }
}

function first<K>(map: Map<K, unknown>): K | undefined {
  for (const key of map.keys()) return key;
  return undefined;
}
