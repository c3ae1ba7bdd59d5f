import type { AgentId } from '../../core/base/ids';
import type { PbftClientEvent } from '../../core/pbft/client';
import type { PbftEvent } from '../../core/pbft/types';
import type { PbftSimNode } from './pbftCluster';

/** A proposal as the workload made it: which client, which request number, which action. */
export interface Proposal {
  index: number;
  client: AgentId;
  reqNo: number;
  tag: string;
  atMs: number;
  /** Made in the liveness phase: it must commit within the bound. */
  mustCommit: boolean;
  outcome: { seq: number; result: string } | { error: string } | null;
}

/**
 * The pBFT safety checks, outside the protocol, after every event (core/pbft/README.md):
 * agreement (no two correct replicas execute different batches at one sequence number),
 * validity (only proposed requests execute), exactly-once (a request runs once per replica,
 * and at one sequence number everywhere), total order (each replica executes in increasing
 * sequence), and that a client only accepts the result correct replicas computed.
 * "Correct" excludes Byzantine replicas, twins and replicas restarted without storage.
 */
export class PbftSafetyChecker {
  readonly violations: string[] = [];
  readonly proposals = new Map<string, Proposal>();
  /** The first correct replica's digest per sequence number. */
  private readonly decided = new Map<number, { digest: string; by: AgentId }>();
  /** Where each request ran: client:reqNo -> seq. */
  private readonly ranAt = new Map<string, number>();
  private readonly lastSeq = new Map<PbftSimNode, number>();
  private readonly ranBy = new Map<PbftSimNode, Set<string>>();
  executions = 0;

  constructor(private readonly isCorrect: (node: PbftSimNode) => boolean) {}

  recordProposal(proposal: Proposal): void {
    this.proposals.set(`${proposal.client}:${proposal.reqNo}`, proposal);
  }

  onReplicaEvent(node: PbftSimNode, event: PbftEvent): void {
    if (event.type === 'pbft-state-transferred') {
      this.lastSeq.set(node, event.seq);
      return;
    }
    if (event.type !== 'pbft-executed' || !this.isCorrect(node)) return;
    this.executions++;
    const last = this.lastSeq.get(node) ?? 0;
    if (event.seq <= last) this.fail(`${name(node)} executed ${event.seq} after ${last}`);
    this.lastSeq.set(node, event.seq);
    const decided = this.decided.get(event.seq);
    if (decided === undefined) this.decided.set(event.seq, { digest: event.digest, by: node.id });
    else if (decided.digest !== event.digest) {
      this.fail(
        `agreement: seq ${event.seq} is ${event.digest.slice(0, 8)} at ${name(node)}, ` +
          `${decided.digest.slice(0, 8)} at ${decided.by.slice(0, 8)}`,
      );
    }
    const ran = this.ranBy.get(node) ?? new Set<string>();
    this.ranBy.set(node, ran);
    for (const r of event.requests) {
      const key = `${r.client}:${r.reqNo}`;
      if (!this.proposals.has(key)) this.fail(`validity: ${key.slice(0, 8)}… never proposed`);
      if (r.duplicate) continue;
      if (ran.has(key)) this.fail(`exactly-once: ${name(node)} ran ${key.slice(0, 12)} twice`);
      ran.add(key);
      const at = this.ranAt.get(key);
      if (at === undefined) this.ranAt.set(key, event.seq);
      else if (at !== event.seq)
        this.fail(`exactly-once: ${key.slice(0, 12)} ran at ${at} and ${event.seq}`);
    }
  }

  onClientEvent(
    node: PbftSimNode,
    event: PbftClientEvent,
    correctNodes: () => PbftSimNode[],
  ): void {
    const proposal = this.proposals.get(`${node.id}:${event.reqNo}`);
    if (proposal === undefined) return;
    if (event.type === 'proposal-failed') {
      proposal.outcome = { error: event.error };
      return;
    }
    proposal.outcome = { seq: event.seq, result: event.result };
    // Every correct replica that applied the action computed the result the client accepted.
    for (const other of correctNodes()) {
      const computed = other.app.resultsByTag.get(proposal.tag);
      if (computed !== undefined && computed !== event.result) {
        this.fail(
          `client ${name(node)} accepted a result for ${proposal.tag} that ${name(other)} did not compute`,
        );
      }
    }
  }

  private fail(message: string): void {
    if (this.violations.length < 20) this.violations.push(message);
  }
}

function name(node: PbftSimNode): string {
  return `#${node.index}(${node.id.slice(0, 6)})`;
}
