/**
 * The coder combinators every wire format is declared with (docs/spec/codec.md §2): fixed
 * little-endian integers, minimal LEB128 varints, fixed and bounded byte strings, bounded lists,
 * structs, tagged unions, version bytes and options. Every decoder checks a length against its
 * limit before it allocates, and reports failures as a {@linkcode CodecError} whose path names the
 * field. Private to the codec module.
 * @module
 */
import { CodecError, type CodecErrorCode, type CodecErrorData } from "./errors.ts";

/** Growable output buffer. */
export class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Input cursor. */
export class Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Bytes left. */
  get left(): number {
    return this.buf.length - this.pos;
  }

  /** Throws TRUNCATED unless `n` more bytes are available. */
  need(n: number): void {
    if (this.buf.length - this.pos < n) {
      throw new CodecError("TRUNCATED", `needs ${n} bytes, ${this.buf.length - this.pos} left`, {
        value: this.buf.length - this.pos,
        limit: n,
      });
    }
  }

  byte(): number {
    if (this.pos >= this.buf.length) {
      throw new CodecError("TRUNCATED", "needs 1 byte, 0 left", { value: 0, limit: 1 });
    }
    return this.buf[this.pos++] as number;
  }

  /**
   * The next `n` bytes, as a view. decodeRoot hands the Reader a private copy of the input, so
   * views never alias the caller's buffer (one copy per object instead of one per field).
   */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** A wire format: encodes a value of type T into a Writer and decodes it from a Reader. */
export interface Coder<T> {
  /** Short human name, used in error messages. */
  readonly name: string;
  /** Appends the encoding of `v`; throws CodecError if `v` is not encodable. */
  encodeTo(w: Writer, v: T): void;
  /** Reads one value; throws CodecError on any non-canonical input. */
  decodeFrom(r: Reader): T;
}

/** The value type of a coder. */
export type Infer<C> = C extends Coder<infer T> ? T : never;

/** Flattens an intersection for readable types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & unknown;

/** Throws a CodecError. */
export function fail(code: CodecErrorCode, detail: string, data: CodecErrorData = {}): never {
  throw new CodecError(code, detail, data);
}

function typeFail(expected: string, v: unknown): never {
  const shown = typeof v === "bigint" ? `${v}n` : typeof v === "object" ? typeof v : String(v);
  return fail("OUT_OF_RANGE", `expected ${expected}, got ${shown}`);
}

// ---------------------------------------------------------------------------------------------
// Integers

/** Fixed-width unsigned integer (1, 2 or 4 bytes, little-endian) within [min, max]. */
export function uint(bytes: 1 | 2 | 4, min = 0, max = 2 ** (8 * bytes) - 1): Coder<number> {
  const name = `u${bytes * 8}`;
  const check = (v: number): void => {
    if (v < min || v > max) {
      fail("OUT_OF_RANGE", `value ${v} out of range ${min}..${max}`, { value: v, limit: max });
    }
  };
  return {
    name,
    encodeTo(w, v) {
      if (typeof v !== "number" || !Number.isInteger(v)) typeFail(`integer ${name}`, v);
      check(v);
      w.ensure(bytes);
      if (bytes === 1) w.buf[w.pos] = v;
      else if (bytes === 2) w.view.setUint16(w.pos, v, true);
      else w.view.setUint32(w.pos, v, true);
      w.pos += bytes;
    },
    decodeFrom(r) {
      r.need(bytes);
      const v = bytes === 1
        ? r.buf[r.pos] as number
        : bytes === 2
        ? r.view.getUint16(r.pos, true)
        : r.view.getUint32(r.pos, true);
      r.pos += bytes;
      check(v);
      return v;
    },
  };
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** Fixed 8-byte little-endian unsigned integer within [0, max]. */
export function u64(max: bigint = U64_MAX): Coder<bigint> {
  const check = (v: bigint): void => {
    if (v < 0n || v > max) {
      fail("OUT_OF_RANGE", `value ${v} out of range 0..${max}`, { value: v, limit: max });
    }
  };
  return {
    name: "u64",
    encodeTo(w, v) {
      if (typeof v !== "bigint") typeFail("bigint u64", v);
      check(v);
      w.ensure(8);
      w.view.setBigUint64(w.pos, v, true);
      w.pos += 8;
    },
    decodeFrom(r) {
      r.need(8);
      const v = r.view.getBigUint64(r.pos, true);
      r.pos += 8;
      check(v);
      return v;
    },
  };
}

/** Reads a minimal LEB128 varint of at most 64 bits as a number (caller bounds it by max). */
function readVarNumber(r: Reader, max: number): number {
  const first = r.byte();
  if (first < 0x80) {
    if (first > max) {
      fail("OUT_OF_RANGE", `value ${first} above ${max}`, { value: first, limit: max });
    }
    return first;
  }
  let result = first & 0x7f;
  let mult = 128;
  for (let i = 1;; i++) {
    const b = r.byte();
    result += (b & 0x7f) * mult;
    if (result > max) {
      fail("OUT_OF_RANGE", `value ${result} above ${max}`, { value: result, limit: max });
    }
    if (b < 0x80) {
      if (b === 0) fail("NON_MINIMAL_VARINT", "non-minimal varint");
      return result;
    }
    mult *= 128;
    // Unreachable for max <= 2^53 unless the groups are zero; stop at the u64 width anyway.
    if (i >= 9) fail("VARINT_OVERFLOW", "varint longer than 10 bytes");
  }
}

function writeVarNumber(w: Writer, v: number): void {
  w.ensure(8);
  while (v >= 0x80) {
    w.buf[w.pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  w.buf[w.pos++] = v;
}

/** Minimal LEB128 varint decoded as a number in [min, max] (max <= 2^53 - 1). */
export function varUint(min = 0, max = 0xffff_ffff): Coder<number> {
  return {
    name: "varint",
    encodeTo(w, v) {
      if (typeof v !== "number" || !Number.isSafeInteger(v)) typeFail("integer", v);
      if (v < min || v > max) {
        fail("OUT_OF_RANGE", `value ${v} out of range ${min}..${max}`, { value: v, limit: max });
      }
      writeVarNumber(w, v);
    },
    decodeFrom(r) {
      const v = readVarNumber(r, max);
      if (v < min) fail("OUT_OF_RANGE", `value ${v} below ${min}`, { value: v, limit: min });
      return v;
    },
  };
}

/** Minimal LEB128 varint of at most 64 bits decoded as a bigint in [0, max]. */
export function varU64(max: bigint = U64_MAX): Coder<bigint> {
  return {
    name: "varint64",
    encodeTo(w, v) {
      if (typeof v !== "bigint") typeFail("bigint", v);
      if (v < 0n || v > max) {
        fail("OUT_OF_RANGE", `value ${v} out of range 0..${max}`, { value: v, limit: max });
      }
      if (v <= BigInt(Number.MAX_SAFE_INTEGER)) return writeVarNumber(w, Number(v));
      w.ensure(10);
      while (v >= 0x80n) {
        w.buf[w.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      w.buf[w.pos++] = Number(v);
    },
    decodeFrom(r) {
      const first = r.byte();
      if (first < 0x80) {
        const v = BigInt(first);
        if (v > max) fail("OUT_OF_RANGE", `value ${v} above ${max}`, { value: v, limit: max });
        return v;
      }
      let result = BigInt(first & 0x7f);
      let shift = 7n;
      for (let i = 1;; i++) {
        const b = r.byte();
        if (i === 9 && b > 1) fail("VARINT_OVERFLOW", "varint above 2^64 - 1");
        result |= BigInt(b & 0x7f) << shift;
        if (b < 0x80) {
          if (b === 0) fail("NON_MINIMAL_VARINT", "non-minimal varint");
          if (result > max) {
            fail("OUT_OF_RANGE", `value ${result} above ${max}`, { value: result, limit: max });
          }
          return result;
        }
        shift += 7n;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Bytes

/** Exactly `n` bytes. */
export function bytes(n: number): Coder<Uint8Array> {
  return {
    name: `bytes${n}`,
    encodeTo(w, v) {
      if (!(v instanceof Uint8Array)) typeFail(`Uint8Array(${n})`, v);
      if (v.length !== n) {
        fail("LENGTH_OUT_OF_RANGE", `length ${v.length}, expected ${n}`, {
          value: v.length,
          limit: n,
        });
      }
      w.bytes(v);
    },
    decodeFrom(r) {
      return r.take(n);
    },
  };
}

/** A varint length in [min, max] followed by that many bytes. */
export function varBytes(max: number, min = 0): Coder<Uint8Array> {
  const len = varUint(0, 0xffff_ffff);
  return {
    name: "varBytes",
    encodeTo(w, v) {
      if (!(v instanceof Uint8Array)) typeFail("Uint8Array", v);
      checkLength(v.length, min, max);
      writeVarNumber(w, v.length);
      w.bytes(v);
    },
    decodeFrom(r) {
      const n = len.decodeFrom(r);
      checkLength(n, min, max);
      return r.take(n);
    },
  };
}

function checkLength(n: number, min: number, max: number): void {
  if (n > max) {
    fail("LENGTH_OUT_OF_RANGE", `length ${n} exceeds ${max}`, { value: n, limit: max });
  }
  if (n < min) {
    fail("LENGTH_OUT_OF_RANGE", `length ${n} below ${min}`, { value: n, limit: min });
  }
}

/** Lexicographic comparison of byte strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Options of {@linkcode list}. */
export interface ListOptions<T> {
  /** Minimum element count (default 0). */
  min?: number;
  /** Require strictly ascending order under this comparison (so also no duplicates). */
  strictlyAscending?: (a: T, b: T) => number;
}

/** A varint count in [min, max] followed by that many elements. */
export function list<T>(max: number, item: Coder<T>, opts: ListOptions<T> = {}): Coder<T[]> {
  const min = opts.min ?? 0;
  const cmp = opts.strictlyAscending;
  const checkOrder = (arr: readonly T[], i: number): void => {
    if (cmp !== undefined && i > 0 && cmp(arr[i - 1] as T, arr[i] as T) >= 0) {
      fail("NOT_CANONICAL", "elements not strictly ascending (unsorted or duplicate)");
    }
  };
  return {
    name: `list<${item.name}>`,
    encodeTo(w, v) {
      if (!Array.isArray(v)) typeFail("array", v);
      checkLength(v.length, min, max);
      writeVarNumber(w, v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          item.encodeTo(w, v[i] as T);
          checkOrder(v, i);
        } catch (e) {
          throw e instanceof CodecError ? e._at(i) : e;
        }
      }
    },
    decodeFrom(r) {
      // The count is checked against max before the array grows (DoS bound).
      const n = readVarNumber(r, 0xffff_ffff);
      checkLength(n, min, max);
      const out: T[] = [];
      for (let i = 0; i < n; i++) {
        try {
          out.push(item.decodeFrom(r));
          checkOrder(out, i);
        } catch (e) {
          throw e instanceof CodecError ? e._at(i) : e;
        }
      }
      return out;
    },
  };
}

/** Either absent (byte 0x00) or present (byte 0x01 then the value); decoded absent is `null`. */
export function option<T>(inner: Coder<T>): Coder<T | null> {
  return {
    name: `option<${inner.name}>`,
    encodeTo(w, v) {
      if (v === null) return w.byte(0);
      w.byte(1);
      inner.encodeTo(w, v);
    },
    decodeFrom(r) {
      const flag = r.byte();
      if (flag === 0) return null;
      if (flag !== 1) {
        fail("NOT_CANONICAL", `option flag ${flag}, expected 0 or 1`, { value: flag });
      }
      return inner.decodeFrom(r);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Composites

/** Struct field coders, in wire order. */
export type Fields = Record<string, Coder<unknown>>;
/** The value type of a struct. */
export type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/**
 * Fields encoded one after another in declaration order. `check` enforces cross-field rules on
 * both encode and decode; it throws through {@linkcode fail} with an optional field path.
 */
export function struct<F extends Fields>(
  name: string,
  fields: F,
  check?: (v: StructOf<F>) => void,
): StructCoder<StructOf<F>> {
  const keys = Object.keys(fields);
  const coders = keys.map((k) => fields[k] as Coder<unknown>);
  const n = keys.length;
  const decodeInto = (r: Reader, out: Record<string, unknown>): void => {
    for (let i = 0; i < n; i++) {
      try {
        out[keys[i] as string] = (coders[i] as Coder<unknown>).decodeFrom(r);
      } catch (e) {
        throw e instanceof CodecError ? e._at(keys[i] as string) : e;
      }
    }
    if (check !== undefined) check(out as StructOf<F>);
  };
  return {
    name,
    encodeTo(w, v) {
      if (typeof v !== "object" || v === null) typeFail(`object ${name}`, v);
      const rec = v as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        try {
          (coders[i] as Coder<unknown>).encodeTo(w, rec[keys[i] as string]);
        } catch (e) {
          throw e instanceof CodecError ? e._at(keys[i] as string) : e;
        }
      }
      if (check !== undefined) check(v);
    },
    decodeFrom(r) {
      const out: Record<string, unknown> = {};
      decodeInto(r, out);
      return out as StructOf<F>;
    },
    decodeInto,
  };
}

/** A struct coder that can also decode its fields into an existing object (used by unions). */
export interface StructCoder<T> extends Coder<T> {
  /** Decodes the fields into `out` and runs the cross-field check. */
  decodeInto(r: Reader, out: Record<string, unknown>): void;
}

/** Throws a CodecError located at `path` (slash-separated) below the current object. */
export function failAt(
  path: string,
  code: CodecErrorCode,
  detail: string,
  data: CodecErrorData = {},
): never {
  const e = new CodecError(code, detail, data);
  const parts = path.split("/");
  for (let i = parts.length - 1; i >= 0; i--) e._at(parts[i] as string);
  throw e;
}

/** Variants of a tagged union: name → wire tag and struct coder. */
export type Variants = Record<string, { tag: number; coder: StructCoder<unknown> }>;
/** The value type of a tagged union: each variant's struct plus `type: <variant name>`. */
export type UnionOf<V extends Variants> = {
  [N in keyof V & string]: Simplify<{ type: N } & Infer<V[N]["coder"]>>;
}[keyof V & string];

/** A u8 tag followed by the selected variant's struct; unknown tags are rejected. */
export function union<V extends Variants>(name: string, variants: V): Coder<UnionOf<V>> {
  const byTag: ({ type: string; coder: StructCoder<unknown> } | undefined)[] = [];
  const byName = new Map<string, { tag: number; coder: StructCoder<unknown> }>();
  for (const [type, { tag, coder }] of Object.entries(variants)) {
    byTag[tag] = { type, coder };
    byName.set(type, { tag, coder });
  }
  return {
    name,
    encodeTo(w, v) {
      if (typeof v !== "object" || v === null) typeFail(`object ${name}`, v);
      const type = (v as { type?: unknown }).type;
      const variant = typeof type === "string" ? byName.get(type) : undefined;
      if (variant === undefined) {
        failAt("type", "UNKNOWN_TAG", `unknown ${name} type "${String(type)}"`);
      }
      w.byte(variant.tag);
      variant.coder.encodeTo(w, v);
    },
    decodeFrom(r) {
      const tag = r.byte();
      const variant = byTag[tag];
      if (variant === undefined) fail("UNKNOWN_TAG", `unknown ${name} tag ${tag}`, { value: tag });
      const out: Record<string, unknown> = { type: variant.type };
      variant.coder.decodeInto(r, out);
      return out as unknown as UnionOf<V>;
    },
  };
}

/** A version byte that must equal `version`, followed by the inner coder. */
export function versioned<T>(version: number, inner: Coder<T>): Coder<T> {
  return {
    name: inner.name,
    encodeTo(w, v) {
      w.byte(version);
      inner.encodeTo(w, v);
    },
    decodeFrom(r) {
      const got = r.byte();
      if (got !== version) {
        failAt("version", "UNKNOWN_VERSION", `unknown version ${got}`, { value: got });
      }
      return inner.decodeFrom(r);
    },
  };
}

/** A constant u8 field (e.g. a version inside a struct): any other value is UNKNOWN_VERSION. */
export function literal<N extends number>(value: N): Coder<N> {
  return {
    name: `literal${value}`,
    encodeTo(w, v) {
      if (v !== value) fail("UNKNOWN_VERSION", `unknown version ${String(v)}`);
      w.byte(value);
    },
    decodeFrom(r) {
      const got = r.byte();
      if (got !== value) fail("UNKNOWN_VERSION", `unknown version ${got}`, { value: got });
      return value;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Top level

/**
 * Encodes `v` as the root object `objectName`. An unencodable value is a caller bug: it is reported
 * as a RangeError (TypeError for a wrong JS type) carrying the same path-qualified message.
 */
export function encodeRoot<T>(
  objectName: string,
  coder: Coder<T>,
  v: T,
  sizeHint = 256,
): Uint8Array {
  const w = new Writer(sizeHint);
  try {
    coder.encodeTo(w, v);
  } catch (e) {
    if (e instanceof CodecError) {
      const msg = e.message.replace(/^Cannot decode/, `Cannot encode ${objectName}`);
      throw e.code === "OUT_OF_RANGE" && /expected /.test(e.detail)
        ? new TypeError(msg, { cause: e })
        : new RangeError(msg, { cause: e });
    }
    throw e;
  }
  return w.finish();
}

/**
 * Decodes `bytes` as exactly one root object: input above `maxBytes` is refused before parsing, and
 * trailing bytes are rejected. Only CodecError escapes. Byte fields of the result are views into a
 * private copy of the input (pass `owned = true` only for a buffer nobody else holds).
 */
export function decodeRoot<T>(
  objectName: string,
  coder: Coder<T>,
  bytes: Uint8Array,
  maxBytes: number,
  owned = false,
): T {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot decode ${objectName}: expected a Uint8Array, got ${typeof bytes}`);
  }
  try {
    if (bytes.length > maxBytes) {
      fail("INPUT_TOO_LARGE", `${bytes.length} bytes exceeds ${maxBytes}`, {
        value: bytes.length,
        limit: maxBytes,
      });
    }
    const r = new Reader(owned ? bytes : bytes.slice());
    const v = coder.decodeFrom(r);
    if (r.pos !== bytes.length) {
      fail("TRAILING_BYTES", `${bytes.length - r.pos} trailing bytes`, {
        value: bytes.length - r.pos,
      });
    }
    return v;
  } catch (e) {
    if (e instanceof CodecError) throw e._in(objectName);
    // Anything else is a bug in a decoder; surface it as a CodecError so callers stay total.
    throw new CodecError("NOT_CANONICAL", `internal decoder error: ${String(e)}`)._in(objectName);
  }
}
