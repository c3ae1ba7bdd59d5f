import type {
  PbftCheckpoint,
  PbftHeader,
  PbftPreparedProof,
  PbftViewChange,
} from '../wire/pbftMessages';
import type { ReplicaSet } from './replicaSet';

export { GENESIS_DIGEST } from './epochs';

/**
 * Checks of the certificates that travel (Castro-Liskov 4.3-4.4). Signatures were verified by
 * the host; these check who signed what: distinct replicas of the set, the right primary, and
 * matching contents. Each returns null when the certificate holds, else what is wrong.
 */

/**
 * A stable checkpoint's proof: a quorum of the set's matching checkpoints, or, for the
 * checkpoint the set's epoch starts from (genesis, or the state after the change that made
 * this set, certified by the set before), only its digest: every replica of the epoch holds it.
 */
export function checkCheckpointCertificate(
  set: ReplicaSet,
  seq: number,
  stateDigest: string,
  certificate: readonly PbftCheckpoint[],
): string | null {
  const { base } = set;
  // The base carries the old set's certificate (or none, at genesis): the digest is what counts.
  if (seq === base.seq) return stateDigest === base.stateDigest ? null : 'bad epoch base';
  if (seq < base.seq) return 'checkpoint before the epoch';
  const signers = new Set<string>();
  for (const c of certificate) {
    if (c.seq !== seq || c.stateDigest !== stateDigest) return 'checkpoint does not match';
    if (!set.has(c.replica)) return 'checkpoint from a non-replica';
    signers.add(c.replica);
  }
  return signers.size >= set.quorum ? null : `checkpoint certificate of ${signers.size}`;
}

export function checkHeader(set: ReplicaSet, header: PbftHeader): string | null {
  return header.replica === set.primaryOf(header.view) ? null : 'header not by the primary';
}

/** A prepared certificate: the view's primary header plus quorum - 1 backups' matching prepares. */
export function checkPreparedProof(set: ReplicaSet, proof: PbftPreparedProof): string | null {
  const { header } = proof;
  const wrongHeader = checkHeader(set, header);
  if (wrongHeader !== null) return wrongHeader;
  const voters = new Set<string>();
  for (const vote of proof.prepares) {
    if (vote.view !== header.view || vote.seq !== header.seq || vote.digest !== header.digest) {
      return 'prepare does not match its header';
    }
    if (!set.has(vote.replica) || vote.replica === header.replica)
      return 'prepare from a non-backup';
    voters.add(vote.replica);
  }
  return voters.size >= set.quorum - 1 ? null : `prepared proof of ${voters.size} prepares`;
}

/** A view change: from a replica, its checkpoint proven, its proofs between its watermarks. */
export function checkViewChange(
  set: ReplicaSet,
  vc: PbftViewChange,
  watermarkWindow: number,
): string | null {
  if (!set.has(vc.replica)) return 'view change from a non-replica';
  const wrongCheckpoint = checkCheckpointCertificate(
    set,
    vc.stableSeq,
    vc.stableDigest,
    vc.checkpoints,
  );
  if (wrongCheckpoint !== null) return wrongCheckpoint;
  const seqs = new Set<number>();
  for (const proof of vc.prepared) {
    const { seq, view } = proof.header;
    if (seq <= vc.stableSeq || seq > vc.stableSeq + watermarkWindow) return 'proof outside window';
    if (view >= vc.newView) return 'proof from a view not before the new one';
    if (seqs.has(seq)) return 'two proofs for one sequence number';
    seqs.add(seq);
    const wrongProof = checkPreparedProof(set, proof);
    if (wrongProof !== null) return wrongProof;
  }
  return null;
}

/** What a new view must re-propose, computed from a quorum of view changes. */
export interface NewViewPlan {
  /** The newest stable checkpoint among the view changes (min-s) and its proof. */
  stableSeq: number;
  stableDigest: string;
  checkpoints: PbftCheckpoint[];
  /** Per sequence number from stableSeq + 1 to max-s: the digest to re-propose. */
  digests: { seq: number; digest: string }[];
}

/**
 * Castro-Liskov 4.4: min-s is the newest stable checkpoint in the view changes, max-s the
 * highest prepared sequence number; each number in between gets the digest prepared in the
 * newest view, or the null batch where nothing was prepared.
 */
export function planNewView(
  viewChanges: readonly PbftViewChange[],
  nullDigest: string,
): NewViewPlan {
  let base = viewChanges[0] as PbftViewChange;
  for (const vc of viewChanges) if (vc.stableSeq > base.stableSeq) base = vc;
  const best = new Map<number, PbftHeader>();
  let maxSeq = base.stableSeq;
  for (const vc of viewChanges) {
    for (const { header } of vc.prepared) {
      if (header.seq <= base.stableSeq) continue;
      const held = best.get(header.seq);
      if (held === undefined || header.view > held.view) best.set(header.seq, header);
      if (header.seq > maxSeq) maxSeq = header.seq;
    }
  }
  const digests: { seq: number; digest: string }[] = [];
  for (let seq = base.stableSeq + 1; seq <= maxSeq; seq++) {
    digests.push({ seq, digest: best.get(seq)?.digest ?? nullDigest });
  }
  return {
    stableSeq: base.stableSeq,
    stableDigest: base.stableDigest,
    checkpoints: base.checkpoints,
    digests,
  };
}
