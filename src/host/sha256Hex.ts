import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../core/base/ids';
import type { DigestFn } from '../core/pbft/types';

/** The digest port pBFT replicas get from their host: hex SHA-256, synchronous (pure JS). */
export const sha256Hex: DigestFn = (bytes) => bytesToHex(sha256(bytes));
