import { expect, test } from '@playwright/test';
import { renderFractalTile, encodeTileIterations } from '../src/core/tasks/kinds/fractalTile';
import { closeKillable, openConsensusMesh, statusOf, waitForReplicas } from './consensus';
import { agreedLeader } from './ledger';
import type { MeshTab } from './mesh';
import {
  acceptedFor,
  demoTiles,
  jobStatus,
  outcomeOf,
  submitRecorded,
  waitForAccepted,
  waitForLedger,
} from './tasks';

test.describe('mesh.tasks across four agents in four browser instances', () => {
  test('the demo render: every tile exactly once and right, under hash, steal and auction; a browser crashed mid-render loses no tile', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `tasks-render-${Date.now()}`,
      [1, 1, 1, 1],
      '&workers=1',
      (page) => waitForLedger(page),
    );
    try {
      await agreedLeader(tabs);
      const [submitter] = tabs;
      const tiles = demoTiles(8, 6, 32, 200);
      const expected = tiles.map((tile) => ({
        x: tile.x,
        y: tile.y,
        size: tile.size,
        iterations: encodeTileIterations(renderFractalTile(tile)),
      }));
      for (const strategy of ['hash', 'steal', 'auction'] as const) {
        const jobId = await submitRecorded(submitter!.page, {
          kind: 'fractal-tile',
          inputs: tiles,
          strategy,
        });
        const outcome = await outcomeOf(submitter!.page, jobId);
        expect(outcome, JSON.stringify(outcome).slice(0, 300)).toMatchObject({ ok: true });
        expect(outcome.ok ? outcome.results : []).toEqual(expected);
        const accepted = await acceptedFor(submitter!.page, jobId);
        expect(accepted.map((a) => a.task).sort((a, b) => a - b)).toEqual(tiles.map((_, i) => i));
      }

      // The dashboard's demo: the Tasks tab renders the image from its button, tile by tile.
      const page = submitter!.page;
      await page.getByRole('tab', { name: /^Tasks/ }).click();
      await page.getByTestId('fractal-strategy').selectOption('hash');
      await page.getByTestId('fractal-render-button').click();
      const progress = page.getByTestId('fractal-progress');
      await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
      await expect(progress).toHaveAttribute('data-done', '48');
      await expect(progress).toHaveAttribute('data-total', '48');
      const owners = await page
        .getByTestId('fractal-owner')
        .evaluateAll((chips) => chips.map((chip) => Number(chip.getAttribute('data-tiles'))));
      expect(owners.reduce((a, b) => a + b, 0)).toBe(48);
      expect(owners.length).toBeGreaterThan(1);

      // A longer render (several seconds of work per agent); its last browser, slowed so that it
      // still holds most of its share, is killed once a few tiles are in.
      const victim = tabs[3]!;
      await victim.page.evaluate(() => window.mesh?.tasks.setSlowdown(3));
      const big = demoTiles(16, 12, 40, 8000);
      const jobId = await submitRecorded(submitter!.page, {
        kind: 'fractal-tile',
        inputs: big,
        strategy: 'hash',
      });
      await waitForAccepted(submitter!.page, jobId, 4);
      // What the agent holds (queued or running, no result on its way) as its browser's process
      // is killed: a crash that says nothing, with no graceful close for the others to finish
      // the job in.
      const atCrash = await jobStatus(submitter!.page, jobId);
      await browsers[3]!.server.kill();
      const holding = atCrash?.tasks.filter((t) => t.owner === victim.id && t.state === 'assigned');
      const byOwner = new Map<string, Record<string, number>>();
      for (const t of atCrash?.tasks ?? []) {
        const key = (t.owner ?? 'none').slice(0, 8);
        const counts = byOwner.get(key) ?? {};
        counts[t.state] = (counts[t.state] ?? 0) + 1;
        byOwner.set(key, counts);
      }
      const atCrashText = `victim ${victim.id.slice(0, 8)}; at the crash ${JSON.stringify([...byOwner])}`;
      const outcome = await outcomeOf(submitter!.page, jobId);
      expect(outcome, JSON.stringify(outcome).slice(0, 300)).toMatchObject({ ok: true });
      const accepted = await acceptedFor(submitter!.page, jobId);
      // Every tile exactly once, each right.
      expect(accepted.map((a) => a.task).sort((a, b) => a - b)).toEqual(big.map((_, i) => i));
      const results = outcome.ok ? (outcome.results as { iterations: string }[]) : [];
      for (const [i, tile] of big.entries())
        expect(results[i]?.iterations, `tile ${i}`).toBe(
          encodeTileIterations(renderFractalTile(tile)),
        );
      const status = await jobStatus(submitter!.page, jobId);
      const redone = (holding ?? []).filter((t) => status?.tasks[t.task]?.owner !== victim.id);
      testInfo.annotations.push({
        type: 'crash',
        description: `the crashed agent held ${holding?.length ?? 0} tiles; ${redone.length} were redone elsewhere`,
      });
      // The crash came mid-render, and what the dead agent held was redone by the living.
      expect(holding?.length ?? 0, atCrashText).toBeGreaterThan(1);
      expect(redone.length).toBeGreaterThan(0);
    } finally {
      await closeKillable(browsers);
    }
  });

  test('the agents steal from a slowed agent holding a whole job; the job completes once per task', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `tasks-steal-${Date.now()}`,
      [1, 1, 2],
      '&workers=1',
      (page) => waitForLedger(page),
    );
    try {
      await agreedLeader(tabs);
      const slow = tabs[0]!;
      // Slowed from another agent's dashboard: the chaos command reaches it over the mesh.
      const operator = tabs[1]!.page;
      await operator.getByRole('tab', { name: /^Tasks/ }).click();
      await operator.getByTestId('slow-agent').selectOption(slow.id);
      await operator.getByTestId('slow-apply').click();
      await slow.page.waitForFunction(() => window.mesh?.snapshot().tasks?.slowdown === 4, null, {
        timeout: 30_000,
      });
      const inputs = Array.from({ length: 40 }, () => ({ ms: 50 }));
      const jobId = await submitRecorded(slow.page, {
        kind: 'busy',
        inputs,
        strategy: 'steal',
        costMs: 50,
      });
      const outcome = await outcomeOf(slow.page, jobId);
      expect(outcome).toMatchObject({ ok: true });
      const ranOn = (outcome.ok ? (outcome.results as { agent: string }[]) : []).map(
        (r) => r.agent,
      );
      const accepted = await acceptedFor(slow.page, jobId);
      expect(accepted.map((a) => a.task).sort((a, b) => a - b)).toEqual(inputs.map((_, i) => i));
      const stolen = ranOn.filter((agent) => agent !== slow.id).length;
      testInfo.annotations.push({ type: 'steal', description: `${stolen} of 40 ran elsewhere` });
      // Every other agent took a share; the slow one kept fewer than a fair quarter.
      for (const tab of tabs.slice(1)) expect(ranOn).toContain(tab.id);
      expect(stolen).toBeGreaterThan(30);
      const decisions = await slow.page.evaluate(
        () => window.mesh?.snapshot().tasks?.decisions ?? [],
      );
      expect(decisions.some((d) => d.type === 'stolen-from')).toBe(true);
      const thiefView = await tabs[1]!.page.evaluate(
        () => window.mesh?.snapshot().tasks?.decisions ?? [],
      );
      const steal = thiefView.find((d) => d.type === 'steal' && d.victim === slow.id);
      expect(steal).toBeDefined();
      // The numbers behind it: the thief would finish sooner, by more than the margin.
      if (steal?.type === 'steal') expect(steal.plan.gainMs).toBeGreaterThan(0);
    } finally {
      await closeKillable(browsers);
    }
  });

  test('a critical render with one lying agent: every tile right, accepted through pBFT; the liar is flagged with evidence on every dashboard', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `tasks-critical-${Date.now()}`,
      [1, 1, 1, 1],
      '&workers=1',
      async (page, count) => {
        await waitForReplicas(page, count);
        await waitForLedger(page);
      },
    );
    try {
      await agreedLeader(tabs);
      const [operator, , , liar] = tabs as [MeshTab, MeshTab, MeshTab, MeshTab];
      // Switched to lying from another agent's dashboard.
      await operator.page.getByTestId(`behaviour-select-${liar.id}`).selectOption('lie-results');
      await expect.poll(() => statusOf(liar.page).then((s) => s.behaviour)).toBe('lie-results');

      const tiles = demoTiles(8, 6, 32, 200);
      const expected = tiles.map((tile) => ({
        x: tile.x,
        y: tile.y,
        size: tile.size,
        iterations: encodeTileIterations(renderFractalTile(tile)),
      }));
      const jobId = await submitRecorded(operator.page, {
        kind: 'fractal-tile',
        inputs: tiles,
        critical: true,
      });
      const outcome = await outcomeOf(operator.page, jobId);
      expect(outcome, JSON.stringify(outcome).slice(0, 300)).toMatchObject({ ok: true });
      expect(outcome.ok ? outcome.results : []).toEqual(expected);
      // Each tile accepted once, from an agent that is not the liar.
      const accepted = await acceptedFor(operator.page, jobId);
      expect(accepted.map((a) => a.task).sort((a, b) => a - b)).toEqual(tiles.map((_, i) => i));
      expect(accepted.map((a) => a.owner)).not.toContain(liar.id);
      const flagsOf = (tab: MeshTab) =>
        tab.page.evaluate(
          (id) => (window.mesh?.tasks.flagged() ?? []).filter((f) => f.jobId === id),
          jobId,
        );
      const flags = await flagsOf(operator);
      testInfo.annotations.push({
        type: 'flags',
        description: `${flags.length} flags for the liar (it is flagged for 4 tiles of a job at most)`,
      });
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) {
        expect(flag.agent).toBe(liar.id);
        expect(flag.digest).not.toBe(flag.accepted);
        expect(flag.agreeing).not.toContain(liar.id);
      }
      // pBFT committed the flags: every honest replica holds the same ones.
      for (const tab of tabs.slice(1, 3)) await expect.poll(() => flagsOf(tab)).toEqual(flags);

      // The dashboard's demo, critical: the image assembles right and the liar shows flagged.
      const page = operator.page;
      await page.getByRole('tab', { name: /^Tasks/ }).click();
      await page.getByTestId('fractal-critical').check();
      await page.getByTestId('fractal-render-button').click();
      const progress = page.getByTestId('fractal-progress');
      await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
      await expect(progress).toHaveAttribute('data-done', '48');
      const owners = await page
        .getByTestId('fractal-owner')
        .evaluateAll((chips) => chips.map((chip) => chip.getAttribute('data-agent')));
      expect(owners).not.toContain(liar.id);
      const shown = page.getByTestId('task-flag');
      await expect(shown.first()).toHaveAttribute('data-agent', liar.id);
      const shownAgents = await shown.evaluateAll((rows) =>
        rows.map((row) => row.getAttribute('data-agent')),
      );
      expect(new Set(shownAgents)).toEqual(new Set([liar.id]));
    } finally {
      await closeKillable(browsers);
    }
  });
});
