import type { AgentId } from '../core/base/ids';
import type { PbftMessage } from '../core/wire/pbftMessages';
import { pbftSignatureChecks, pbftSigningPlan } from '../core/wire/pbftStatements';
import type { CryptoPort } from './ports';

/**
 * Signs the statements `self` owes in an outgoing pBFT message, one after another (a container's
 * bytes include the signatures inside it), then hands the signed copy on. The replica's own
 * objects are never touched.
 */
export function signPbftMessage(
  msg: PbftMessage,
  self: AgentId,
  crypto: CryptoPort,
  done: (signed: PbftMessage) => void,
): void {
  const { message, slots } = pbftSigningPlan(msg, self);
  let next = 0;
  const signNext = (): void => {
    const slot = slots[next++];
    if (slot === undefined) return done(message);
    crypto.sign(slot.bytes(), (sig) => {
      slot.assign(sig);
      signNext();
    });
  };
  signNext();
}

/**
 * Verifies every signature a received pBFT message carries; `done(true)` only when all hold.
 * Checks run one after another and stop at the first failure.
 */
export function verifyPbftMessage(
  msg: PbftMessage,
  crypto: CryptoPort,
  done: (valid: boolean) => void,
): void {
  const checks = pbftSignatureChecks(msg);
  let next = 0;
  const verifyNext = (): void => {
    const check = checks[next++];
    if (check === undefined) return done(true);
    crypto.verify(check.signer, check.sig, check.bytes, (valid) =>
      valid ? verifyNext() : done(false),
    );
  };
  verifyNext();
}
