import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from './testSupport';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const children: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(tsx, ['server/main.ts', ...args], {
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
