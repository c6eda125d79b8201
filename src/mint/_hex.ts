/**
 * Hex helpers private to the mint module.
 * @module
 */
import { hex } from "@scure/base";

/** Lowercase hex of bytes. */
export function encodeHex(b: Uint8Array): string {
  return hex.encode(b);
}

/** Bytes of a lowercase or uppercase hex string; throws on odd length or bad digits. */
export function decodeHex(s: string): Uint8Array {
  return hex.decode(s.toLowerCase());
}
