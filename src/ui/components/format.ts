import type { LinkFault } from '../../host/meshSnapshot';

/** "0.6 ms" below 10 ms, "23 ms" above, "—" when unknown. */
export function formatRtt(rttMs: number | null): string {
  if (rttMs === null || !Number.isFinite(rttMs)) return '—';
  return rttMs < 10 ? `${rttMs.toFixed(1)} ms` : `${Math.round(rttMs)} ms`;
}

/** "42 s", "3 m 05 s", "1 h 02 m"; "—" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} m ${String(totalSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** Below this a host time is a clock offset (virtual clock), above it epoch milliseconds. */
const EPOCH_THRESHOLD_MS = 1e11;

/** Wall-clock times as local "HH:MM:SS.mmm"; virtual-clock times as "+12.345 s". */
export function formatEventTime(atMs: number): string {
  if (atMs < EPOCH_THRESHOLD_MS) return `+${(atMs / 1000).toFixed(3)} s`;
  const d = new Date(atMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms}`;
}

/** "cut", "drop 20%", "+150 ms"; empty list when the link is untouched. */
export function describeFault(fault: LinkFault): string[] {
  const parts: string[] = [];
  if (fault.cut) parts.push('cut');
  if (fault.dropRate > 0) parts.push(`drop ${Math.round(fault.dropRate * 100)}%`);
  if (fault.delayMs > 0) parts.push(`+${Math.round(fault.delayMs)} ms`);
  return parts;
}
