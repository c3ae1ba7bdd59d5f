import {
  HEALTH_COLOURS,
  OTHER_PULSE_COLOUR,
  PULSE_COLOURS,
  SELF_COLOUR,
  type NodeHealth,
} from '../charts/palette';
import { membershipKnown } from '../store/selectors';
import { useMeshStore } from '../store/useMeshStore';

function Dot({ colour, hollow = false }: { colour: string; hollow?: boolean }) {
  return (
    <span
      className={`legend-dot${hollow ? ' legend-dot--hollow' : ''}`}
      style={hollow ? { borderColor: colour } : { background: colour }}
    />
  );
}

const HEALTH_ITEMS: { health: NodeHealth; label: string }[] = [
  { health: 'alive', label: 'alive' },
  { health: 'suspect', label: 'suspect' },
  { health: 'dead', label: 'dead' },
  { health: 'unknown', label: 'not a member yet' },
];

/** Node colours before membership reports: the state of this agent's own link. */
const LINK_STATE_ITEMS = [
  { modifier: 'open', label: 'open' },
  { modifier: 'pending', label: 'connecting' },
  { modifier: 'remote', label: 'via neighbours' },
];

const LINE_ITEMS = [
  { modifier: 'self', label: 'own link' },
  { modifier: 'peer', label: 'advertised' },
  { modifier: 'cut', label: 'cut' },
];

const PULSE_TITLE = `pBFT messages: ${Object.keys(PULSE_COLOURS).join(', ')}, other`;

/** The pBFT marks, shown while the agent runs pBFT. */
function ConsensusItems() {
  return (
    <>
      <li>
        <span className="primary-mark legend-primary">P</span> primary
      </li>
      <li>
        <span className="legend-flagged" /> flagged
      </li>
      <li title={PULSE_TITLE}>
        <span className="legend-pulses">
          {[...Object.values(PULSE_COLOURS), OTHER_PULSE_COLOUR].map((colour) => (
            <Dot key={colour} colour={colour} />
          ))}
        </span>{' '}
        pBFT messages
      </li>
    </>
  );
}

/** The Raft leader's star, shown while the agent runs the Raft ledger. */
function RaftItems() {
  return (
    <li title="The Raft leader: the mesh's coordinator">
      <span className="leader-mark legend-leader" aria-hidden="true">
        ★
      </span>{' '}
      Raft leader
    </li>
  );
}

/** Explains the colours and line styles of the topology graph. */
export function TopologyLegend() {
  const byHealth = useMeshStore((s) => s.snapshot !== null && membershipKnown(s.snapshot));
  const pbft = useMeshStore((s) => s.snapshot !== null && s.snapshot.consensus !== null);
  const raft = useMeshStore((s) => s.snapshot !== null && s.snapshot.ledger !== null);
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="legend-dot legend-dot--self" style={{ background: SELF_COLOUR }} /> you
      </li>
      {byHealth
        ? HEALTH_ITEMS.map(({ health, label }) => (
            <li key={health}>
              {health === 'suspect' ? (
                <span className="legend-suspect" />
              ) : (
                <Dot colour={HEALTH_COLOURS[health]} hollow={health === 'unknown'} />
              )}{' '}
              {label}
            </li>
          ))
        : LINK_STATE_ITEMS.map(({ modifier, label }) => (
            <li key={modifier}>
              <span className={`legend-dot legend-dot--${modifier}`} /> {label}
            </li>
          ))}
      {LINE_ITEMS.map(({ modifier, label }) => (
        <li key={modifier}>
          <span className={`legend-line legend-line--${modifier}`} /> {label}
        </li>
      ))}
      {pbft && <ConsensusItems />}
      {raft && <RaftItems />}
    </ul>
  );
}
