import { shortId } from '../../core/base/ids';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import type { BehaviourControl } from '../store/chaosControls';

/**
 * What each behaviour sends (core/pbft/README.md). A Record, so a behaviour added to the wire
 * list fails the typecheck here until it has an option (the UI may not import the list itself).
 */
const BEHAVIOUR_HINT: Record<ByzantineBehaviour, string> = {
  honest: 'what the replica produced',
  equivocate: 'as primary: half the backups get the batch, the other half another batch',
  'wrong-digest': 'pre-prepares, prepares, commits and checkpoints with random digests',
  silent: 'nothing but replies to clients',
  replay: 'each message plus a random earlier one',
  'conflicting-votes':
    'prepares and commits: the true digest to half the replicas, another to half',
  'forge-view-change': 'view changes that hide what it prepared, and one for a view far ahead',
  'lie-results': 'honest in pBFT; every task result it computes is forged (critical jobs catch it)',
};

const BEHAVIOURS = Object.keys(BEHAVIOUR_HINT) as ByzantineBehaviour[];

function isBehaviour(value: string): value is ByzantineBehaviour {
  return (BEHAVIOURS as string[]).includes(value);
}

/** One member's behaviour (pBFT's, or forged task results): shows the one in force, and sends a change at once. */
export function BehaviourSelect({ control }: { control: BehaviourControl }) {
  const { agent, current } = control;
  return (
    <li data-self={control.self ? 'true' : undefined}>
      {/* A disabled select gets no hover events in most browsers: the tooltip sits on the label. */}
      <label className="field" title={control.title}>
        <span className="mono">{shortId(agent)}</span>
        <select
          data-testid={`behaviour-select-${agent}`}
          data-behaviour={current}
          disabled={!control.enabled}
          value={current}
          onChange={(event) => {
            if (isBehaviour(event.target.value)) control.choose(event.target.value);
          }}
        >
          {BEHAVIOURS.map((behaviour) => (
            <option key={behaviour} value={behaviour} title={BEHAVIOUR_HINT[behaviour]}>
              {behaviour}
            </option>
          ))}
        </select>
      </label>
    </li>
  );
}
