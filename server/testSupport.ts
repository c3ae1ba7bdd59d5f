/** Helpers for the server tests: a queued WebSocket client and a small HTTP getter. */
import { request } from 'node:http';
import WebSocket, { type ClientOptions } from 'ws';
import type { ServerConfig } from './config';
import { startServer, type RunningServer } from './startServer';

/** A server on 127.0.0.1, a free port and no app folder, with `config` over the defaults. */
export function startLoopbackServer(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: '127.0.0.1', dist: '/nonexistent', ...config });
}

export type Frame = Record<string, unknown>;

export interface CloseInfo {
  code: number;
  reason: string;
}

/** A `ws` client whose incoming frames queue up, so a test awaits them one by one. */
export class TestClient {
  private readonly frames: Frame[] = [];
  private readonly waiters: ((frame: Frame) => void)[] = [];
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      const frame: Frame = isBinary ? { binary: true } : (JSON.parse(data.toString()) as Frame);
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
  }

  static connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`unexpected response ${res.statusCode}`)),
      );
    });
  }

  send(frame: Frame | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame from the server, in arrival order. */
  next(): Promise<Frame> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Frames received and not yet taken by next(). */
  pending(): number {
    return this.frames.length;
  }

  /**
   * A barrier: sends a ping and expects the very next frame to be its pong. The server answers
   * in order, so everything this socket sent before has been handled and nothing was queued.
   */
  async expectNothingElse(): Promise<void> {
    this.send({ type: 'ping' });
    const frame = await this.next();
    if (frame['type'] !== 'pong') throw new Error(`expected pong, got ${JSON.stringify(frame)}`);
  }

  async subscribe(...topics: string[]): Promise<void> {
    this.send({ type: 'subscribe', topics });
    await this.expectNothingElse();
  }

  close(): Promise<CloseInfo> {
    this.ws.close();
    return this.closed;
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: the path is sent as written (no normalisation), so traversal can be tried. */
export function httpRequest(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // A connection of its own, closed after the answer: the server's connection counts stay exact.
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function health(port: number): Promise<Frame> {
  const answer = await httpRequest(port, '/healthz');
  if (answer.status !== 200) throw new Error(`/healthz answered ${answer.status}`);
  return JSON.parse(answer.body) as Frame;
}

/** Polls an asynchronous condition until it holds (server-side effects of a client's close). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
