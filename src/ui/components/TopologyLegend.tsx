/** Explains the colours and line styles of the topology graph. */
export function TopologyLegend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="legend-dot legend-dot--self" /> you
      </li>
      <li>
        <span className="legend-dot legend-dot--open" /> open
      </li>
      <li>
        <span className="legend-dot legend-dot--pending" /> connecting
      </li>
      <li>
        <span className="legend-dot legend-dot--remote" /> via neighbours
      </li>
      <li>
        <span className="legend-line legend-line--self" /> own link
      </li>
      <li>
        <span className="legend-line legend-line--peer" /> advertised link
      </li>
    </ul>
  );
}
