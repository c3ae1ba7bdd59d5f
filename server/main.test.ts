import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connect as tcpConnect, type Socket } from 'node:net';
import { TestClient, eventually, httpRequest } from './testSupport';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** As `npm start` runs it: one process, so signals reach the server itself. */
const node = process.execPath;
const serverArgs = ['--import', 'tsx', 'server/main.ts'];
const children: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts server/main.ts; with `openFiles`, under that soft limit on open descriptors. */
function run(args: string[], env: Record<string, string> = {}, openFiles?: number): Run {
  const command =
    openFiles === undefined
      ? { file: node, args: [...serverArgs, ...args] }
      : {
          file: '/bin/sh',
          args: ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, node, ...serverArgs, ...args],
        };
  const child = spawn(command.file, command.args, {
    cwd: root,
    env: { ...process.env, PORT: '', HOST: '', ALLOWED_ORIGINS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the first stdout line matching `pattern`, or rejects if the process exits. */
function lineMatching(started: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = started.stdout().match(pattern);
      if (match) resolve(match);
    };
    started.child.stdout?.on('data', check);
    void started.exited.then((code) =>
      reject(new Error(`exited with ${code}: ${started.stdout()} ${started.stderr()}`)),
    );
    check();
  });
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('server/main.ts', () => {
  it('prints the URL with the real port, serves /healthz and stops on SIGTERM', async () => {
    const started = run(['--port', '0', '--host', '127.0.0.1', '--dist', 'no-such-dist']);
    const match = await lineMatching(
      started,
      /mesh-coordinator listening on http:\/\/127\.0\.0\.1:(\d+)\n/,
    );
    const port = Number(match[1]);
    expect(port).toBeGreaterThan(0);
    expect(started.stdout().trim().split('\n')).toHaveLength(1);
    expect(started.stderr()).toContain('no-such-dist does not exist');
    const answer = await httpRequest(port, '/healthz');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok', sockets: 0 });
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('stays reachable when idle connections outnumber its descriptors', async () => {
    // As reported: the open-file limit lowered to 2,048 and 2,100 idle connections held.
    const started = run(['--port', '0', '--host', '127.0.0.1', '--dist', 'no-such-dist'], {}, 2048);
    const match = await lineMatching(started, /listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
    const port = Number(match[1]);
    expect(started.stderr()).toContain('holding 1920');
    const idle: Socket[] = [];
    const report = async () =>
      JSON.parse((await httpRequest(port, '/healthz')).body) as Record<string, number>;
    try {
      // In waves the listen backlog holds, each seen arrive before the next, so all 2,100 land.
      for (let wave = 0; wave < 21; wave++) {
        await Promise.all(
          Array.from(
            { length: 100 },
            () =>
              new Promise<void>((resolve) => {
                // One address a wave: each holds 100, under the per-address limit.
                const localAddress = `127.0.2.${1 + wave}`;
                const socket = tcpConnect({ host: '127.0.0.1', port, localAddress }, resolve);
                socket.on('error', () => resolve());
                idle.push(socket);
              }),
          ),
        );
        const opened = idle.length;
        await eventually(async () => {
          const { connections = 0, connectionsCut = 0 } = await report();
          return connections + connectionsCut >= opened;
        }, `wave ${wave} accepted`);
      }
      const last = await report();
      expect(last['connections']).toBeLessThanOrEqual(1920);
      expect(last['connectionsCut']).toBeGreaterThanOrEqual(2100 - 1920);
      const client = await TestClient.connect(`ws://127.0.0.1:${port}`);
      await client.expectNothingElse();
      client.ws.terminate();
    } finally {
      for (const socket of idle) socket.destroy();
    }
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('takes the port from the environment', async () => {
    const started = run(['--host', '127.0.0.1'], { PORT: '0' });
    await lineMatching(started, /listening on http:\/\/127\.0\.0\.1:\d+/);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it.each([
    [['--port', 'abc'], {}, '--port must be an integer'],
    [['--max-frame-bytes', '1'], {}, '--max-frame-bytes must be an integer'],
    [['--nope'], {}, 'unknown argument'],
    [[], { HEARTBEAT_MS: 'often' }, 'HEARTBEAT_MS must be an integer'],
  ])('exits with 2 and a clear message for %j %j', async (args, env, message) => {
    const started = run(args, env);
    expect(await started.exited).toBe(2);
    expect(started.stderr()).toContain(message);
    expect(started.stderr()).toContain('--help');
  });

  it('prints the options for --help and exits with 0', async () => {
    const started = run(['--help']);
    expect(await started.exited).toBe(0);
    expect(started.stdout()).toContain('--max-subscribers-per-topic');
  });
});
