import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../../core/base/ids';
import type { DigestFn } from '../../core/pbft/types';

/** The digest port the replicas get in the simulator: the same SHA-256 the browser host uses. */
export const sha256Hex: DigestFn = (bytes) => bytesToHex(sha256(bytes));
