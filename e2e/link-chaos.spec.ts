import { expect, test, type Page } from '@playwright/test';
import type { LinkView } from '../src/host/meshSnapshot';
import {
  allAlive,
  closeAll,
  FIVE_AGENTS_LAYOUT,
  healFromDashboard,
  openSettledMesh,
  shoot,
  snapshotOf,
  waitForFullMesh,
  waitForMembers,
  type MeshTab,
} from './mesh';

/** One-way delay set on the link; the fault layer adds it in both directions. */
const DELAY_MS = 150;
/** Round trips on loopback stay far below this; a delayed link's far above (2 x DELAY_MS). */
const UNDELAYED_MAX_MS = DELAY_MS;
/** Round trips judged at a time (the fastest of the newest few; one comes every ping interval). */
const RECENT_SAMPLES = 5;
const PING_INTERVAL_MS = 250;

/** This tab's own link to `peer`, or undefined. */
async function linkTo(page: Page, peer: string): Promise<LinkView | undefined> {
  return (await snapshotOf(page)).links.find((link) => link.peer === peer);
}

/** Through the operator's Chaos panel: pick its link to `peer`, set delay and loss, apply. */
async function applyLinkFault(
  operator: Page,
  peer: string,
  delayMs: number,
  lossPercent: number,
): Promise<void> {
  await operator.getByTestId('chaos-link-select').selectOption(peer);
  await operator.getByTestId('chaos-link-delay').fill(String(delayMs));
  await operator.getByTestId('chaos-link-loss').fill(String(lossPercent));
  await operator.getByTestId('chaos-link-apply').click();
  await expect(operator.getByTestId('chaos-last-command')).toHaveAttribute('data-ok', 'true');
  await expect(operator.getByTestId('chaos-last-command')).toContainText(
    `+${delayMs} ms, ${lossPercent} % loss`,
  );
}

/** The smoothed round trip `tab` shows for its link to `peer` (null while unmeasured). */
async function rttOf(tab: MeshTab, peer: MeshTab): Promise<number | null> {
  return (await linkTo(tab.page, peer.id))?.rttMs ?? null;
}

/**
 * Every link but `except`, as `from -> to` at both ends, that is not open or whose last few round
 * trips are all slow. Every sample of a link carrying the delay is slow, so a poll until this is
 * empty still fails for one, while a busy machine's passing spikes do not fail it.
 */
async function slowLinks(tabs: MeshTab[], except?: [MeshTab, MeshTab]): Promise<string[]> {
  const slow: string[] = [];
  for (const tab of tabs) {
    const snapshot = await snapshotOf(tab.page);
    for (const link of snapshot.links) {
      const pair = new Set([tab.id, link.peer]);
      if (except !== undefined && pair.has(except[0].id) && pair.has(except[1].id)) continue;
      const fastest = Math.min(...link.recentRttMs.slice(-RECENT_SAMPLES));
      if (link.state !== 'open' || !(fastest < UNDELAYED_MAX_MS))
        slow.push(
          `${tab.id.slice(0, 8)} -> ${link.peer.slice(0, 8)}: ${link.state}, ${fastest} ms`,
        );
    }
  }
  return slow;
}

/** The RTT pill the dashboard draws on the a-b edge, in ms (NaN when it shows none). */
async function drawnRttMs(page: Page, a: string, b: string): Promise<number> {
  const [low, high] = a < b ? [a, b] : [b, a];
  const text = await page
    .locator(`[data-testid="topology-edge"][data-a="${low}"][data-b="${high}"] .edge-pill text`)
    .first()
    .textContent();
  const match = /^([\d.]+) ms$/.exec(text ?? '');
  return match === null ? Number.NaN : Number(match[1]);
}

function linkDownRows(page: Page, peer: string) {
  return page.locator(`[data-testid="event-row"][data-kind="link-down"][data-peer="${peer}"]`);
}

test('link delay and loss set from the Chaos panel: the link slows at both ends and no other does, loss takes it down, clearing restores it', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const { browsers, tabs } = await openSettledMesh(
    playwright[browserName],
    testInfo,
    baseURL as string,
    'link-chaos',
    FIVE_AGENTS_LAYOUT,
    // Pings four times a second: round trips settle in two seconds instead of eight. Only the
    // operator and its peer draw a dashboard (used and photographed); five drawing at once on
    // two cores slow every round trip this test measures.
    (index) => `&pingIntervalMs=${PING_INTERVAL_MS}${index < 2 ? '' : '&ui=0'}`,
  );
  try {
    // Two single-tab instances: the link between them crosses browsers.
    const operator = tabs[0]!;
    const peer = tabs[1]!;
    // The fault is applied by the lower id's fault layer (both directions), reached by the
    // signed command when the operator is the higher one.
    const [low, high] = operator.id < peer.id ? [operator, peer] : [peer, operator];
    // Baseline: every link measured and fast (start-up load can slow the first samples).
    await expect.poll(() => slowLinks(tabs), { timeout: 30_000 }).toEqual([]);
    await shoot(operator.page, '1-baseline', testInfo);

    // Step 1: +150 ms each way on operator <-> peer, set in the operator's Chaos panel.
    await applyLinkFault(operator.page, peer.id, DELAY_MS, 0);
    await expect
      .poll(async () => (await linkTo(low.page, high.id))?.fault)
      .toEqual({
        cut: false,
        delayMs: DELAY_MS,
        dropRate: 0,
      });
    // Both ends measure it: the smoothed round trip climbs to about 2 x 150 ms.
    for (const [tab, other] of [
      [operator, peer],
      [peer, operator],
    ] as const) {
      await expect
        .poll(() => rttOf(tab, other), { message: `${tab.id} -> ${other.id}` })
        .toBeGreaterThanOrEqual(2 * DELAY_MS - 30);
      // The newest samples, once all were taken under the delay: the fastest is the two added
      // delays and not much more. A busy machine's slow samples can lift the smoothed value
      // before five delayed samples came, and can slow five in a row, so this waits for a
      // window of them that shows it; a delay never applied, or applied twice, fails the wait.
      // (Load only ever adds to a sample, so the fastest is the one to judge.)
      const fastestRecent = async () =>
        Math.min(...((await linkTo(tab.page, other.id))?.recentRttMs.slice(-RECENT_SAMPLES) ?? []));
      await expect
        .poll(
          async () => {
            const fastest = await fastestRecent();
            const delayed =
              fastest >= 2 * DELAY_MS - 2 && fastest < 2 * DELAY_MS + UNDELAYED_MAX_MS;
            return delayed ? 'two delays' : `${fastest} ms`;
          },
          { message: `${tab.id} -> ${other.id}, fastest recent round trip` },
        )
        .toBe('two delays');
    }
    await expect
      .poll(() => drawnRttMs(operator.page, operator.id, peer.id))
      .toBeGreaterThanOrEqual(2 * DELAY_MS - 30);
    await expect(
      low.page.locator('[data-testid="chaos-active-faults"]').getByText(`+${DELAY_MS} ms`),
    ).toBeVisible();
    await expect.poll(() => slowLinks(tabs, [operator, peer])).toEqual([]);
    await shoot(operator.page, '2-delay-operator', testInfo);
    await shoot(peer.page, '2-delay-peer', testInfo);

    // Step 2: the same row back to 0 ms, 0 %: the round trip falls back at both ends.
    await applyLinkFault(operator.page, peer.id, 0, 0);
    for (const [tab, other] of [
      [operator, peer],
      [peer, operator],
    ] as const) {
      await expect
        .poll(() => rttOf(tab, other), { message: `${tab.id} -> ${other.id}` })
        .toBeLessThan(UNDELAYED_MAX_MS);
    }
    await expect(low.page.getByTestId('chaos-active-faults')).toHaveCount(0);
    await shoot(operator.page, '3-delay-cleared', testInfo);

    // Step 3: 100 % loss. Every frame is dropped (pings and pongs too), so both ends hear
    // nothing from each other and close the link as silent after the link timeout (6 s).
    const downBefore = {
      operator: await linkDownRows(operator.page, peer.id).count(),
      peer: await linkDownRows(peer.page, operator.id).count(),
    };
    await applyLinkFault(operator.page, peer.id, 0, 100);
    await expect
      .poll(async () => (await linkTo(low.page, high.id))?.framesDroppedByFault ?? 0)
      .toBeGreaterThan(3);
    await expect
      .poll(() => linkDownRows(operator.page, peer.id).count(), { timeout: 30_000 })
      .toBeGreaterThan(downBefore.operator);
    await expect
      .poll(() => linkDownRows(peer.page, operator.id).count(), { timeout: 30_000 })
      .toBeGreaterThan(downBefore.peer);
    // The first end to time out says so; the other may see the channel close under it first.
    const reasons = [
      await linkDownRows(operator.page, peer.id).first().textContent(),
      await linkDownRows(peer.page, operator.id).first().textContent(),
    ].join(' | ');
    expect(reasons).toMatch(/silent for \d+ ms/);
    await operator.page.getByTestId('tab-events').click();
    await shoot(operator.page, '4-loss-link-down', testInfo);
    // One lossy link is not a dead member: the others still reach both ends.
    for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs));

    // Step 4: Heal clears every delay and loss (the loss outlived the link it took down): the
    // link is open at both ends again, with fresh round trips at loopback speed, and no fault
    // is left anywhere.
    await healFromDashboard(operator);
    await waitForFullMesh(tabs);
    for (const tab of tabs) {
      const snapshot = await snapshotOf(tab.page);
      for (const link of snapshot.links)
        expect(link.fault, `${tab.id} -> ${link.peer}`).toEqual({
          cut: false,
          delayMs: 0,
          dropRate: 0,
        });
    }
    await expect.poll(() => slowLinks(tabs)).toEqual([]);
    for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs));
    await shoot(operator.page, '5-healed', testInfo);
  } finally {
    await closeAll(browsers);
  }
});
