import type { Millis } from '../base/time';
import { isAppKey, parseLoadSummary } from '../wire/swimCodec';
import {
  MAX_APP_VALUE_CHARS,
  MAX_U32,
  type AppFact,
  type LoadFact,
  type LoadSummary,
} from '../wire/swimMessages';
import { appStatement, loadStatement } from '../wire/swimStatements';
import type { Gossip } from './gossip';
import type { Member } from './memberTable';
import type { Signing } from './signing';
import type { SwimState } from './swimState';

function loadMoved(before: LoadSummary, after: LoadSummary, threshold: number): boolean {
  const moved = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? a !== b : Math.abs(a - b) >= threshold;
  return (
    moved(before.cpu, after.cpu) ||
    moved(before.memory, after.memory) ||
    before.tasks !== after.tasks
  );
}

/**
 * Load summaries and application facts: publishing this agent's own (signed, versioned, at a
 * bounded rate), and keeping the newest version of everyone else's.
 */
export class LoadAndAppFacts {
  private desiredLoad: LoadSummary | null = null;
  private loadVersion = 0;
  private loadSignPending = false;
  private lastLoadPublishMs: Millis | null = null;
  /** When a held-back load summary may go out, or null. */
  loadDueAtMs: Millis | null = null;
  private readonly appVersions = new Map<string, number>();

  constructor(
    private readonly s: SwimState,
    private readonly gossip: Gossip,
    private readonly signing: Signing,
  ) {}

  onSetLoad(load: LoadSummary): void {
    const parsed = parseLoadSummary(load);
    if (parsed === null) return;
    this.desiredLoad = parsed;
    this.maybePublishLoad();
  }

  onPublishFact(key: string, value: string): void {
    const self = this.s.self;
    if (!isAppKey(key) || typeof value !== 'string' || value.length > MAX_APP_VALUE_CHARS) return;
    const app = self.app;
    if (!app?.has(key) && (app?.size ?? 0) >= this.s.config.maxAppFactsPerMember) return;
    if (this.signing.full) return;
    const version = Math.max(this.appVersions.get(key) ?? 0, app?.get(key)?.version ?? 0) + 1;
    if (version > MAX_U32) return;
    this.appVersions.set(key, version);
    this.signing.request(appStatement(self.id, key, version, value), {
      kind: 'app',
      key,
      version,
      value,
    });
  }

  /** A held-back load summary may be due. */
  onTick(nowMs: Millis): void {
    if (this.loadDueAtMs !== null && nowMs >= this.loadDueAtMs) {
      this.loadDueAtMs = null;
      this.maybePublishLoad();
    }
  }

  onLoadSigned(version: number, load: LoadSummary, signature: string): void {
    const s = this.s;
    const self = s.self;
    this.loadSignPending = false;
    if (version > (self.load?.version ?? 0)) {
      const fact: LoadFact = { kind: 'load', subject: self.id, version, load, signature };
      self.load = fact;
      s.queue.push(fact);
      this.gossip.forward(null);
    }
    this.maybePublishLoad();
  }

  onAppSigned(key: string, version: number, value: string, signature: string): void {
    const s = this.s;
    const self = s.self;
    const current = self.app?.get(key);
    if (current !== undefined && current.version >= version) return;
    const fact: AppFact = { kind: 'app', subject: self.id, key, version, value, signature };
    this.storeApp(self, fact);
    s.queue.push(fact);
    this.gossip.forward(null);
  }

  applyLoad(fact: LoadFact): boolean {
    const s = this.s;
    if (fact.subject === s.config.selfId) {
      // A higher version of our own load is from an earlier life: outbid it and republish.
      if (fact.version > (s.self.load?.version ?? 0)) {
        this.loadVersion = Math.max(this.loadVersion, fact.version);
        s.self.load = null;
        this.maybePublishLoad();
      }
      return false;
    }
    const member = s.table.get(fact.subject);
    if (member === undefined || (member.load !== null && member.load.version >= fact.version)) {
      return false;
    }
    member.load = fact;
    s.queue.push(fact);
    return true;
  }

  applyApp(fact: AppFact): boolean {
    const s = this.s;
    if (fact.subject === s.config.selfId) {
      const known = this.appVersions.get(fact.key) ?? 0;
      if (fact.version > known) this.appVersions.set(fact.key, fact.version);
      return false;
    }
    const member = s.table.get(fact.subject);
    if (member === undefined) return false;
    const current = member.app?.get(fact.key);
    if (current !== undefined && current.version >= fact.version) return false;
    if (current === undefined && (member.app?.size ?? 0) >= s.config.maxAppFactsPerMember) {
      return false;
    }
    this.storeApp(member, fact);
    s.queue.push(fact);
    return true;
  }

  private storeApp(member: Member, fact: AppFact): void {
    this.s.table.change(member, (m) => {
      m.app ??= new Map();
      m.app.set(fact.key, fact);
      let sum = 0;
      for (const f of m.app.values()) sum = (sum + f.version) >>> 0;
      m.appVersionSum = sum;
    });
  }

  private maybePublishLoad(): void {
    const s = this.s;
    const desired = this.desiredLoad;
    if (desired === null || this.loadSignPending || this.signing.full) return;
    const published = s.self.load?.load;
    if (published !== undefined && !loadMoved(published, desired, s.config.loadChangeMin)) {
      return;
    }
    const dueMs =
      this.lastLoadPublishMs === null
        ? s.nowMs
        : this.lastLoadPublishMs + s.config.loadMinIntervalMs;
    if (s.nowMs < dueMs) {
      this.loadDueAtMs = dueMs;
      return;
    }
    if (this.loadVersion >= MAX_U32) return;
    this.loadVersion++;
    this.loadSignPending = true;
    this.lastLoadPublishMs = s.nowMs;
    this.loadDueAtMs = null;
    this.signing.request(loadStatement(s.self.id, this.loadVersion, desired), {
      kind: 'load',
      version: this.loadVersion,
      load: desired,
    });
  }
}
