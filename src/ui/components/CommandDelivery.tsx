import { shortId } from '../../core/base/ids';
import type { ChaosView } from '../../host/meshSnapshot';

const KIND_LABEL: Record<NonNullable<ChaosView['lastCommand']>['kind'], string> = {
  partition: 'Partition',
  heal: 'Heal',
  freeze: 'Freeze',
  behaviour: 'Behaviour',
  'link-fault': 'Link fault',
  slow: 'Slowdown',
};

/**
 * Who applied the newest chaos command, from their signed acks: on the issuer's dashboard also
 * who has not yet (it keeps sending the command to them), or that it gave up on them.
 */
export function CommandDelivery({
  command,
  selfId,
}: {
  command: ChaosView['lastCommand'];
  selfId: string | null;
}) {
  if (command === null) return null;
  const by = command.issuer === selfId ? 'you' : shortId(command.issuer);
  const awaiting = command.awaiting;
  const status =
    awaiting === null
      ? 'heard'
      : awaiting.length === 0
        ? 'applied everywhere'
        : command.gaveUp
          ? 'gave up on some'
          : 'sending again';
  return (
    <section
      className="chaos-section"
      aria-label="Delivery of the last command"
      data-testid="chaos-delivery"
      data-command-id={command.id}
      data-kind={command.kind}
      data-applied={command.applied.length}
      data-awaiting={awaiting === null ? '' : awaiting.length}
      data-status={status}
    >
      <h3>
        {KIND_LABEL[command.kind]} by {by}: {status}
      </h3>
      <p className="chaos-hint">
        Applied by {command.applied.length}
        {awaiting === null ? '' : ` of ${command.applied.length + awaiting.length}`}:{' '}
        {command.applied.length === 0 ? (
          <span className="muted">nobody yet</span>
        ) : (
          command.applied.map((id) => (
            <span key={id} className="chip mono" data-testid="chaos-applied" data-agent-id={id}>
              {id === selfId ? 'you' : shortId(id)}
            </span>
          ))
        )}
      </p>
      {awaiting !== null && awaiting.length > 0 && (
        <p className="chaos-hint">
          {command.gaveUp ? 'Never answered: ' : 'Waiting for: '}
          {awaiting.map((id) => (
            <span
              key={id}
              className="chip chip--suspect mono"
              data-testid="chaos-awaiting"
              data-agent-id={id}
            >
              {shortId(id)}
            </span>
          ))}
        </p>
      )}
    </section>
  );
}
