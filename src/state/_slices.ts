/**
 * Base-snapshot slices of the durable layer (docs/spec/state.md §4, ADR 0034): the entries of a
 * run of consecutive buckets as `key 37 | len u32 | value` records, written a slice per commit so
 * that a checkpoint never stalls one commit for the whole state, and the loader that reads a
 * generation of slices back into a commitment.
 * @module
 */
import { BUCKETS, STATE_KEY_LEN, type StateCommitment } from "./commitment.ts";

/** Largest value a slice record may carry (DoS bound while parsing, as for snapshots). */
export const MAX_SLICE_VALUE = 4096;

/** One encoded slice. */
export interface Slice {
  /** Record bytes cut into pieces of at most `chunkBytes` (a record may span two pieces). */
  chunks: Uint8Array[];
  /** First bucket not included (`BUCKETS` when the slice reached the end). */
  next: number;
  /** Total bytes. */
  bytes: number;
}

/**
 * Encode the records of buckets `from, from + 1, ...` until at least `budget` bytes are taken or
 * the last bucket is reached (whole buckets only; at least one bucket).
 * @param c The commitment (read synchronously: the slice is the state at this instant).
 * @param from First bucket.
 * @param budget Byte budget (a slice stops after the bucket that reaches it).
 * @param chunkBytes Largest piece.
 * @returns The slice.
 */
export function encodeSlice(
  c: StateCommitment,
  from: number,
  budget: number,
  chunkBytes: number,
): Slice {
  let bytes = 0, next = from;
  while (next < BUCKETS && (bytes < budget || next === from)) bytes += c.recordBytes(next++);
  const buf = new Uint8Array(bytes);
  let o = 0;
  for (let bi = from; bi < next; bi++) o = c.writeRecords(bi, buf, o);
  const chunks: Uint8Array[] = [];
  for (let p = 0; p < bytes; p += chunkBytes) chunks.push(buf.subarray(p, p + chunkBytes));
  return { chunks, next, bytes };
}

/**
 * Load slice records into `c` (the concatenated chunks of one generation, in chunk order).
 * @param bytes Records.
 * @param c Commitment to fill.
 * @returns Number of records.
 * @throws {RangeError} On a truncated record, an oversized value or a duplicate key.
 */
export function loadSlices(bytes: Uint8Array, c: StateCommitment): number {
  const end = bytes.length;
  let o = 0, n = 0;
  while (o < end) {
    if (o + STATE_KEY_LEN + 4 > end) {
      throw new RangeError(`Cannot decode base slices: record ${n} truncated`);
    }
    const k = String.fromCharCode.apply(
      null,
      bytes.subarray(o, o + STATE_KEY_LEN) as unknown as number[],
    );
    o += STATE_KEY_LEN;
    const len =
      ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>>
      0;
    o += 4;
    if (len > MAX_SLICE_VALUE || o + len > end) {
      throw new RangeError(`Cannot decode base slices: record ${n} value of ${len} bytes`);
    }
    const v = String.fromCharCode.apply(null, bytes.subarray(o, o + len) as unknown as number[]);
    o += len;
    const before = c.size;
    c.setS(k, v);
    if (c.size === before) throw new RangeError(`Cannot decode base slices: duplicate record ${n}`);
    n++;
  }
  return n;
}
