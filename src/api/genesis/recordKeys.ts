/** The record under which the genesis lock or decision is kept, beside the replica's own. */
export const GENESIS_RECORD_KEY = 'genesis';
