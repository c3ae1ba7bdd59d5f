import { benchRow } from './benchRow';
import type { BenchResult } from './report';

/** A row's fixed part: its name, unit and target, known before anything is measured. */
export interface RowSpec {
  name: string;
  unit: string;
  target?: string;
  meets?: (value: number) => boolean;
}

/** The row for `spec` with a measured value (NaN never meets a target). */
export function rowOf(spec: RowSpec, value: number, conditions: string): BenchResult {
  return benchRow(spec.name, value, spec.unit, spec.target, spec.meets, conditions);
}

/** The rows a failed measurement still yields: the same names, NaN, the reason as conditions. */
export function failedRows(specs: readonly RowSpec[], reason: string): BenchResult[] {
  return specs.map((spec) =>
    benchRow(
      spec.name,
      Number.NaN,
      spec.unit,
      spec.target,
      spec.meets === undefined ? undefined : () => false,
      `not measured: ${reason}`,
    ),
  );
}

/** A short, one-line reason from whatever was thrown. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
