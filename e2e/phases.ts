/**
 * Prints each phase of a long test with the seconds since it began. Playwright shows a failed
 * test's output with its error, so a run that times out says which phase it was in and how
 * long the ones before it took.
 */
export function phaseLog(test: string): (phase: string) => void {
  const startedMs = Date.now();
  return (phase) =>
    console.log(`[${test}] ${((Date.now() - startedMs) / 1000).toFixed(1)} s: ${phase}`);
}
