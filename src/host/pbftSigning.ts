import type { AgentId } from '../core/base/ids';
import type { PbftMessage } from '../core/wire/pbftMessages';
import { pbftSignatureChecks, pbftSigningPlan } from '../core/wire/pbftStatements';
import type { CryptoPort } from './ports';

/**
 * Signatures already checked (or made here), so a request verified on its own costs nothing
 * again inside a pre-prepare. Keyed by signer and signature, holding the signed bytes, which a
 * hit must match byte for byte (a valid signature replayed over other bytes is no hit).
 * Bounded: the oldest entry goes first.
 */
export class VerifiedSignatures {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(private readonly capacity = 4096) {}

  has(signer: AgentId, sig: string, bytes: Uint8Array): boolean {
    const held = this.entries.get(signer + sig);
    if (held === undefined || held.length !== bytes.length) return false;
    for (let i = 0; i < bytes.length; i++) if (held[i] !== bytes[i]) return false;
    return true;
  }

  add(signer: AgentId, sig: string, bytes: Uint8Array): void {
    const key = signer + sig;
    this.entries.delete(key);
    this.entries.set(key, bytes);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}

/**
 * Signs the statements `self` owes in an outgoing pBFT message, one after another (a container's
 * bytes include the signatures inside it), then hands the signed copy on. The replica's own
 * objects are never touched. What it signs goes into `verified`, if given.
 */
export function signPbftMessage(
  msg: PbftMessage,
  self: AgentId,
  crypto: CryptoPort,
  done: (signed: PbftMessage) => void,
  verified?: VerifiedSignatures,
): void {
  const { message, slots } = pbftSigningPlan(msg, self);
  inTurn(
    slots.length,
    (i, next) => {
      const slot = slots[i] as (typeof slots)[number];
      const bytes = slot.bytes();
      crypto.sign(bytes, (sig) => {
        slot.assign(sig);
        verified?.add(self, sig, bytes);
        next();
      });
    },
    () => done(message),
  );
}

/**
 * Verifies every signature a received pBFT message carries; `done(true)` only when all hold.
 * Checks run one after another and stop at the first failure; ones in `verified` are skipped.
 */
export function verifyPbftMessage(
  msg: PbftMessage,
  crypto: CryptoPort,
  done: (valid: boolean) => void,
  verified?: VerifiedSignatures,
): void {
  const checks = pbftSignatureChecks(msg);
  inTurn(
    checks.length,
    (i, next, stop) => {
      const check = checks[i] as (typeof checks)[number];
      if (verified?.has(check.signer, check.sig, check.bytes)) return next();
      crypto.verify(check.signer, check.sig, check.bytes, (valid) => {
        if (!valid) return stop();
        verified?.add(check.signer, check.sig, check.bytes);
        next();
      });
    },
    (completed) => done(completed),
  );
}

/**
 * Runs `step` for 0..count-1 in turn, each calling `next` (or `stop`) at once or later; a loop,
 * not recursion, when they answer at once (a new view can carry thousands of signatures).
 */
function inTurn(
  count: number,
  step: (index: number, next: () => void, stop: () => void) => void,
  done: (completed: boolean) => void,
): void {
  let index = 0;
  const run = (): void => {
    while (index < count) {
      const current = index;
      let answered = false;
      let returned = false;
      let stopped = false;
      step(
        current,
        () => {
          answered = true;
          index = current + 1;
          if (returned) run();
        },
        () => {
          answered = true;
          stopped = true;
          if (returned) done(false);
        },
      );
      returned = true;
      if (stopped) return done(false);
      // Not answered yet: the answer's callback carries on from here.
      if (!answered) return;
    }
    done(true);
  };
  run();
}
