import { round } from './percentiles';
import type { BenchResult } from './report';

/** One result row: the value rounded, the target and whether it is met only when there is one. */
export function benchRow(
  name: string,
  value: number,
  unit: string,
  target: string | undefined,
  meets: ((value: number) => boolean) | undefined,
  conditions: string,
): BenchResult {
  return {
    name,
    value: round(value),
    unit,
    ...(target === undefined ? {} : { target }),
    ...(meets === undefined ? {} : { met: meets(value) }),
    conditions,
  };
}
