import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Bench work that must not share an event loop with what it measures runs in a process of its
 * own: `runChild(file, input)` starts `file` (a module calling `childMain`) with `input` as JSON,
 * and resolves with the JSON it prints when done.
 */
export interface RunningChild<T> {
  child: ChildProcess;
  result: Promise<T>;
}

export function runChild<T>(file: string, input: unknown): RunningChild<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const result = new Promise<T>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${file} exited with ${code}`));
      else resolve(JSON.parse(out) as T);
    });
  });
  return { child, result };
}

/** The child's side: reads its input, runs `work` and prints what it returns. */
export function childMain<I, T>(work: (input: I) => Promise<T>): void {
  const input = JSON.parse(process.argv[2] ?? 'null') as I;
  work(input).then(
    (output) => {
      process.stdout.write(JSON.stringify(output));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
