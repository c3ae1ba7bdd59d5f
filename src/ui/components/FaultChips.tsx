import type { LinkFault } from '../../host/meshSnapshot';
import { describeFault } from './format';

/** A link's faults as chips ("cut", "drop 20%", "+150 ms"), plus frames dropped when given. */
export function FaultChips({ fault, dropped = 0 }: { fault: LinkFault; dropped?: number }) {
  return (
    <span className="chips">
      {describeFault(fault).map((part) => (
        <span key={part} className="chip chip--fault">
          {part}
        </span>
      ))}
      {dropped > 0 && (
        <span className="chip" title="frames dropped by the fault layer">
          {dropped} dropped
        </span>
      )}
    </span>
  );
}
