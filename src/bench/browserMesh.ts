import type { Page } from '@playwright/test';
import { performance } from 'node:perf_hooks';
import type { MeshCommands, MeshSnapshot } from '../host/meshSnapshot';
import type { MeshEvent } from '../host/ports';

/** What the browser benches use of a page's `window.meshDebug`. */
export interface DebugWindow {
  meshDebug?: {
    selfId: string;
    snapshot(): MeshSnapshot;
    commands: MeshCommands;
    onEvent(listener: (event: MeshEvent) => void): () => void;
  };
}

/** Opens the room in `page` and resolves with the agent id once the mesh runs there. */
export async function joinRoom(page: Page, baseUrl: string, room: string): Promise<string> {
  await page.goto(`${baseUrl}/?room=${room}`);
  const handle = await page.waitForFunction(() => (window as DebugWindow).meshDebug?.selfId);
  return (await handle.jsonValue()) as string;
}

/**
 * Resolves, with the page-clock time it first saw it, when this tab links to every other id,
 * holds them all alive and counts all of them reachable in its agreed membership.
 */
export async function waitSettled(page: Page, ids: string[], timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(
    (all) => {
      const snapshot = (window as DebugWindow).meshDebug?.snapshot();
      if (snapshot === undefined) return false;
      const others = all.filter((id) => id !== snapshot.selfId);
      const open = new Set<string>(
        snapshot.links.filter((l) => l.state === 'open').map((l) => l.peer),
      );
      if (!others.every((id) => open.has(id))) return false;
      const members = snapshot.members;
      if (members.length !== all.length) return false;
      if (!members.every((m) => all.includes(m.id) && m.status === 'alive')) return false;
      const settled =
        snapshot.quorum.membershipSize === all.length && snapshot.quorum.reachable === all.length;
      return settled ? performance.timeOrigin + performance.now() : false;
    },
    ids,
    { polling: 20, timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as number;
}

/** This page's clock (the one its snapshots use) minus the bench's, and the read's bracket. */
export async function clockOffset(page: Page): Promise<{ offsetMs: number; bracketMs: number }> {
  const before = performance.timeOrigin + performance.now();
  const pageNow = await page.evaluate(() => performance.timeOrigin + performance.now());
  const after = performance.timeOrigin + performance.now();
  return { offsetMs: pageNow - (before + after) / 2, bracketMs: after - before };
}
