/**
 * Domain-separation tags of every hash the state module computes (one place, per house style).
 * @module
 */
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Leaf of the state commitment: H(TAG_LEAF || key || value). */
export const TAG_LEAF: Uint8Array = enc("pc/state/leaf/v0");
/** Bucket of the state commitment: H(TAG_BUCKET || leaf_0 || ... || leaf_n-1). */
export const TAG_BUCKET: Uint8Array = enc("pc/state/bucket/v0");
/** Radix-16 interior node: H(TAG_NODE || child_0 || ... || child_15). */
export const TAG_NODE: Uint8Array = enc("pc/state/node/v0");
