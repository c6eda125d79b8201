/**
 * Small byte helpers private to the state module.
 * @module
 */
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js";

/** Concatenate byte arrays into one fresh array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...parts);
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex of `b`. */
export const toHex: (b: Uint8Array) => string = bytesToHex;

/**
 * Byte string as a latin1 JS string: one char per byte, so `<` on these strings is the
 * unsigned byte-wise order (used as Map keys and for sorting).
 */
export function latin1(b: Uint8Array): string {
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/** Inverse of {@linkcode latin1}. */
export function unlatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Growable big-endian writer. */
export class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.#buf.subarray(0, this.#len));
    this.#buf = nb;
    this.#view = new DataView(nb.buffer);
  }
  u8(v: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = v;
    return this;
  }
  u16(v: number): this {
    this.#reserve(2);
    this.#view.setUint16(this.#len, v);
    this.#len += 2;
    return this;
  }
  u32(v: number): this {
    this.#reserve(4);
    this.#view.setUint32(this.#len, v);
    this.#len += 4;
    return this;
  }
  u64(v: bigint | number): this {
    this.#reserve(8);
    this.#view.setBigUint64(this.#len, BigInt(v));
    this.#len += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }
  get length(): number {
    return this.#len;
  }
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Bounds-checked big-endian reader; throws RangeError naming `what` on truncation. */
export class Reader {
  #b: Uint8Array;
  #v: DataView;
  pos = 0;
  constructor(b: Uint8Array, readonly what: string) {
    this.#b = b;
    this.#v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  #need(n: number): void {
    if (this.pos + n > this.#b.length) {
      throw new RangeError(`Cannot decode ${this.what}: truncated at byte ${this.pos}`);
    }
  }
  u8(): number {
    this.#need(1);
    return this.#b[this.pos++]!;
  }
  u16(): number {
    this.#need(2);
    const v = this.#v.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.#need(4);
    const v = this.#v.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.#need(8);
    const v = this.#v.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }
  /** u64 that must fit a safe JS integer. */
  u53(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`Cannot decode ${this.what}: integer ${v} out of range`);
    }
    return Number(v);
  }
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.#b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  get remaining(): number {
    return this.#b.length - this.pos;
  }
  end(): void {
    if (this.pos !== this.#b.length) {
      throw new RangeError(
        `Cannot decode ${this.what}: ${this.#b.length - this.pos} trailing bytes`,
      );
    }
  }
}

/**
 * Writes `v` (a non-negative safe integer or bigint below 2^64) as a big-endian u64 into
 * `c[at..at+8)`, one byte per element: the one u64 layout of every latin1 state encoding.
 */
export function putU64(c: number[], at: number, v: bigint | number): void {
  let hi: number, lo: number;
  if (typeof v === "number") {
    hi = Math.floor(v / 4294967296);
    lo = v >>> 0;
  } else {
    hi = Number(v >> 32n);
    lo = Number(v & 0xffffffffn);
  }
  c[at] = (hi >>> 24) & 255;
  c[at + 1] = (hi >>> 16) & 255;
  c[at + 2] = (hi >>> 8) & 255;
  c[at + 3] = hi & 255;
  c[at + 4] = (lo >>> 24) & 255;
  c[at + 5] = (lo >>> 16) & 255;
  c[at + 6] = (lo >>> 8) & 255;
  c[at + 7] = lo & 255;
}

/**
 * Big-endian writer into a latin1 string (one char per byte). The state keeps keys and values
 * as such strings: one heap object each, no ArrayBuffer, which keeps V8's GC cheap at millions
 * of entries.
 */
export class StrWriter {
  #c: number[] = [];
  u8(v: number): this {
    this.#c.push(v & 255);
    return this;
  }
  u32(v: number): this {
    this.#c.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    return this;
  }
  /** u64 from a non-negative safe integer or bigint below 2^64. */
  u64(v: bigint | number): this {
    const at = this.#c.length;
    this.#c.push(0, 0, 0, 0, 0, 0, 0, 0); // (grown by push: a packed array, no holes)
    putU64(this.#c, at, v);
    return this;
  }
  bytes(b: Uint8Array): this {
    for (let i = 0; i < b.length; i++) this.#c.push(b[i]!);
    return this;
  }
  /** Append an existing latin1 string's bytes. */
  str(s: string): this {
    for (let i = 0; i < s.length; i++) this.#c.push(s.charCodeAt(i));
    return this;
  }
  finish(): string {
    return String.fromCharCode.apply(null, this.#c);
  }
}

/** Bounds-checked big-endian reader over a latin1 string; RangeError naming `what`. */
export class StrReader {
  pos = 0;
  constructor(readonly s: string, readonly what: string) {}
  #need(n: number): void {
    if (this.pos + n > this.s.length) {
      throw new RangeError(`Cannot decode ${this.what}: truncated at byte ${this.pos}`);
    }
  }
  u8(): number {
    this.#need(1);
    return this.s.charCodeAt(this.pos++);
  }
  u32(): number {
    this.#need(4);
    const s = this.s, p = this.pos;
    this.pos += 4;
    return ((s.charCodeAt(p) << 24) | (s.charCodeAt(p + 1) << 16) | (s.charCodeAt(p + 2) << 8) |
      s.charCodeAt(p + 3)) >>> 0;
  }
  u64(): bigint {
    const hi = this.u32(), lo = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** u64 that must fit a safe JS integer. */
  u53(): number {
    const hi = this.u32(), lo = this.u32();
    if (hi > 0x1fffff) throw new RangeError(`Cannot decode ${this.what}: integer out of range`);
    return hi * 4294967296 + lo;
  }
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.s.charCodeAt(this.pos + i);
    this.pos += n;
    return out;
  }
  get remaining(): number {
    return this.s.length - this.pos;
  }
  end(): void {
    if (this.pos !== this.s.length) {
      throw new RangeError(
        `Cannot decode ${this.what}: ${this.s.length - this.pos} trailing bytes`,
      );
    }
  }
}
