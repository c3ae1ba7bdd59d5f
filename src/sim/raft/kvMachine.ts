import type { KvOp, KvOutput } from '../linearizability';

/** The register state machine the simulated clients drive: one value per key. */
export class KvMachine {
  private values = new Map<string, string>();

  /** Applies a put or cas entry; returns its output. */
  apply(op: KvOp): KvOutput {
    if (op.kind === 'put') {
      this.values.set(op.key, op.value);
      return { kind: 'put' };
    }
    if (op.kind === 'cas') {
      const ok = (this.values.get(op.key) ?? null) === op.expected;
      if (ok) this.values.set(op.key, op.value);
      return { kind: 'cas', ok };
    }
    return { kind: 'get', value: this.get(op.key) };
  }

  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  snapshot(): string {
    return JSON.stringify([...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  restore(text: string): void {
    this.values = new Map(text === '' ? [] : (JSON.parse(text) as [string, string][]));
  }
}
