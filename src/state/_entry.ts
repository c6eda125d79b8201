/**
 * Encodings of state keys and entry values (docs/spec/state.md §1). Canonical: decoding rejects
 * unknown versions/tags, trailing bytes and out-of-range fields. The engine works on latin1
 * string forms (`...S` functions); the byte forms are for proofs, snapshots and callers.
 * @module
 */
import { decodePredicate, encodePredicate } from "../codec/mod.ts";
import { MAX_SUPPLY_UNITS } from "../params/mod.ts";
import { latin1, putU64, StrReader, StrWriter, unlatin1 } from "./_bytes.ts";
import type { Bond, OutPoint, Predicate, SeatExit, Utxo } from "./types.ts";

/** Key tags. */
export const TAG_UTXO = 0;
export const TAG_BOND = 1;
export const TAG_GLOBAL = 2;
/** Seat exit record: a seat whose bond went to zero, kept for the re-bond cooldown. */
export const TAG_EXIT = 3;

function checkId(id: Uint8Array): void {
  if (!(id instanceof Uint8Array) || id.length !== 32) {
    throw new TypeError(`Invalid id: expected 32 bytes, got ${String(id?.length)}`);
  }
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) {
    throw new RangeError(`Invalid output index: ${index}`);
  }
}

/**
 * 37-byte state key `tag || id || u32be index`.
 * @param tag 0 UTXO, 1 bond, 2 global.
 * @param id 32-byte id.
 * @param index u32 index.
 * @returns The key.
 * @throws {TypeError} When `id` is not 32 bytes.
 * @throws {RangeError} When `index` is not a u32.
 * @example
 * ```ts
 * import { stateKey } from "./_entry.ts";
 * console.assert(stateKey(0, new Uint8Array(32), 1).length === 37);
 * ```
 */
export function stateKey(tag: number, id: Uint8Array, index: number): Uint8Array {
  return unlatin1(stateKeyS(tag, id, index));
}

const KEY_CODES: number[] = new Array(37).fill(0);

/** latin1 form of {@linkcode stateKey}. */
export function stateKeyS(tag: number, id: Uint8Array, index: number): string {
  checkId(id);
  checkIndex(index);
  // One flat string (concatenation would build a cons string that every compare must flatten).
  const c = KEY_CODES;
  c[0] = tag;
  for (let i = 0; i < 32; i++) c[i + 1] = id[i]!;
  c[33] = index >>> 24;
  c[34] = (index >>> 16) & 255;
  c[35] = (index >>> 8) & 255;
  c[36] = index & 255;
  return String.fromCharCode.apply(null, c);
}

/**
 * UTXO key of an outpoint.
 * @param o Outpoint.
 * @returns 37-byte key.
 * @example
 * ```ts
 * import { utxoKey } from "./_entry.ts";
 * console.assert(utxoKey({ txId: new Uint8Array(32), index: 0 })[0] === 0);
 * ```
 */
export function utxoKey(o: OutPoint): Uint8Array {
  return stateKey(TAG_UTXO, o.txId, o.index);
}

/** latin1 UTXO key. */
export function utxoKeyS(o: OutPoint): string {
  return stateKeyS(TAG_UTXO, o.txId, o.index);
}

/**
 * Bond key of a validator seat.
 * @param seatKey 32-byte x-only seat key.
 * @returns 37-byte key.
 * @example
 * ```ts
 * import { bondKey } from "./_entry.ts";
 * console.assert(bondKey(new Uint8Array(32))[0] === 1);
 * ```
 */
export function bondKey(seatKey: Uint8Array): Uint8Array {
  return stateKey(TAG_BOND, seatKey, 0);
}

/** latin1 bond key. */
export function bondKeyS(seatKey: Uint8Array): string {
  return stateKeyS(TAG_BOND, seatKey, 0);
}

/**
 * Exit-record key of a validator seat (tag 3): present while the seat is out of the set after a
 * full unbond, until it bonds again.
 * @param seatKey 32-byte x-only seat key.
 * @returns 37-char latin1 key.
 */
export function exitKeyS(seatKey: Uint8Array): string {
  return stateKeyS(TAG_EXIT, seatKey, 0);
}

/** Key of the single global entry. */
export const GLOBAL_KEY: Uint8Array = stateKey(TAG_GLOBAL, new Uint8Array(32), 0);
/** latin1 form of {@linkcode GLOBAL_KEY}. */
export const GLOBAL_KEY_S: string = latin1(GLOBAL_KEY);

const ORIGINS = ["tx", "mint", "unbond"] as const;

/**
 * Codec encoding of a `key` predicate, `version || tag || pubkey`, derived from the codec at load
 * time; the fast paths below are used only if the codec agrees with them on a probe (so a codec
 * change disables them instead of forking the state).
 */
const KEY_PREFIX: Uint8Array = encodePredicate({ type: "key", pubkey: new Uint8Array(32) })
  .subarray(0, 2);
const FAST_KEY: boolean = (() => {
  const pk = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const enc = encodePredicate({ type: "key", pubkey: pk });
  if (enc.length !== 34 || enc[0] !== KEY_PREFIX[0] || enc[1] !== KEY_PREFIX[1]) return false;
  for (let i = 0; i < 32; i++) if (enc[2 + i] !== pk[i]) return false;
  const dec = decodePredicate(enc) as unknown as Record<string, unknown>;
  const keys = Object.keys(dec);
  return keys.length === 2 && keys[0] === "type" && keys[1] === "pubkey" && dec.type === "key" &&
    dec.pubkey instanceof Uint8Array && dec.pubkey.length === 32 &&
    dec.pubkey.every((b, i) => b === pk[i]);
})();

/**
 * `encodePredicate(p)`, without the generic codec for the common `key` predicate with a 32-byte
 * key (byte-identical; anything else goes through the codec and its checks).
 */
export function encodePredicateFast(p: Predicate): Uint8Array {
  if (FAST_KEY && p.type === "key" && p.pubkey instanceof Uint8Array && p.pubkey.length === 32) {
    const out = new Uint8Array(34);
    out[0] = KEY_PREFIX[0]!;
    out[1] = KEY_PREFIX[1]!;
    out.set(p.pubkey, 2);
    return out;
  }
  return encodePredicate(p);
}

/**
 * UTXO value: `v0 | origin u8 | amount u64 | createdAt u64 | spendableAt u64 | predicate`, the
 * predicate in its codec encoding (docs/spec/transactions.md §2), integers big-endian.
 */
export function encodeUtxoS(u: Utxo): string {
  const w = new StrWriter();
  w.u8(0).u8(ORIGINS.indexOf(u.origin)).u64(u.amount).u64(u.createdAt).u64(u.spendableAt);
  w.bytes(encodePredicate(u.predicate));
  return w.finish();
}

/** {@linkcode encodeUtxoS} with the predicate already encoded (hot path). */
export function encodeUtxoRawS(
  origin: Utxo["origin"],
  amount: bigint,
  createdAt: number,
  spendableAt: number,
  predicate: Uint8Array,
): string {
  const w = new StrWriter();
  w.u8(0).u8(ORIGINS.indexOf(origin)).u64(amount).u64(createdAt).u64(spendableAt).bytes(predicate);
  return w.finish();
}

/** Scratch of {@linkcode encodeUtxoOutS}: one UTXO value with a key predicate, 60 bytes. */
const UTXO_KEY_CODES: number[] = new Array(60).fill(0);

/**
 * `encodeUtxoRawS(origin, amount, createdAt, spendableAt, encodePredicate(predicate))` (the apply's
 * hot path): for a `key` predicate the value is written straight into one flat string, without
 * the predicate's byte array or a growing writer; anything else goes through the codec.
 */
export function encodeUtxoOutS(
  origin: Utxo["origin"],
  amount: bigint,
  createdAt: number,
  spendableAt: number,
  predicate: Predicate,
): string {
  if (
    !FAST_KEY || predicate.type !== "key" || !(predicate.pubkey instanceof Uint8Array) ||
    predicate.pubkey.length !== 32
  ) {
    return encodeUtxoRawS(origin, amount, createdAt, spendableAt, encodePredicateFast(predicate));
  }
  const c = UTXO_KEY_CODES, pk = predicate.pubkey;
  c[0] = 0;
  c[1] = ORIGINS.indexOf(origin) & 255;
  putU64(c, 2, amount);
  putU64(c, 10, createdAt);
  putU64(c, 18, spendableAt);
  c[26] = KEY_PREFIX[0]!;
  c[27] = KEY_PREFIX[1]!;
  for (let i = 0; i < 32; i++) c[28 + i] = pk[i]!;
  return String.fromCharCode.apply(null, c);
}

/** Decodes {@linkcode encodeUtxoS}; throws RangeError on anything non-canonical. */
export function decodeUtxoS(s: string): Utxo {
  const r = new StrReader(s, "utxo");
  if (r.u8() !== 0) throw new RangeError("Cannot decode utxo: unknown version");
  const o = r.u8();
  const origin = ORIGINS[o];
  if (origin === undefined) throw new RangeError(`Cannot decode utxo: unknown origin ${o}`);
  const amount = r.u64();
  if (amount < 1n || amount > MAX_SUPPLY_UNITS) {
    throw new RangeError(`Cannot decode utxo: amount ${amount}`);
  }
  const createdAt = r.u53(), spendableAt = r.u53();
  // A key predicate (34 bytes: version, tag, key) decodes without the generic codec.
  const predicate: Predicate = FAST_KEY && r.remaining === 34 &&
      s.charCodeAt(r.pos) === KEY_PREFIX[0] && s.charCodeAt(r.pos + 1) === KEY_PREFIX[1]
    ? { type: "key", pubkey: (r.pos += 2, r.bytes(32)) }
    : decodePredicate(r.bytes(r.remaining));
  return { amount, predicate, createdAt, spendableAt, origin };
}

/** Byte form of {@linkcode encodeUtxoS}. */
export function encodeUtxo(u: Utxo): Uint8Array {
  return unlatin1(encodeUtxoS(u));
}

/** Byte form of {@linkcode decodeUtxoS}. */
export function decodeUtxo(b: Uint8Array): Utxo {
  return decodeUtxoS(latin1(b));
}

/** Bond value: `v0 | amount u64 | blsKey 48 | createdAt u64 | maturesAt u64`. */
export function encodeBondS(b: Bond): string {
  if (b.blsKey.length !== 48) {
    throw new TypeError(`Invalid BLS key: expected 48 bytes, got ${b.blsKey.length}`);
  }
  return new StrWriter().u8(0).u64(b.amount).bytes(b.blsKey).u64(b.createdAt).u64(b.maturesAt)
    .finish();
}

/** Decodes {@linkcode encodeBondS}. */
export function decodeBondS(s: string): Bond {
  const r = new StrReader(s, "bond");
  if (r.u8() !== 0) throw new RangeError("Cannot decode bond: unknown version");
  const amount = r.u64();
  if (amount < 1n || amount > MAX_SUPPLY_UNITS) {
    throw new RangeError(`Cannot decode bond: amount ${amount}`);
  }
  const blsKey = r.bytes(48);
  const createdAt = r.u53(), maturesAt = r.u53();
  r.end();
  return { amount, blsKey, createdAt, maturesAt };
}

/** Exit value: `v0 | exitedAt u64 | bondableAt u64`. */
export function encodeExitS(x: SeatExit): string {
  return new StrWriter().u8(0).u64(x.exitedAt).u64(x.bondableAt).finish();
}

/** Decodes {@linkcode encodeExitS}. */
export function decodeExitS(s: string): SeatExit {
  const r = new StrReader(s, "seat exit");
  if (r.u8() !== 0) throw new RangeError("Cannot decode seat exit: unknown version");
  const x = { exitedAt: r.u53(), bondableAt: r.u53() };
  r.end();
  return x;
}

/** The global entry: last applied anchor and supply accounting. */
export interface GlobalState {
  /** Last applied anchor index (-1 before the first; never stored as such). */
  anchor: number;
  /** Total ever minted, in units (never above the cap). */
  emitted: bigint;
  /** Fees collected and not yet paid out, in units. */
  feePool: bigint;
  /** Sum of all bonds, in units. */
  bonded: bigint;
}

/** Global value: `v0 | anchor u64 | emitted u64 | feePool u64 | bonded u64`. */
export function encodeGlobalS(g: GlobalState): string {
  return new StrWriter().u8(0).u64(g.anchor).u64(g.emitted).u64(g.feePool).u64(g.bonded).finish();
}

/** Decodes {@linkcode encodeGlobalS}. */
export function decodeGlobalS(s: string): GlobalState {
  const r = new StrReader(s, "global");
  if (r.u8() !== 0) throw new RangeError("Cannot decode global: unknown version");
  const g = { anchor: r.u53(), emitted: r.u64(), feePool: r.u64(), bonded: r.u64() };
  r.end();
  return g;
}
