import { spawn, type ChildProcess } from 'node:child_process';

/** Busy processes at most, whatever is asked: the load is for this machine's own cores. */
export const MAX_LOAD_PROCESSES = 16;

/**
 * Background CPU load for a soak run: `count` Node processes spinning until stopped. Each also
 * stops by itself after `maxSeconds`, so a soak that dies cannot leave them behind for long.
 */
export function startCpuLoad(count: number, maxSeconds: number): { stop(): void } {
  const wanted = Math.max(0, Math.min(MAX_LOAD_PROCESSES, Math.floor(count)));
  const script = `const end = Date.now() + ${Math.floor(maxSeconds * 1000)}; while (Date.now() < end) {}`;
  const children: ChildProcess[] = [];
  for (let i = 0; i < wanted; i++) {
    children.push(spawn(process.execPath, ['-e', script], { stdio: 'ignore' }));
  }
  return {
    stop() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
