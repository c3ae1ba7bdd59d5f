import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import { hasMajority } from '../quorum/majority';
import { utf8Length } from '../wire/fieldReaders';
import {
  RAFT_MAX_ENTRY_BYTES,
  RAFT_MAX_MEMBERS,
  RAFT_MAX_SNAPSHOT_CHARS,
  type RaftAppendMessage,
  type RaftAppendResponseMessage,
  type RaftEntry,
  type RaftMembers,
  type RaftMessage,
  type RaftProposalRefusal,
  type RaftSnapshotMessage,
  type RaftSnapshotResponseMessage,
  type RaftVoteMessage,
  type RaftVoteResponseMessage,
} from '../wire/raftMessages';
import { resolveRaftConfig, type RaftConfig, type RaftOverrides } from './config';
import { RaftLog } from './log';
import {
  applyChange,
  canonicalMembers,
  decodeMembers,
  encodeMembers,
  isMember,
  isVoter,
  quorumMatchIndex,
  type RaftMemberChange,
} from './members';
import { Progress } from './progress';
import { ReadQueue } from './reads';
import { SnapshotAssembly, snapshotChunk } from './snapshotAssembly';
import type {
  ElectionReason,
  ProposalResult,
  RaftDurableState,
  RaftEffect,
  RaftEvent,
  RaftInput,
  RaftRejection,
  RaftRole,
  RaftSnapshotView,
  RaftStoredSnapshot,
  StepDownReason,
} from './types';
import { ContactGaps, GAP_FACTOR } from './contactGaps';

/** Forward ids start anywhere in [1, 2^30]: a restart's ids do not meet the last run's. */
const FORWARD_ID_SPAN = 2 ** 30;

export interface RaftNodeOptions {
  selfId: AgentId;
  initialVoters: readonly AgentId[];
  prng: Prng;
  nowMs: Millis;
  config?: RaftOverrides;
  /** What the node stored before it restarted; absent for a new node. */
  restored?: RaftDurableState;
}

/**
 * One Raft node (Ongaro and Ousterhout 2014; README.md for the state diagram and the sections
 * each part follows). Pure: `step` takes one input and returns the effects, in the order the
 * host must carry them out. Time enters as `nowMs`, randomness from the injected Prng.
 */
export class RaftNode {
  readonly selfId: AgentId;
  readonly config: RaftConfig;
  private readonly prng: Prng;
  private readonly log = new RaftLog();
  private nowMs: Millis;

  private term = 0;
  private votedFor: AgentId | null = null;
  private role: RaftRole = 'follower';
  private leader: AgentId | null = null;
  private commitIndex = 0;
  private appliedIndex = 0;
  /** The membership in force: the newest config entry in the log, else the snapshot's. */
  private members: RaftMembers;
  private membersIndex = 0;
  private snapshot: RaftStoredSnapshot | null = null;
  private snapshotAskedAt = 0;

  private electionDeadlineMs = 0;
  /** The election deadline was pushed back once already because this node was held up. */
  private electionGraced = false;
  /** How late contacts have come lately: stretches the timeouts on a loaded machine. */
  private readonly gaps: ContactGaps;
  /** When this node last heard from a leader of its term (the lease for refusing votes). */
  private leaderContactMs = -Infinity;
  private votes = new Map<AgentId, boolean>();
  private readonly assembly: SnapshotAssembly;

  // Leader state.
  private readonly progress = new Map<AgentId, Progress>();
  private heartbeatDueMs = 0;
  private checkQuorumDueMs = 0;
  private quorumGraced = false;
  private round = 0;
  /** A round other than a heartbeat's is wanted at the end of this step (a read arrived). */
  private roundWanted = false;
  private committedInTerm = false;
  /** Index of the newest config entry; a change waits until it is committed. */
  private pendingConfigIndex = 0;
  private transferee: AgentId | null = null;
  private transferDeadlineMs = 0;
  private readonly reads: ReadQueue;

  // Follower state: forwarded proposals and reads, by this node's id.
  private readonly forwardedProposals = new Map<number, { id: number; sentMs: Millis }>();
  private readonly forwardedReads = new Map<number, { id: number; sentMs: Millis }>();
  /** Starts at random, so a restarted follower's ids are not taken for its old ones. */
  private nextForwardId: number;
  /**
   * Leader state: the forwarded proposals of this term already appended, per follower (id to
   * index), so a duplicated `raft-propose` is answered again instead of appended twice.
   */
  private readonly forwardsAppended = new Map<AgentId, Map<number, number>>();

  private out: RaftEffect[] = [];
  private readonly rejected: Partial<Record<RaftRejection, number>> = {};
  private readonly stats = {
    elections: 0,
    sent: 0,
    snapshotsSent: 0,
    snapshotsInstalled: 0,
    stallGraces: 0,
  };

  constructor(options: RaftNodeOptions) {
    this.selfId = options.selfId;
    this.config = resolveRaftConfig(options.selfId, options.initialVoters, options.config);
    this.prng = options.prng;
    this.nowMs = options.nowMs;
    this.assembly = new SnapshotAssembly(RAFT_MAX_SNAPSHOT_CHARS);
    this.gaps = new ContactGaps(this.config.electionTimeoutCapMs);
    this.reads = new ReadQueue(this.config.maxPendingReads);
    this.nextForwardId = 1 + this.prng.nextInt(FORWARD_ID_SPAN);
    this.members = canonicalMembers(options.initialVoters, []);
    if (options.restored !== undefined) this.restore(options.restored);
    this.resetElectionTimer();
  }

  step(input: RaftInput): RaftEffect[] {
    this.nowMs = input.nowMs;
    this.out = [];
    switch (input.kind) {
      case 'message':
        this.onMessage(input.from, input.msg);
        break;
      case 'tick':
        this.onTick();
        break;
      case 'propose':
        this.onPropose(input.id, input.data);
        break;
      case 'read':
        this.onRead(input.id);
        break;
      case 'changeMembers':
        this.onChangeMembers(input.id, input.change);
        break;
      case 'transferLeadership':
        this.onTransferLeadership(input.to, input.leaving === true);
        break;
      case 'snapshot':
        this.onSnapshotTaken(input.index, input.data);
        break;
    }
    if (this.roundWanted) this.broadcastHeartbeat();
    const out = this.out;
    this.out = [];
    return out;
  }

  nextWakeMs(): Millis {
    const expiry = this.forwardedExpiryMs();
    if (this.role !== 'leader') return Math.min(this.electionDeadlineMs, expiry);
    let wake = Math.min(
      this.heartbeatDueMs,
      this.config.checkQuorum ? this.checkQuorumDueMs : Infinity,
    );
    if (this.transferee !== null) wake = Math.min(wake, this.transferDeadlineMs);
    wake = Math.min(wake, expiry);
    return wake;
  }

  // ---- queries -------------------------------------------------------------------------

  get currentTerm(): number {
    return this.term;
  }

  get currentRole(): RaftRole {
    return this.role;
  }

  get currentLeader(): AgentId | null {
    return this.leader;
  }

  get commit(): number {
    return this.commitIndex;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  get membership(): RaftMembers {
    return this.members;
  }

  /** The log as the simulator's checkers read it. */
  get logView(): Pick<
    RaftLog,
    'term' | 'entry' | 'lastIndex' | 'snapshotIndex' | 'takeChangedFrom'
  > {
    return this.log;
  }

  view(): RaftSnapshotView {
    return {
      self: this.selfId,
      role: this.role,
      term: this.term,
      leader: this.leader,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      appliedIndex: this.appliedIndex,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      snapshotIndex: this.log.snapshotIndex,
      voters: [...this.members.voters],
      learners: [...this.members.learners],
      progress: [...this.progress.values()].map((p) => ({
        peer: p.peer,
        voter: isVoter(this.members, p.peer),
        matchIndex: p.matchIndex,
        nextIndex: p.nextIndex,
        state: p.state,
        inflight: p.inflight.length,
        active: p.active,
      })),
      transferee: this.transferee,
      pendingReads: this.reads.size,
      rejected: { ...this.rejected },
      stats: { ...this.stats },
      electionTimeoutMs: this.electionTimeoutMs(),
    };
  }

  invariants(): void {
    assert(this.appliedIndex <= this.commitIndex, 'applied beyond commit');
    assert(this.commitIndex <= this.log.lastIndex(), 'commit beyond the log');
    assert(this.log.snapshotIndex <= this.appliedIndex, 'snapshot beyond applied');
    assert(this.role !== 'leader' || this.leader === this.selfId, 'a leader names itself');
    assert(this.role !== 'leader' || this.votedFor === this.selfId, 'a leader voted for itself');
  }

  // ---- messages ------------------------------------------------------------------------

  private onMessage(from: AgentId, msg: RaftMessage): void {
    switch (msg.type) {
      case 'raft-read-index':
        return this.onReadIndexRequest(from, msg.id);
      case 'raft-read-index-response':
        return this.onReadIndexResponse(msg.id, msg.ok, msg.index);
      case 'raft-propose':
        return this.onForwardedProposal(from, msg.id, msg.data);
      case 'raft-propose-response':
        return this.onProposeResponse(
          msg.id,
          msg.ok
            ? { ok: true, index: msg.index, term: msg.term }
            : { ok: false, reason: msg.reason as RaftProposalRefusal },
        );
      case 'raft-vote-response':
        if (msg.preVote) return this.onPreVoteResponse(from, msg);
        break;
      case 'raft-vote':
        return this.onVote(from, msg);
      default:
        break;
    }
    // Every other message carries its sender's term.
    if (msg.term > this.term) {
      const fromLeader =
        msg.type === 'raft-append' ||
        msg.type === 'raft-snapshot' ||
        msg.type === 'raft-timeout-now';
      this.becomeFollower(msg.term, fromLeader ? from : null, 'higher-term');
    } else if (msg.term < this.term) {
      this.count('stale-term');
      // A deposed leader learns of the newer term from the reply and steps down.
      if (msg.type === 'raft-append' || msg.type === 'raft-snapshot') {
        this.send(from, this.appendReply(false, 0, 0, 0, 0, 0));
      }
      return;
    }
    switch (msg.type) {
      case 'raft-append':
        return this.onAppend(from, msg);
      case 'raft-append-response':
        return this.onAppendResponse(from, msg);
      case 'raft-snapshot':
        return this.onInstallSnapshot(from, msg);
      case 'raft-snapshot-response':
        return this.onSnapshotResponse(from, msg);
      case 'raft-timeout-now':
        return this.onTimeoutNow();
      case 'raft-vote-response':
        return this.onVoteResponse(from, msg);
    }
  }

  // ---- elections -----------------------------------------------------------------------

  private onTick(): void {
    this.expireForwarded();
    if (this.role === 'leader') {
      if (this.transferee !== null && this.nowMs >= this.transferDeadlineMs) {
        this.emit({ type: 'raft-transfer', to: this.transferee, outcome: 'aborted' });
        this.transferee = null;
      }
      if (this.config.checkQuorum && this.nowMs >= this.checkQuorumDueMs) {
        if (!this.quorumGraced && this.heldUpPast(this.checkQuorumDueMs)) {
          this.quorumGraced = true;
          this.checkQuorumDueMs = this.graceDeadline();
        } else {
          this.quorumGraced = false;
          this.checkQuorumDueMs = this.nowMs + this.electionTimeoutMs();
          if (!this.quorumActive()) {
            this.becomeFollower(this.term, null, 'check-quorum');
            return;
          }
        }
      }
      if (this.nowMs >= this.heartbeatDueMs) this.broadcastHeartbeat();
      return;
    }
    if (this.nowMs < this.electionDeadlineMs) return;
    if (!this.electionGraced && this.heldUpPast(this.electionDeadlineMs)) {
      this.electionGraced = true;
      this.electionDeadlineMs = this.graceDeadline();
      return;
    }
    this.startElection('timeout');
  }

  /**
   * Whether this tick comes so long after `deadlineMs` that the node itself was held up (its
   * page's main thread busy or not scheduled): what arrived meanwhile may still be queued
   * behind the tick, so a timeout now would judge the others by messages it has not read. Such
   * a deadline gets one grace period (`stallGraceMs`) before it counts; the next one counts
   * whatever happens, so a node that is always late still elects.
   */
  private heldUpPast(deadlineMs: Millis): boolean {
    return this.config.stallGraceMs > 0 && this.nowMs - deadlineMs > this.config.heartbeatMs;
  }

  /** The deadline a held-up node gives itself instead (counted in the view's stats). */
  private graceDeadline(): Millis {
    this.stats.stallGraces++;
    return this.nowMs + this.config.stallGraceMs;
  }

  /**
   * The election timeout's minimum now: the configured one, stretched to 1.5 times the longest
   * gap between contacts of the last ten seconds, up to electionTimeoutCapMs (contactGaps.ts).
   */
  private electionTimeoutMs(): Millis {
    const { electionTimeoutMinMs, electionTimeoutCapMs } = this.config;
    const stretched = Math.ceil(GAP_FACTOR * this.gaps.longest(this.nowMs));
    return Math.min(electionTimeoutCapMs, Math.max(electionTimeoutMinMs, stretched));
  }

  /** Whether a majority of voters (itself included) was heard from since the last check. */
  private quorumActive(): boolean {
    let active = 0;
    for (const voter of this.members.voters) {
      if (voter === this.selfId) active++;
      else if (this.progress.get(voter)?.active === true) active++;
    }
    for (const p of this.progress.values()) p.active = false;
    return hasMajority(active, this.members.voters.length);
  }

  /**
   * Forwarded proposals and reads the leader never answered (lost, or the leader died): a
   * proposal's fate is unknown, a read can simply be retried.
   */
  private expireForwarded(): void {
    const before = this.nowMs - 2 * this.config.electionTimeoutMinMs;
    for (const [key, forwarded] of this.forwardedProposals) {
      if (forwarded.sentMs > before) break;
      this.forwardedProposals.delete(key);
      this.result(forwarded.id, { ok: false, reason: 'unanswered' });
    }
    for (const [key, forwarded] of this.forwardedReads) {
      if (forwarded.sentMs > before) break;
      this.forwardedReads.delete(key);
      this.finishRead(forwarded.id, null, { ok: false, reason: 'no-leader' });
    }
  }

  /** When the oldest forwarded proposal or read expires (Infinity when none is out). */
  private forwardedExpiryMs(): Millis {
    let oldest = Infinity;
    for (const forwarded of this.forwardedProposals.values()) {
      oldest = forwarded.sentMs;
      break;
    }
    for (const forwarded of this.forwardedReads.values()) {
      oldest = Math.min(oldest, forwarded.sentMs);
      break;
    }
    return oldest + 2 * this.config.electionTimeoutMinMs;
  }

  private startElection(reason: ElectionReason): void {
    this.resetElectionTimer();
    if (!isVoter(this.members, this.selfId)) return;
    if (this.config.preVote && reason === 'timeout') this.campaign(true, reason);
    else this.campaign(false, reason);
  }

  private campaign(preVote: boolean, reason: ElectionReason): void {
    this.stats.elections++;
    this.votes = new Map([[this.selfId, true]]);
    this.leader = null;
    let term = this.term + 1;
    if (preVote) {
      this.role = 'pre-candidate';
    } else {
      this.role = 'candidate';
      this.term = term;
      this.votedFor = this.selfId;
      this.persistHard();
      term = this.term;
    }
    this.emit({ type: 'raft-election', term, reason, preVote });
    if (this.tallyWon()) return;
    const request: RaftVoteMessage = {
      type: 'raft-vote',
      term,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      preVote,
      transfer: reason === 'transfer',
    };
    for (const voter of this.members.voters) if (voter !== this.selfId) this.send(voter, request);
  }

  /** Checks the tally; a won pre-vote starts the real election, a won election leads. */
  private tallyWon(): boolean {
    let granted = 0;
    let refused = 0;
    for (const voter of this.members.voters) {
      const vote = this.votes.get(voter);
      if (vote === true) granted++;
      else if (vote === false) refused++;
    }
    const n = this.members.voters.length;
    if (hasMajority(granted, n)) {
      if (this.role === 'pre-candidate') this.campaign(false, 'timeout');
      else this.becomeLeader();
      return true;
    }
    if (hasMajority(refused, n)) this.becomeFollower(this.term, null, null);
    return false;
  }

  private lastLogUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.log.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.log.lastIndex());
  }

  private onVote(from: AgentId, m: RaftVoteMessage): void {
    // Check-quorum's lease (thesis 4.2.3): while a leader is heard from, a vote request does not
    // depose it, unless the leader itself asked for the election (transfer).
    const inLease =
      this.config.checkQuorum &&
      (this.role === 'leader' ||
        (this.leader !== null && this.nowMs - this.leaderContactMs < this.electionTimeoutMs()));
    if (m.term > this.term && inLease && !m.transfer) {
      this.count('in-lease');
      this.send(from, {
        type: 'raft-vote-response',
        term: this.term,
        granted: false,
        preVote: m.preVote,
      });
      return;
    }
    if (m.preVote) {
      const granted = m.term > this.term && this.lastLogUpToDate(m.lastIndex, m.lastTerm);
      this.send(from, {
        type: 'raft-vote-response',
        term: granted ? m.term : this.term,
        granted,
        preVote: true,
      });
      return;
    }
    if (m.term > this.term) this.becomeFollower(m.term, null, 'higher-term');
    if (m.term < this.term) {
      this.count('stale-term');
      this.send(from, {
        type: 'raft-vote-response',
        term: this.term,
        granted: false,
        preVote: false,
      });
      return;
    }
    const canVote = this.votedFor === from || (this.votedFor === null && this.leader === null);
    const granted = canVote && this.lastLogUpToDate(m.lastIndex, m.lastTerm);
    if (granted) {
      this.votedFor = from;
      this.resetElectionTimer();
      this.persistHard();
    }
    this.send(from, { type: 'raft-vote-response', term: this.term, granted, preVote: false });
  }

  private onPreVoteResponse(from: AgentId, m: RaftVoteResponseMessage): void {
    if (m.term > this.term && !m.granted) {
      this.becomeFollower(m.term, null, 'higher-term');
      return;
    }
    if (this.role !== 'pre-candidate' || !isVoter(this.members, from)) return;
    // A grant names the term asked for; a refusal names the voter's own (at most ours).
    if (m.granted && m.term !== this.term + 1) return;
    if (!m.granted && m.term !== this.term) return;
    this.votes.set(from, m.granted);
    this.tallyWon();
  }

  private onVoteResponse(from: AgentId, m: RaftVoteResponseMessage): void {
    if (this.role !== 'candidate' || !isVoter(this.members, from)) return;
    this.votes.set(from, m.granted);
    this.tallyWon();
  }

  private onTimeoutNow(): void {
    if (this.role === 'leader') return;
    this.startElection('transfer');
  }

  private becomeFollower(
    term: number,
    leader: AgentId | null,
    reason: StepDownReason | null,
  ): void {
    const wasLeader = this.role === 'leader';
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
      this.persistHard();
    }
    this.role = 'follower';
    this.followLeader(leader);
    if (leader !== null) this.leaderContactMs = this.nowMs;
    this.votes.clear();
    if (wasLeader) {
      this.emit({ type: 'raft-step-down', term: this.term, reason: reason ?? 'higher-term' });
      this.leaveLeadership();
    }
    this.resetElectionTimer();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.selfId;
    this.progress.clear();
    for (const id of [...this.members.voters, ...this.members.learners]) {
      if (id !== this.selfId)
        this.progress.set(id, new Progress(id, this.log.lastIndex(), this.nowMs));
    }
    this.committedInTerm = false;
    this.transferee = null;
    this.forwardsAppended.clear();
    this.checkQuorumDueMs = this.nowMs + this.electionTimeoutMs();
    this.quorumGraced = false;
    this.emit({ type: 'raft-leader', term: this.term, leader: this.selfId });
    // A noop of its own term lets it commit (and learn the commit index) at once (5.4.2); a
    // membership change waits until it is committed (the one-server-change fix, thesis 4.1).
    this.appendLocal('noop', '');
    this.pendingConfigIndex = this.log.lastIndex();
    this.broadcastAppend();
    this.maybeCommit();
  }

  /** Fails what waited on the leadership this node just lost. */
  private leaveLeadership(): void {
    for (const read of this.reads.takeAll())
      this.finishRead(read.id, read.from, { ok: false, reason: 'no-leader' });
    this.progress.clear();
    this.forwardsAppended.clear();
    this.transferee = null;
  }

  private resetElectionTimer(): void {
    const min = this.electionTimeoutMs();
    this.electionGraced = false;
    this.electionDeadlineMs = this.nowMs + min + this.prng.nextInt(min);
  }

  // ---- proposals -----------------------------------------------------------------------

  private onPropose(id: number, data: string): void {
    const refusal = this.proposalRefusal(data);
    if (refusal === null && this.role === 'leader') {
      this.result(id, { ok: true, index: this.appendAndReplicate('data', data), term: this.term });
      return;
    }
    if (refusal === 'no-leader' && this.leader !== null) {
      // A follower forwards to the leader it follows; the leader says where the entry went.
      if (this.forwardedProposals.size >= this.config.maxForwardedProposals) {
        this.result(id, { ok: false, reason: 'overloaded' });
        return;
      }
      const forwardId = this.nextForwardId++;
      this.forwardedProposals.set(forwardId, { id, sentMs: this.nowMs });
      this.send(this.leader, { type: 'raft-propose', id: forwardId, data });
      return;
    }
    this.result(id, { ok: false, reason: refusal ?? 'no-leader' });
  }

  /** Why this node cannot append `data` now, or null; 'no-leader' on a follower. */
  private proposalRefusal(data: string): RaftProposalRefusal | null {
    const bytes = utf8Length(data);
    if (bytes < 0 || bytes > RAFT_MAX_ENTRY_BYTES) return 'too-large';
    if (this.role !== 'leader') return 'no-leader';
    if (this.transferee !== null) return 'transferring';
    if (this.log.lastIndex() - this.commitIndex >= this.config.maxUncommittedEntries)
      return 'overloaded';
    if (this.log.length >= this.config.maxLogEntries) return 'overloaded';
    return null;
  }

  private onForwardedProposal(from: AgentId, id: number, data: string): void {
    if (!isMember(this.members, from)) {
      this.count('not-a-member');
      return;
    }
    const appended = this.forwardsAppended.get(from)?.get(id);
    if (appended !== undefined) {
      this.count('duplicate-forward');
      this.send(from, {
        type: 'raft-propose-response',
        id,
        ok: true,
        index: appended,
        term: this.term,
        reason: '',
      });
      return;
    }
    const refusal = this.proposalRefusal(data);
    if (refusal !== null) {
      this.send(from, {
        type: 'raft-propose-response',
        id,
        ok: false,
        index: 0,
        term: this.term,
        reason: refusal,
      });
      return;
    }
    const index = this.appendAndReplicate('data', data);
    this.rememberForward(from, id, index);
    this.send(from, {
      type: 'raft-propose-response',
      id,
      ok: true,
      index,
      term: this.term,
      reason: '',
    });
  }

  /** Keeps the newest maxForwardedProposals forwards per follower (a follower has no more out). */
  private rememberForward(from: AgentId, id: number, index: number): void {
    let taken = this.forwardsAppended.get(from);
    if (taken === undefined) {
      taken = new Map();
      this.forwardsAppended.set(from, taken);
    }
    taken.set(id, index);
    if (taken.size > this.config.maxForwardedProposals)
      taken.delete(taken.keys().next().value as number);
  }

  private onProposeResponse(forwardId: number, result: ProposalResult): void {
    const forwarded = this.forwardedProposals.get(forwardId);
    if (forwarded === undefined) return;
    this.forwardedProposals.delete(forwardId);
    this.result(forwarded.id, result);
  }

  private onChangeMembers(id: number, change: RaftMemberChange): void {
    if (this.role !== 'leader') {
      this.result(id, { ok: false, reason: 'no-leader' });
      return;
    }
    const refuse = (detail: string): void =>
      this.result(id, { ok: false, reason: 'change-refused', detail });
    if (this.pendingConfigIndex > this.commitIndex) return refuse('a change is in progress');
    if (this.transferee !== null) return refuse('a leadership transfer is in progress');
    if (change.action === 'promote') {
      const p = this.progress.get(change.member);
      if (p === undefined || p.matchIndex + this.config.promoteLagEntries < this.log.lastIndex()) {
        return refuse('the learner has not caught up');
      }
    }
    const next = applyChange(this.members, change, RAFT_MAX_MEMBERS);
    if (typeof next === 'string') return refuse(next);
    this.pendingConfigIndex = this.appendAndReplicate('config', encodeMembers(next));
    this.result(id, { ok: true, index: this.pendingConfigIndex, term: this.term });
  }

  private onTransferLeadership(to: AgentId, leaving: boolean): void {
    if (this.role !== 'leader' || to === this.selfId || !isVoter(this.members, to)) return;
    const p = this.progress.get(to);
    if (p === undefined) return;
    this.transferee = to;
    this.transferDeadlineMs = this.nowMs + this.config.electionTimeoutMinMs;
    this.emit({ type: 'raft-transfer', to, outcome: 'started' });
    if (p.matchIndex === this.log.lastIndex()) {
      this.send(to, { type: 'raft-timeout-now', term: this.term });
    } else if (leaving) {
      // No time to catch it up: it campaigns with the log it has, and wins if that is as up to
      // date as a majority's (under load the followers differ by the appends in flight).
      this.send(to, { type: 'raft-timeout-now', term: this.term });
    } else {
      this.sendAppend(p);
    }
  }

  /** Appends an entry, sends it on, and commits at once when this leader is the only voter. */
  private appendAndReplicate(kind: RaftEntry['kind'], data: string): number {
    this.appendLocal(kind, data);
    const index = this.log.lastIndex();
    this.broadcastAppend();
    this.maybeCommit();
    return index;
  }

  /** Appends an entry of this leader's term to its own log (stored before any send after it). */
  private appendLocal(kind: RaftEntry['kind'], data: string): void {
    const entry: RaftEntry = { index: this.log.lastIndex() + 1, term: this.term, kind, data };
    this.log.append([entry]);
    this.out.push({
      kind: 'persist',
      hard: null,
      truncateFrom: null,
      entries: [entry],
      snapshot: null,
    });
    if (kind === 'config') this.membersChanged();
  }

  // ---- reads (thesis 6.4) --------------------------------------------------------------

  private onRead(id: number): void {
    if (this.role === 'leader') {
      this.leaderRead(id, null);
      return;
    }
    if (this.leader === null || this.forwardedReads.size >= this.config.maxPendingReads) {
      this.finishRead(id, null, {
        ok: false,
        reason: this.leader === null ? 'no-leader' : 'overloaded',
      });
      return;
    }
    const forwardId = this.nextForwardId++;
    this.forwardedReads.set(forwardId, { id, sentMs: this.nowMs });
    this.send(this.leader, { type: 'raft-read-index', id: forwardId });
  }

  private onReadIndexRequest(from: AgentId, id: number): void {
    if (this.role !== 'leader' || !isMember(this.members, from)) {
      this.count(this.role !== 'leader' ? 'not-leader' : 'not-a-member');
      this.send(from, { type: 'raft-read-index-response', id, ok: false, index: 0 });
      return;
    }
    this.leaderRead(id, from);
  }

  private onReadIndexResponse(forwardId: number, ok: boolean, index: number): void {
    const forwarded = this.forwardedReads.get(forwardId);
    if (forwarded === undefined) return;
    this.forwardedReads.delete(forwardId);
    this.finishRead(
      forwarded.id,
      null,
      ok ? { ok: true, index } : { ok: false, reason: 'no-leader' },
    );
  }

  private leaderRead(id: number, from: AgentId | null): void {
    if (this.reads.full()) {
      this.finishRead(id, from, { ok: false, reason: 'overloaded' });
      return;
    }
    if (!this.committedInTerm) {
      this.reads.defer(id, from);
      return;
    }
    this.reads.add({ id, from, index: this.commitIndex, round: this.round + 1 });
    this.roundWanted = true;
  }

  private finishRead(
    id: number,
    from: AgentId | null,
    result: { ok: true; index: number } | { ok: false; reason: 'no-leader' | 'overloaded' },
  ): void {
    if (from === null) this.out.push({ kind: 'read', id, result });
    else
      this.send(from, {
        type: 'raft-read-index-response',
        id,
        ok: result.ok,
        index: result.ok ? result.index : 0,
      });
  }

  /** Serves the reads whose round a majority acknowledged. */
  private confirmReads(): void {
    const acked = this.members.voters.map((voter) =>
      voter === this.selfId ? this.round : (this.progress.get(voter)?.ackedRound ?? 0),
    );
    acked.sort((a, b) => b - a);
    const confirmed = acked[Math.floor(acked.length / 2)] ?? 0;
    for (const read of this.reads.takeConfirmed(confirmed))
      this.finishRead(read.id, read.from, { ok: true, index: read.index });
  }

  // ---- replication: the leader's side --------------------------------------------------

  private broadcastHeartbeat(): void {
    this.roundWanted = false;
    this.round++;
    this.heartbeatDueMs = this.nowMs + this.config.heartbeatMs;
    for (const p of this.progress.values()) {
      if (
        p.state === 'replicate' &&
        p.inflight.length > 0 &&
        this.nowMs - p.oldestInflightSentMs >= 2 * this.config.heartbeatMs
      ) {
        // Unanswered for two heartbeats: assume the appends lost and probe again.
        p.becomeProbe();
      }
      if (p.state === 'probe') p.probeSent = false;
      if (p.state === 'snapshot') this.sendSnapshotChunk(p);
      else if (!this.sendAppend(p)) this.sendHeartbeat(p);
    }
    if (this.members.voters.length === 1) this.confirmReads();
  }

  private broadcastAppend(): void {
    for (const p of this.progress.values()) this.sendAppend(p);
  }

  /**
   * Tells followers with nothing more to receive of the new commit index at once, as etcd-raft
   * does, rather than at the next heartbeat: their reads and forwarded writes finish a
   * heartbeat sooner. The others learn it from the append they are sent next.
   */
  private notifyCommit(): void {
    for (const p of this.progress.values()) {
      if (p.state === 'replicate' && p.nextIndex > this.log.lastIndex()) this.sendHeartbeat(p);
    }
  }

  /** An empty append at the follower's known match: always consistent, carries the round. */
  private sendHeartbeat(p: Progress): void {
    const prevIndex = Math.max(p.matchIndex, this.log.snapshotIndex);
    this.send(p.peer, {
      type: 'raft-append',
      term: this.term,
      prevIndex,
      prevTerm: this.log.term(prevIndex),
      entries: [],
      commit: this.commitIndex,
      round: this.round,
    });
  }

  /** Sends the next append flow control allows; false when none went. */
  private sendAppend(p: Progress): boolean {
    if (!p.canSend(this.config.maxInflightAppends)) return false;
    const prevIndex = p.nextIndex - 1;
    if (prevIndex < this.log.snapshotIndex) {
      if (this.snapshot === null) return false;
      p.becomeSnapshot(this.snapshot.index);
      this.stats.snapshotsSent++;
      this.sendSnapshotChunk(p);
      return true;
    }
    const entries = this.log.slice(
      p.nextIndex,
      this.config.maxEntriesPerAppend,
      this.config.maxAppendBytes,
    );
    if (entries.length === 0 && p.state === 'replicate') return false;
    this.send(p.peer, {
      type: 'raft-append',
      term: this.term,
      prevIndex,
      prevTerm: this.log.term(prevIndex),
      entries,
      commit: this.commitIndex,
      round: this.round,
    });
    if (p.state === 'probe') p.probeSent = true;
    else {
      p.sent(prevIndex + entries.length, this.nowMs);
      // Keep streaming while the window has room.
      if (p.nextIndex <= this.log.lastIndex()) this.sendAppend(p);
    }
    return true;
  }

  private onAppendResponse(from: AgentId, m: RaftAppendResponseMessage): void {
    if (this.role !== 'leader') return;
    const p = this.progress.get(from);
    if (p === undefined) {
      this.count('not-a-member');
      return;
    }
    this.heardFromFollower(p);
    if (m.round > p.ackedRound) {
      p.ackedRound = m.round;
      this.confirmReads();
    }
    if (m.success) {
      if (m.matchIndex > this.log.lastIndex()) {
        // Acknowledges entries this leader never sent: a faulty or confused peer.
        this.count('bad-match');
        return;
      }
      p.lastAckMs = this.nowMs;
      const gained = p.acknowledge(m.matchIndex);
      if (p.state === 'probe' && (gained || p.matchIndex + 1 === p.nextIndex)) p.becomeReplicate();
      if (gained) this.maybeCommit();
      if (this.role !== 'leader') return;
      if (this.transferee === from && p.matchIndex === this.log.lastIndex()) {
        this.send(from, { type: 'raft-timeout-now', term: this.term });
      }
      this.sendAppend(p);
      return;
    }
    if (m.rejectedIndex < p.matchIndex || p.state === 'snapshot') return; // stale
    if (m.rejectedIndex === p.matchIndex) {
      // It no longer holds what it acknowledged: its storage was lost. Repair it from scratch
      // (README.md, "Durability": such a node should come back under a new id).
      this.count('lost-storage');
      p.matchIndex = Math.min(p.matchIndex, m.hintIndex - 1);
    }
    // Fast backtracking: skip the follower's whole conflicting term at once.
    let next = m.hintIndex;
    if (m.hintTerm > 0) {
      const mine = this.log.lastIndexOfTerm(m.hintTerm);
      if (mine > 0) next = mine + 1;
    }
    p.becomeProbe();
    p.nextIndex = Math.max(p.matchIndex + 1, Math.min(next, m.rejectedIndex));
    this.sendAppend(p);
  }

  private maybeCommit(): void {
    const matchOf = (id: AgentId): number =>
      id === this.selfId ? this.log.lastIndex() : (this.progress.get(id)?.matchIndex ?? 0);
    const index = quorumMatchIndex(this.members, matchOf);
    // Only an entry of its own term is committed by counting (5.4.2); earlier ones follow it.
    if (index <= this.commitIndex || this.log.term(index) !== this.term) return;
    this.advanceCommit(index);
    this.notifyCommit();
    if (!this.committedInTerm) {
      this.committedInTerm = true;
      for (const read of this.reads.takeDeferred()) this.leaderRead(read.id, read.from);
    }
    if (!isVoter(this.members, this.selfId) && this.membersIndex <= this.commitIndex) {
      // A leader removed by a committed change steps down (thesis 4.2.2).
      this.becomeFollower(this.term, null, 'removed');
    }
  }

  // ---- replication: the follower's side ------------------------------------------------

  private appendReply(
    success: boolean,
    matchIndex: number,
    rejectedIndex: number,
    hintIndex: number,
    hintTerm: number,
    round: number,
  ): RaftAppendResponseMessage {
    return {
      type: 'raft-append-response',
      term: this.term,
      success,
      matchIndex,
      rejectedIndex,
      hintIndex,
      hintTerm,
      round,
    };
  }

  /** A follower learning who leads its term says so (its timeline, and a transfer's caller). */
  private followLeader(leader: AgentId | null): void {
    const changed = leader !== null && leader !== this.leader;
    this.leader = leader;
    if (changed) this.emit({ type: 'raft-leader', term: this.term, leader });
  }

  private heardFromLeader(from: AgentId): void {
    if (this.leader === from) this.gaps.record(this.nowMs - this.leaderContactMs, this.nowMs);
    if (this.role !== 'follower') this.role = 'follower';
    this.followLeader(from);
    this.leaderContactMs = this.nowMs;
    this.resetElectionTimer();
  }

  private heardFromFollower(p: Progress): void {
    p.active = true;
    this.gaps.record(this.nowMs - p.heardMs, this.nowMs);
    p.heardMs = this.nowMs;
  }

  private onAppend(from: AgentId, m: RaftAppendMessage): void {
    if (this.role === 'leader') return; // two leaders of one term cannot be: ignore
    this.heardFromLeader(from);
    let prevIndex = m.prevIndex;
    let entries = m.entries;
    // Entries at or below our commit index are committed, so they match: skip them.
    if (prevIndex < this.commitIndex) {
      const skip = Math.min(entries.length, this.commitIndex - prevIndex);
      entries = entries.slice(skip);
      prevIndex += skip;
      if (prevIndex < this.commitIndex) {
        this.send(from, this.appendReply(true, this.commitIndex, 0, 0, 0, m.round));
        return;
      }
    }
    const prevTerm =
      prevIndex === m.prevIndex
        ? m.prevTerm
        : (m.entries[prevIndex - m.prevIndex - 1] as RaftEntry).term;
    // An index past the log is never held (its term reads -1, which must not match a -1 sent).
    if (prevIndex > this.log.lastIndex() || this.log.term(prevIndex) !== prevTerm) {
      let hintIndex: number;
      let hintTerm = 0;
      if (prevIndex > this.log.lastIndex()) hintIndex = this.log.lastIndex() + 1;
      else {
        hintTerm = this.log.term(prevIndex);
        hintIndex = this.log.firstIndexOfTerm(prevIndex, this.commitIndex);
      }
      this.send(from, this.appendReply(false, 0, prevIndex, hintIndex, hintTerm, m.round));
      return;
    }
    // Find where the entries first differ from ours; keep what agrees (a late duplicate append
    // must not cut entries that arrived after it).
    let first = 0;
    while (
      first < entries.length &&
      this.log.term((entries[first] as RaftEntry).index) === (entries[first] as RaftEntry).term
    )
      first++;
    const fresh = entries.slice(first);
    let truncateFrom: number | null = null;
    if (fresh.length > 0) {
      const at = (fresh[0] as RaftEntry).index;
      if (at <= this.log.lastIndex()) {
        if (at <= this.commitIndex) {
          this.count('conflicts-with-commit');
          return;
        }
        truncateFrom = at;
        this.log.truncateFrom(at);
      }
      this.log.append(fresh);
      this.out.push({ kind: 'persist', hard: null, truncateFrom, entries: fresh, snapshot: null });
      if (truncateFrom !== null || fresh.some((e) => e.kind === 'config')) this.membersChanged();
    }
    const lastNew = prevIndex + entries.length;
    const commit = Math.min(m.commit, lastNew);
    if (commit > this.commitIndex) this.advanceCommit(commit);
    this.send(from, this.appendReply(true, lastNew, 0, 0, 0, m.round));
  }

  // ---- commit, apply, snapshots --------------------------------------------------------

  private advanceCommit(index: number): void {
    this.commitIndex = index;
    this.persistHard();
    const entries = this.log.slice(this.appliedIndex + 1, index - this.appliedIndex);
    this.appliedIndex = index;
    this.out.push({ kind: 'apply', entries });
    if (this.pendingConfigIndex <= index) this.pendingConfigIndex = 0;
    const since = Math.max(this.snapshotAskedAt, this.log.snapshotIndex);
    if (this.appliedIndex - since >= this.config.snapshotEveryEntries) {
      this.snapshotAskedAt = this.appliedIndex;
      this.out.push({ kind: 'snapshotWanted', index: this.appliedIndex });
    }
  }

  private onSnapshotTaken(index: number, data: string): void {
    if (index <= this.log.snapshotIndex || index > this.appliedIndex) return;
    if (data.length > RAFT_MAX_SNAPSHOT_CHARS) return;
    const snapshot: RaftStoredSnapshot = {
      index,
      term: this.log.term(index),
      members: this.configAt(index).members,
      data,
    };
    this.snapshot = snapshot;
    this.log.compactTo(index);
    this.out.push({ kind: 'persist', hard: null, truncateFrom: null, entries: [], snapshot });
  }

  /**
   * The membership in force at `index` and the index of the config entry that set it: the
   * newest valid config entry at or below it, else the snapshot's, else the initial voters.
   */
  private configAt(index: number): { members: RaftMembers; index: number } {
    for (let i = Math.min(index, this.log.lastIndex()); i > this.log.snapshotIndex; i--) {
      const entry = this.log.entry(i) as RaftEntry;
      if (entry.kind !== 'config') continue;
      const members = decodeMembers(entry.data);
      if (members !== null) return { members, index: i };
    }
    return {
      members: this.snapshot?.members ?? canonicalMembers(this.config.initialVoters, []),
      index: this.log.snapshotIndex,
    };
  }

  private sendSnapshotChunk(p: Progress): void {
    const snapshot = this.snapshot;
    if (snapshot === null) return;
    if (p.snapshotIndex !== snapshot.index) p.becomeSnapshot(snapshot.index);
    const data = snapshotChunk(snapshot.data, p.snapshotOffset, this.config.snapshotChunkChars);
    this.send(p.peer, {
      type: 'raft-snapshot',
      term: this.term,
      index: snapshot.index,
      snapshotTerm: snapshot.term,
      members: snapshot.members,
      offset: p.snapshotOffset,
      data,
      done: p.snapshotOffset + data.length >= snapshot.data.length,
    });
  }

  private onSnapshotResponse(from: AgentId, m: RaftSnapshotResponseMessage): void {
    if (this.role !== 'leader') return;
    const p = this.progress.get(from);
    if (p === undefined || p.state !== 'snapshot' || m.index !== p.snapshotIndex) return;
    this.heardFromFollower(p);
    if (m.installed) {
      p.acknowledge(m.index);
      p.becomeProbe();
      this.maybeCommit();
      if (this.role === 'leader') this.sendAppend(p);
      return;
    }
    if (m.nextOffset === p.snapshotOffset) return; // a duplicate reply
    p.snapshotOffset = m.nextOffset;
    this.sendSnapshotChunk(p);
  }

  private onInstallSnapshot(from: AgentId, m: RaftSnapshotMessage): void {
    if (this.role === 'leader') return;
    this.heardFromLeader(from);
    const reply = (nextOffset: number, installed: boolean): void =>
      this.send(from, {
        type: 'raft-snapshot-response',
        term: this.term,
        index: m.index,
        nextOffset,
        installed,
      });
    if (m.index <= this.commitIndex) {
      reply(0, true); // everything it covers is committed here already
      return;
    }
    const taken = this.assembly.accept(from, m);
    if (taken.kind !== 'complete') {
      if (taken.kind === 'too-large') this.count('snapshot-too-large');
      if (taken.kind === 'out-of-order') this.count('snapshot-out-of-order');
      reply(this.assembly.nextOffset(from, m.index), false);
      return;
    }
    const snapshot = taken.snapshot;
    // Keep the log after the snapshot when it agrees at its boundary (thesis 5.1.2).
    if (this.log.term(snapshot.index) === snapshot.term) this.log.compactTo(snapshot.index);
    else this.log.resetTo(snapshot.index, snapshot.term);
    this.snapshot = snapshot;
    this.commitIndex = snapshot.index;
    this.appliedIndex = snapshot.index;
    this.stats.snapshotsInstalled++;
    this.persistHard();
    this.out.push({ kind: 'persist', hard: null, truncateFrom: null, entries: [], snapshot });
    this.out.push({ kind: 'restore', snapshot });
    this.emit({ type: 'raft-snapshot-installed', index: snapshot.index, from });
    this.membersChanged();
    reply(snapshot.data.length, true);
  }

  // ---- membership ----------------------------------------------------------------------

  /** Recomputes the membership from the newest config entry (in force once appended, 4.1). */
  private membersChanged(): void {
    const { members, index } = this.configAt(this.log.lastIndex());
    const same = encodeMembers(members) === encodeMembers(this.members);
    this.members = members;
    this.membersIndex = index;
    if (same) return;
    this.emit({ type: 'raft-members', index, members });
    if (this.role !== 'leader') return;
    for (const id of [...members.voters, ...members.learners]) {
      if (id !== this.selfId && !this.progress.has(id))
        this.progress.set(id, new Progress(id, this.log.lastIndex(), this.nowMs));
    }
    for (const id of [...this.progress.keys()])
      if (!isMember(members, id)) this.progress.delete(id);
    if (this.transferee !== null && !isVoter(members, this.transferee)) this.transferee = null;
  }

  // ---- plumbing ------------------------------------------------------------------------

  private restore(state: RaftDurableState): void {
    this.term = state.hard.term;
    this.votedFor = state.hard.votedFor;
    if (state.snapshot !== null) {
      this.snapshot = state.snapshot;
      this.log.resetTo(state.snapshot.index, state.snapshot.term);
      this.appliedIndex = state.snapshot.index;
    }
    const entries = state.entries.filter((e) => e.index > this.log.snapshotIndex);
    this.log.append(entries);
    this.commitIndex = Math.min(
      Math.max(state.hard.commitIndex, this.appliedIndex),
      this.log.lastIndex(),
    );
    this.membersChanged();
    // The host restores its state machine from the snapshot; the entries after it up to the
    // stored commit index are applied again by the first step.
    if (this.commitIndex > this.appliedIndex) {
      const target = this.commitIndex;
      this.commitIndex = this.appliedIndex;
      this.restoredCommit = target;
    }
  }

  /** A commit index read back from storage, applied by the first step. */
  private restoredCommit = 0;

  /** Effects a restarted node owes before anything else: applying its stored committed log. */
  replayRestored(): RaftEffect[] {
    this.out = [];
    if (this.restoredCommit > this.commitIndex) this.advanceCommit(this.restoredCommit);
    this.restoredCommit = 0;
    const out = this.out;
    this.out = [];
    return out;
  }

  private persistHard(): void {
    this.out.push({
      kind: 'persist',
      hard: { term: this.term, votedFor: this.votedFor, commitIndex: this.commitIndex },
      truncateFrom: null,
      entries: [],
      snapshot: null,
    });
  }

  private send(to: AgentId, msg: RaftMessage): void {
    this.stats.sent++;
    this.out.push({ kind: 'send', to, msg });
  }

  private result(id: number, result: ProposalResult): void {
    this.out.push({ kind: 'proposal', id, result });
  }

  private emit(event: RaftEvent): void {
    this.out.push({ kind: 'event', event });
  }

  private count(reason: RaftRejection): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }
}
