/**
 * BLAKE3 hashing: the official C implementation with SIMD through FFI when
 * native/build/libphantom_blake3.so loads, else @noble/hashes. Both give identical bytes.
 * @module
 */
import { selected } from "./_select.ts";
import type { Blake3BatchOptions, Blake3Options } from "./_types.ts";

export type { Blake3BatchOptions, Blake3Options } from "./_types.ts";

const impl = selected.blake3;

/**
 * BLAKE3 of `data`: plain hash, keyed hash (`key`) or derive_key (`context`), with extended
 * output when `dkLen` is above 32.
 *
 * @param data Input bytes (at most 2^32 - 1).
 * @param opts `dkLen` (0 to 16 MiB, default 32), and at most one of `key` (32 bytes) or
 *   `context` (string, UTF-8 encoded, or raw bytes).
 * @returns `dkLen` bytes of output.
 * @throws {TypeError} When `data`, `key` or `context` has the wrong type, or both `key` and
 *   `context` are given.
 * @throws {RangeError} When `key` is not 32 bytes or `dkLen` is out of range.
 * @example
 * ```ts
 * import { blake3 } from "./blake3.ts";
 * const id = blake3(new TextEncoder().encode("event"), { context: "PhantomCoin event id v1" });
 * console.assert(id.length === 32);
 * ```
 */
export function blake3(data: Uint8Array, opts?: Blake3Options): Uint8Array {
  return impl.blake3(data, opts);
}

/**
 * 32-byte BLAKE3 hash of each message, computed in one FFI call on the native path (one packed
 * buffer plus offsets), which is what makes hashing many short inputs cheap. With `key` or
 * `context` every message is hashed in that mode (keyed hash / derive_key; the context key is
 * derived once), e.g. the nodes of one Merkle-tree level.
 *
 * @param messages Inputs (at most 2^32 - 1 bytes in total).
 * @param opts At most one of `key` (32 bytes) or `context` (string or bytes); no `dkLen`.
 * @returns One digest per message, in order. On the native path the digests are views into one
 *   shared buffer; copy one with `.slice()` before keeping it for long alone.
 * @throws {TypeError} When `messages` is not an array of Uint8Array, or the options are invalid.
 * @throws {RangeError} When the messages are larger than 2^32 - 1 bytes in total, or `key` is not
 *   32 bytes.
 * @example
 * ```ts
 * import { blake3, blake3Batch } from "./blake3.ts";
 * const msgs = [new Uint8Array([1]), new Uint8Array([2, 3])];
 * const ids = blake3Batch(msgs);
 * console.assert(ids[1]!.every((b, i) => b === blake3(msgs[1]!)[i]));
 * ```
 */
export function blake3Batch(
  messages: readonly Uint8Array[],
  opts?: Blake3BatchOptions,
): Uint8Array[] {
  return impl.blake3Batch(messages, opts);
}

/**
 * {@linkcode blake3Batch} over messages already packed into one buffer: message `i` is
 * `packed[offsets[i] .. offsets[i+1])`, and digest `i` is `out[32*i .. 32*i+32)`. One FFI call
 * on the native path with no per-message views in or out, for callers that build many small
 * messages (Merkle leaves and nodes) straight into one buffer.
 *
 * @param packed The message bytes (at most 2^32 - 1).
 * @param offsets `n + 1` non-decreasing offsets into `packed`; `n` messages.
 * @param opts At most one of `key` (32 bytes) or `context` (string or bytes); no `dkLen`.
 * @returns `32 * n` bytes: the digests in order.
 * @throws {TypeError} When `packed` is not a Uint8Array, `offsets` not a Uint32Array, or the
 *   options are invalid.
 * @throws {RangeError} When `offsets` is empty, decreases or points past `packed`, or `key` is
 *   not 32 bytes.
 * @example
 * ```ts
 * import { blake3, blake3BatchPacked } from "./blake3.ts";
 * const packed = new Uint8Array([1, 2, 3]);
 * const out = blake3BatchPacked(packed, Uint32Array.of(0, 1, 3));
 * console.assert(out.subarray(32, 64).every((b, i) => b === blake3(packed.subarray(1))[i]));
 * ```
 */
export function blake3BatchPacked(
  packed: Uint8Array,
  offsets: Uint32Array,
  opts?: Blake3BatchOptions,
): Uint8Array {
  return impl.blake3BatchPacked(packed, offsets, opts);
}
