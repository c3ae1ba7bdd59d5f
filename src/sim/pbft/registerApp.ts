import type { AgentId } from '../../core/base/ids';
import type { ReplicatedApp } from '../../core/pbft/types';

/**
 * The simulator's replicated application: a sum and a running hash of every applied action,
 * so each result depends on the whole order before it, and a replica that executed anything
 * differently returns different results. Results are also kept by the action's `tag`, for the
 * checkers to compare with what clients accepted.
 */
export class RegisterApp implements ReplicatedApp {
  sum = 0;
  hash = 0x811c9dc5;
  /** The replica set the state names, once a `replicas` action set it (a reconfiguration). */
  replicas: AgentId[] | null = null;
  readonly resultsByTag = new Map<string, string>();

  apply(action: string, client: AgentId, seq: number): string {
    let parsed: { kind?: unknown; value?: unknown; tag?: unknown; ids?: unknown };
    try {
      parsed = JSON.parse(action) as typeof parsed;
    } catch {
      return JSON.stringify({ ok: false, error: 'not JSON' });
    }
    if (parsed.kind === 'replicas' && Array.isArray(parsed.ids)) {
      this.replicas = parsed.ids as AgentId[];
      const result = JSON.stringify({ ok: true, value: { replicas: this.replicas.length } });
      if (typeof parsed.tag === 'string') this.resultsByTag.set(parsed.tag, result);
      return result;
    }
    if (parsed.kind !== 'add' || typeof parsed.value !== 'number') {
      return JSON.stringify({ ok: false, error: `unknown kind ${String(parsed.kind)}` });
    }
    this.sum += parsed.value;
    for (let i = 0; i < action.length; i++) {
      this.hash = Math.imul(this.hash ^ action.charCodeAt(i), 0x01000193) >>> 0;
    }
    this.hash = Math.imul(this.hash ^ client.charCodeAt(0) ^ seq, 0x01000193) >>> 0;
    const result = JSON.stringify({ ok: true, value: { sum: this.sum, hash: this.hash } });
    if (typeof parsed.tag === 'string') this.resultsByTag.set(parsed.tag, result);
    return result;
  }

  snapshot(): string {
    return JSON.stringify([this.sum, this.hash, this.replicas]);
  }

  restore(snapshot: string): void {
    const [sum, hash, replicas] = JSON.parse(snapshot) as [number, number, AgentId[] | null];
    this.sum = sum;
    this.hash = hash;
    this.replicas = replicas ?? null;
  }

  replicaSet(): readonly AgentId[] | null {
    return this.replicas;
  }
}
