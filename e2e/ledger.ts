import { expect, type Page } from '@playwright/test';
import type { LedgerRecord } from '../src/host/ledgerMachine';
import type { LedgerStatus, LedgerView } from '../src/host/ledgerView';
import type { KvHistoryOp, KvOp, KvOutput } from '../src/sim/linearizability';
import type { MeshTab } from './mesh';

/** The Raft steps the ledger specs share (`mesh.ledger` driven through `page.evaluate`). */

export async function ledgerStatus(page: Page): Promise<LedgerStatus> {
  return page.evaluate(() => {
    if (window.mesh === undefined) throw new Error('mesh not started');
    return window.mesh.ledger.status();
  });
}

export async function ledgerView(page: Page): Promise<LedgerView | null> {
  return page.evaluate(() => window.mesh?.snapshot().ledger ?? null);
}

/** Resolves when this tab's log holds `n` voters and it knows a leader. */
export async function waitForVoters(page: Page, n: number, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    (count) => {
      const status = window.mesh?.ledger.status();
      return status !== undefined && status.voters.length === count && status.leader !== null;
    },
    n,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** The leader every tab of `tabs` follows, once they agree and it says it leads. */
export async function agreedLeader(tabs: MeshTab[], timeoutMs = 30_000): Promise<MeshTab> {
  let leader: MeshTab | null = null;
  await expect
    .poll(
      async () => {
        const statuses = await Promise.all(tabs.map((tab) => ledgerStatus(tab.page)));
        const named = new Set(statuses.map((s) => s.leader));
        const id = statuses[0]?.leader ?? null;
        const tab = tabs.find((t) => t.id === id);
        if (named.size !== 1 || tab === undefined) return null;
        leader = (await ledgerStatus(tab.page)).role === 'leader' ? tab : null;
        return leader?.id ?? null;
      },
      { timeout: timeoutMs, intervals: [100] },
    )
    .not.toBeNull();
  return leader as unknown as MeshTab;
}

/**
 * Makes `target` the leader of `tabs`: asks whichever tab leads now to hand over, again if the
 * leadership moved meanwhile (an election can always intervene).
 */
export async function moveLeadership(tabs: MeshTab[], target: MeshTab): Promise<void> {
  await expect
    .poll(
      async () => {
        const leader = await agreedLeader(tabs);
        if (leader === target) return true;
        const code = await leader.page.evaluate(async (to) => {
          try {
            await window.mesh!.ledger.transferLeadership(to as never);
            return 'moved';
          } catch (error) {
            return String((error as { code?: unknown }).code);
          }
        }, target.id);
        return code === 'moved' ? (await agreedLeader(tabs)) === target : code;
      },
      { timeout: 30_000, intervals: [100] },
    )
    .toBe(true);
}

/** Each tab's status and latest Raft events, for a failure's message. */
export async function raftDiagnostics(tabs: MeshTab[]): Promise<string> {
  const lines = await Promise.all(
    tabs.map(async (tab) => {
      const view = await ledgerView(tab.page).catch(() => null);
      if (view === null) return `${tab.id.slice(0, 8)}: no view`;
      const { role, term, leader, commitIndex, voters, learners } = view.status;
      const events = view.timeline
        .slice(-8)
        .map(({ atMs, event }) => `${Math.round(atMs) % 100_000} ${JSON.stringify(event)}`);
      return (
        `${tab.id.slice(0, 8)}: ${role} term ${term} leader ${String(leader).slice(0, 8)} ` +
        `commit ${commitIndex} last ${view.lastIndex} voters ${voters.length} learners ` +
        `${learners.length} pending ${view.pendingOperations}\n    ${events.join('\n    ')}`
      );
    }),
  );
  return lines.join('\n');
}

/** Resolves when every tab's header names the leader the tabs agree on, and its node is starred. */
export async function expectDashboardsShowLeader(tabs: MeshTab[]): Promise<void> {
  await expect
    .poll(
      async () => {
        const leader = (await agreedLeader(tabs)).id;
        const shown = await Promise.all(
          tabs.map((tab) => tab.page.getByTestId('coordinator').getAttribute('data-leader')),
        );
        const starred = await tabs[0]!.page
          .locator('[data-testid="topology-node"][data-raft-leader="true"]')
          .getAttribute('data-agent-id', { timeout: 1000 })
          .catch(() => null);
        return shown.every((id) => id === leader) && starred === leader;
      },
      { timeout: 30_000, intervals: [200] },
    )
    .toBe(true);
}

/**
 * Hands leadership, from the leader's dashboard (the Raft tab's control), to one of `targets`
 * that does not lead; again if an election moved leadership meanwhile. Resolves with the tab
 * whose dashboard did it and the new leader.
 */
export async function transferFromDashboard(
  tabs: MeshTab[],
  targets: MeshTab[],
): Promise<{ operator: MeshTab; target: MeshTab }> {
  const deadline = Date.now() + 60_000;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const operator = await agreedLeader(tabs);
    const target = targets.find((tab) => tab !== operator)!;
    try {
      await operator.page.getByTestId('tab-raft').click();
      // The leader's bars: one per follower.
      await expect(operator.page.getByTestId('raft-progress-row')).toHaveCount(tabs.length - 1);
      await operator.page.getByTestId('raft-transfer-select').selectOption(target.id);
      await operator.page.getByTestId('raft-transfer-button').click();
      const outcome = operator.page.getByTestId('raft-transfer-outcome');
      await expect(outcome).toHaveAttribute('data-state', /transferred|failed/);
      if ((await outcome.getAttribute('data-leader')) === target.id) return { operator, target };
      last = `failed: ${await outcome.getAttribute('data-code')}`;
    } catch (error) {
      last = String(error).slice(0, 200);
    }
  }
  throw new Error(`no transfer from a dashboard within 60 s (${last})`);
}

export type LedgerOutcome<T> =
  { ok: true; value: T } | { ok: false; code: string; maybeCommitted: boolean };

/** Appends `entry` from `page`; resolves with the outcome (never throws). */
export async function appendFrom(
  page: Page,
  entry: unknown,
): Promise<LedgerOutcome<{ index: number; term: number }>> {
  return page.evaluate(async (value) => {
    if (window.mesh === undefined) throw new Error('mesh not started');
    try {
      return { ok: true as const, value: await window.mesh.ledger.append(value) };
    } catch (error) {
      const { code, maybeCommitted } = error as { code?: unknown; maybeCommitted?: unknown };
      return { ok: false as const, code: String(code), maybeCommitted: maybeCommitted === true };
    }
  }, entry);
}

export async function ledgerLog(page: Page): Promise<LedgerRecord[]> {
  return page.evaluate(() => window.mesh?.ledger.read({ fromIndex: 1, limit: 1000 }) ?? []);
}

/** Resolves when every tab applied the same entries up to the same index, `atLeast` or more. */
export async function expectLedgersMatch(tabs: MeshTab[], atLeast: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const logs = await Promise.all(tabs.map((tab) => ledgerLog(tab.page)));
        const texts = logs.map((log) => JSON.stringify(log));
        const same = texts.every((text) => text === texts[0]);
        return same && (logs[0]?.length ?? 0) >= atLeast;
      },
      { timeout: 30_000, intervals: [200] },
    )
    .toBe(true);
}

/**
 * Put, get and cas operations issued from tabs and recorded as the checker wants them: the
 * invocation before `page.evaluate` starts and the return after it ends, so each interval holds
 * the real one. A failure that may have committed is kept with an unknown outcome; one known
 * not to commit is left out (src/sim/linearizability.ts).
 */
export class KvRecorder {
  readonly history: KvHistoryOp[] = [];
  readonly codes = new Map<string, number>();

  async run(tab: MeshTab, client: number, op: KvOp): Promise<KvOutput | null> {
    const invokeMs = Date.now();
    let outcome: LedgerOutcome<KvOutput>;
    try {
      outcome = await tab.page.evaluate(runKvOp, op);
    } catch {
      // The tab closed or crashed with the operation in flight.
      outcome = { ok: false, code: 'page-gone', maybeCommitted: true };
    }
    const returnMs = Date.now();
    if (outcome.ok) {
      this.history.push({ client, op, invokeMs, returnMs, output: outcome.value });
      return outcome.value;
    }
    this.codes.set(outcome.code, (this.codes.get(outcome.code) ?? 0) + 1);
    if (outcome.maybeCommitted && op.kind !== 'get')
      this.history.push({ client, op, invokeMs, returnMs: null, output: null });
    return null;
  }

  /**
   * One round from every tab at once: each puts its own value under one of two keys, reads it
   * back and swaps it for another by cas, so tabs race on each key.
   */
  async round(tabs: MeshTab[], label: string): Promise<void> {
    await Promise.all(
      tabs.map(async (tab, client) => {
        const key = `k${client % 2}`;
        await this.run(tab, client, { kind: 'put', key, value: `${label}-${client}` });
        const read = await this.run(tab, client, { kind: 'get', key });
        const expected = read?.kind === 'get' ? read.value : null;
        await this.run(tab, client, {
          kind: 'cas',
          key,
          expected,
          value: `${label}-${client}-cas`,
        });
      }),
    );
  }

  count(kind: 'ok' | 'unknown'): number {
    return this.history.filter((op) => (kind === 'ok') === (op.returnMs !== null)).length;
  }
}

/** Runs in the page: one key-value operation on `mesh.ledger`, as the checker records it. */
async function runKvOp(op: KvOp): Promise<LedgerOutcome<KvOutput>> {
  const ledger = window.mesh?.ledger;
  if (ledger === undefined) throw new Error('mesh not started');
  try {
    if (op.kind === 'put') {
      await ledger.put(op.key, op.value);
      return { ok: true, value: { kind: 'put' } };
    }
    if (op.kind === 'get') {
      const { value } = await ledger.get(op.key);
      return { ok: true, value: { kind: 'get', value: value as string | null } };
    }
    const { ok } = await ledger.cas(op.key, op.expected, op.value);
    return { ok: true, value: { kind: 'cas', ok } };
  } catch (error) {
    const { code, maybeCommitted } = error as { code?: unknown; maybeCommitted?: unknown };
    return { ok: false, code: String(code), maybeCommitted: maybeCommitted === true };
  }
}
