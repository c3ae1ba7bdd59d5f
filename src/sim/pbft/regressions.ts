/**
 * Seeds that once failed, with what they found; each must stay safe and live. A seed names a
 * plan drawn by pbftFaults.ts, so a change to the plan generator re-rolls them: then find
 * each scenario again by its description and pin the new seed.
 */
export const PBFT_REGRESSION_SEEDS: { seed: number; found: string }[] = [
  {
    seed: 3,
    found: 'a retransmit timer left due while changing views: a tick loop at one instant',
  },
  { seed: 6, found: 'the null batch of a new view was fetched from peers that never store it' },
  {
    seed: 61,
    found: 'a client restarted without storage reused request numbers and got old replies',
  },
  {
    seed: 521,
    found: 'a replica that timed out alone ran through views the others could not follow',
  },
  {
    seed: 591,
    found: 'view changes for later views did not count toward the quorum that moves on',
  },
  { seed: 938, found: 'as 521, with a silent replica and a partition' },
  { seed: 74, found: 'as 591, n = 7 with a silent and a conflicting-votes replica' },
  {
    seed: 264,
    found: 'a replica a change removed, stuck changing views in the old epoch, never learnt of it',
  },
  {
    seed: 1191,
    found: 'an epoch ended at execution: two replicas that missed the change had one to vouch',
  },
  {
    seed: 309,
    found:
      'a closing replica that missed the checkpoints at the change asked only for later states',
  },
  { seed: 70, found: 'as 309, n = 5 with a spare added and a forged view change' },
  {
    seed: 501753,
    found: 'own votes re-sent only to replicas not heard from: one lost prepare held a slot',
  },
];
