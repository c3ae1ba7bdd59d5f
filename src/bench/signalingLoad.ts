import WebSocket from 'ws';

/** Well-behaved signaling clients: publishers on shared topics, every delivery timed. */
export interface LoadOptions {
  wsUrl: string;
  clients: number;
  topics: number;
  publishesPerSecond: number;
  /** Source addresses, used in turn (each inside 127.0.0.0/8). */
  addresses: readonly string[];
  /** Topics every client subscribes to instead of its own load topic (listeners only). */
  subscribeTo?: readonly string[];
  /** Filler in each publish, so frames have the size of real signals (an SDP is 1-4 KB). */
  payloadBytes?: number;
}

export interface LoadResult {
  publishes: number;
  /** Deliveries due: each publish to every subscriber of its topic, the sender included. */
  expected: number;
  delivered: number;
  latenciesMs: number[];
}

/** `count` addresses 127.0.<subnet>.1.. inside loopback, so per-address limits tell them apart. */
export function loopbackAddresses(subnet: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${subnet}.${i + 1}`);
}

interface Client {
  ws: WebSocket;
  topic: string;
  seq: number;
}

/** A WebSocket from `localAddress`, or null when the server refused or cut the upgrade. */
export function openFrom(url: string, localAddress: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress });
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(null));
    ws.on('error', () => undefined);
  });
}

/** One WebSocket from each address; those refused are left out. */
export async function openAll(url: string, addresses: readonly string[]): Promise<WebSocket[]> {
  const sockets = await Promise.all(addresses.map((address) => openFrom(url, address)));
  return sockets.filter((ws): ws is WebSocket => ws !== null);
}

/** Resolves on the socket's next pong frame: every earlier frame of its own has been handled. */
function barrier(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      if (JSON.parse(data.toString())['type'] !== 'pong') return;
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
    ws.send('{"type":"ping"}');
  });
}

export class SignalingLoad {
  private publishes = 0;
  private expected = 0;
  private delivered = 0;
  private latenciesMs: number[] = [];

  private constructor(
    private readonly clients: Client[],
    private readonly options: LoadOptions,
  ) {
    for (const client of clients) {
      client.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; sentMs?: number };
        if (frame.type !== 'publish' || frame.sentMs === undefined) return;
        this.delivered++;
        this.latenciesMs.push(performance.now() - frame.sentMs);
      });
    }
  }

  /** Connects every client, subscribes client i to topic i mod topics, and waits until done. */
  static async connect(options: LoadOptions): Promise<SignalingLoad> {
    const clients: Client[] = [];
    for (let i = 0; i < options.clients; i++) {
      const address = options.addresses[i % options.addresses.length] as string;
      const ws = await openFrom(options.wsUrl, address);
      if (!ws) throw new Error(`a well-behaved client from ${address} could not connect`);
      const topic = `load-${i % options.topics}`;
      ws.send(JSON.stringify({ type: 'subscribe', topics: options.subscribeTo ?? [topic] }));
      clients.push({ ws, topic, seq: 0 });
    }
    await Promise.all(clients.map((client) => barrier(client.ws)));
    return new SignalingLoad(clients, options);
  }

  /**
   * Every client publishes at the set rate for `durationMs`, phases spread evenly; then waits
   * until every delivery has arrived or nothing has for `drainMs`.
   */
  async run(durationMs: number, drainMs = 3000): Promise<LoadResult> {
    this.publishes = 0;
    this.expected = 0;
    this.delivered = 0;
    this.latenciesMs = [];
    const perTopic = this.options.clients / this.options.topics;
    const periodMs = 1000 / this.options.publishesPerSecond;
    const startMs = performance.now();
    const sent = new Array<number>(this.clients.length).fill(0);
    const pad = 'x'.repeat(this.options.payloadBytes ?? 0);
    while (performance.now() - startMs < durationMs) {
      const elapsedMs = performance.now() - startMs;
      this.clients.forEach((client, i) => {
        const phaseMs = (periodMs * i) / this.clients.length;
        const due = Math.floor((elapsedMs - phaseMs) / periodMs) + 1;
        for (; (sent[i] as number) < due; sent[i] = (sent[i] as number) + 1) {
          if (client.ws.readyState !== WebSocket.OPEN) continue;
          client.ws.send(
            JSON.stringify({
              type: 'publish',
              topic: client.topic,
              seq: client.seq++,
              pad,
              sentMs: performance.now(),
            }),
          );
          this.publishes++;
          this.expected += perTopic;
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    let last = -1;
    while (this.delivered < this.expected && this.delivered !== last) {
      last = this.delivered;
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
    return {
      publishes: this.publishes,
      expected: this.expected,
      delivered: this.delivered,
      latenciesMs: this.latenciesMs,
    };
  }

  /** Clients still open (a well-behaved client should never be closed). */
  openClients(): number {
    return this.clients.filter((client) => client.ws.readyState === WebSocket.OPEN).length;
  }

  close(): void {
    for (const client of this.clients) client.ws.terminate();
  }
}
