import { HEALTH_COLOURS, SELF_COLOUR, type NodeHealth } from '../charts/palette';
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

/** Explains the colours and line styles of the topology graph. */
export function TopologyLegend() {
  const byHealth = useMeshStore((s) => s.snapshot !== null && membershipKnown(s.snapshot));
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="legend-dot legend-dot--self" style={{ background: SELF_COLOUR }} /> you
      </li>
      {byHealth ? (
        HEALTH_ITEMS.map(({ health, label }) => (
          <li key={health}>
            {health === 'suspect' ? (
              <span className="legend-suspect" />
            ) : (
              <Dot colour={HEALTH_COLOURS[health]} hollow={health === 'unknown'} />
            )}{' '}
            {label}
          </li>
        ))
      ) : (
        <>
          <li>
            <span className="legend-dot legend-dot--open" /> open
          </li>
          <li>
            <span className="legend-dot legend-dot--pending" /> connecting
          </li>
          <li>
            <span className="legend-dot legend-dot--remote" /> via neighbours
          </li>
        </>
      )}
      <li>
        <span className="legend-line legend-line--self" /> own link
      </li>
      <li>
        <span className="legend-line legend-line--peer" /> advertised
      </li>
      <li>
        <span className="legend-line legend-line--cut" /> cut
      </li>
    </ul>
  );
}
