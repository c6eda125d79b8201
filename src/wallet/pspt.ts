/**
 * PSPT: partially signed PhantomCoin transactions, in the spirit of BIP-174/370
 * (docs/spec/wallet.md section 5). Roles: create, update (spent outputs, reveals, key origins),
 * sign (through a {@linkcode SignerApi}), MuSig2 rounds, combine, finalize, extract. Binary form:
 * magic `pspt\xff`, a global map, one map per witness index, one map per output; each map is a
 * list of (key, value) entries in strictly ascending key order ended by a zero byte. Parsing is
 * strict and canonical with size limits; base64 form for copy and paste.
 * @module
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { base64 } from "@scure/base";
import * as musig from "@scure/btc-signer/musig2.js";
import { schnorrVerify } from "../crypto/mod.ts";
import {
  decodePredicate,
  decodeTx,
  decodeTxOutput,
  encodePredicate,
  encodeTx,
  encodeTxOutput,
  extraWitnesses,
  MAX_MUSIG_SIGNERS,
  MAX_PREIMAGE_BYTES,
  MAX_WITNESS_SIGS,
  type Predicate,
  predicateCommitment,
  sighash,
  type Tx,
  type TxOutput,
  type Witness,
} from "../codec/mod.ts";
import { KEY_ROLES, type KeyRef, ROLE_INDEX, type SignerApi } from "../signer/mod.ts";
import { PsptError } from "./errors.ts";
import type { UnsignedTransfer } from "./build.ts";

/** Magic prefix: "pspt" then 0xff. */
export const PSPT_MAGIC: Uint8Array = new Uint8Array([0x70, 0x73, 0x70, 0x74, 0xff]);
/** PSPT format version. */
export const PSPT_VERSION = 0;
/** Largest encoded PSPT accepted, checked before parsing. */
export const MAX_PSPT_BYTES = 1024 * 1024;
/** Most entries per map. */
export const MAX_MAP_ENTRIES = 256;

/** Global key types. */
export const GLOBAL = { UNSIGNED_TX: 0x00, VERSION: 0x01 } as const;
/** Per-input (per witness index) key types. */
export const INPUT = {
  SPENT_OUTPUT: 0x00,
  REVEAL: 0x01,
  KEY_ORIGIN: 0x02,
  PARTIAL_SIG: 0x03,
  MUSIG_PARTICIPANTS: 0x04,
  MUSIG_PUBNONCE: 0x05,
  MUSIG_PARTIAL_SIG: 0x06,
  PREIMAGE: 0x07,
  FINAL_SIGS: 0x08,
  FINAL_SIGNERS: 0x09,
} as const;
/** Per-output key types. */
export const OUTPUT = { KEY_ORIGIN: 0x00 } as const;

/** MuSig2 state of one aggregate key in one input. */
export interface PsptMusig {
  /** Sorted 33-byte participant keys. */
  participants: Uint8Array[];
  /** Public nonces by participant key hex (33 bytes). */
  pubNonces: Map<string, Uint8Array>;
  /** Partial signatures by participant key hex. */
  partialSigs: Map<string, Uint8Array>;
}

/** One witness index's map. */
export interface PsptInput {
  /** Output spent by this input (absent for the kind's extra witness). */
  spentOutput?: TxOutput;
  /** Predicate revealed for a `commit` output. */
  reveal?: Predicate;
  /** Signer key references by x-only key hex. */
  keyOrigins: Map<string, KeyRef>;
  /** BIP-340 signatures over this index's sighash, by x-only key hex. */
  partialSigs: Map<string, Uint8Array>;
  /** MuSig2 rounds by aggregate x-only key hex. */
  musig: Map<string, PsptMusig>;
  /** Hashlock preimage. */
  preimage?: Uint8Array;
  /** Final signatures (set by finalize). */
  finalSigs?: Uint8Array[];
  /** Final `multi` signer bitmask (set by finalize). */
  finalSigners?: number;
}

/** One output's map. */
export interface PsptOutput {
  /** Key references of keys behind this output (change detection), by x-only key hex. */
  keyOrigins: Map<string, KeyRef>;
}

/** A partially signed transaction. */
export interface Pspt {
  /** Transaction; its witnesses are all empty in a PSPT. */
  tx: Tx;
  /** One map per witness index: inputs.length + extra(kind). */
  inputs: PsptInput[];
  /** One map per output. */
  outputs: PsptOutput[];
}

function emptyInput(): PsptInput {
  return { keyOrigins: new Map(), partialSigs: new Map(), musig: new Map() };
}

function emptyWitnesses(tx: Tx): Witness[] {
  const n = tx.inputs.length + extraWitnesses(tx.kind);
  return Array.from({ length: n }, () => ({ sigs: [], signers: 0, preimage: null, reveal: null }));
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Roles

/**
 * Creator: a PSPT for `tx` with empty maps (witnesses are cleared).
 * @param tx the transaction
 * @returns the PSPT
 * @throws {CodecError} when the transaction is not encodable
 * @example
 * ```ts
 * import { createPspt } from "./pspt.ts";
 * console.assert(typeof createPspt === "function");
 * ```
 */
export function createPspt(tx: Tx): Pspt {
  const clean: Tx = { ...tx, witnesses: emptyWitnesses(tx) };
  encodeTx(clean); // validates
  return {
    tx: clean,
    inputs: clean.witnesses.map(emptyInput),
    outputs: clean.outputs.map(() => ({ keyOrigins: new Map() })),
  };
}

/**
 * Creator + updater for a wallet transfer: spent outputs, revealed key predicates, key origins
 * of inputs and of the change output.
 * @param t the unsigned transfer from buildTransfer
 * @returns the PSPT
 */
export function psptFromTransfer(t: UnsignedTransfer): Pspt {
  const p = createPspt(t.tx);
  t.coins.forEach((c, i) => {
    const inp = p.inputs[i]!;
    inp.spentOutput = t.spent[i]!;
    if (c.utxo.output.predicate.type === "commit") inp.reveal = c.key.predicate;
    inp.keyOrigins.set(bytesToHex(c.key.xOnly), c.key.ref);
  });
  if (t.changeIndex !== null && t.changeKey !== null) {
    p.outputs[t.changeIndex]!.keyOrigins.set(bytesToHex(t.changeKey.xOnly), t.changeKey.ref);
  }
  return p;
}

/**
 * The message signed at witness index `i` (docs/spec/transactions.md section 4).
 * @param p the PSPT
 * @param i witness index
 * @returns 32-byte sighash
 * @throws {PsptError} PSPT_MISSING when a spent output is missing
 * @example
 * ```ts
 * import { createPspt, psptSighash } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * p.inputs[0]!.spentOutput = { amount: 1000n, predicate: { type: "key", pubkey: new Uint8Array(32).fill(3) } };
 * console.assert(psptSighash(p, 0).length === 32);
 * ```
 */
export function psptSighash(p: Pspt, i: number): Uint8Array {
  const spent = p.tx.inputs.map((_, j) => {
    const o = p.inputs[j]?.spentOutput;
    if (o === undefined) {
      throw new PsptError("PSPT_MISSING", `inputs/${j}/spent_output`, "needed for the sighash");
    }
    return o;
  });
  return sighash(p.tx, i, spent);
}

/**
 * Signer: signs every witness index whose key origins name keys the signer holds and that has
 * no signature from that key yet. Each signature is verified before it is stored.
 * @param p the PSPT (updated in place)
 * @param api the signer
 * @param opts `only`: sign just the key origins whose x-only key (hex) it accepts, skipping the
 *   others; a wallet passes the keys it derives, so a PSPT with inputs of several wallets can be
 *   signed by each in turn and combined (without it every origin must be the signer's key)
 * @returns how many signatures were added
 * @throws {PsptError} PSPT_CONFLICT when the signer's key differs from a key origin it signs
 * @throws {SignerError} when the signer refuses
 * @example
 * ```ts
 * // Full flows (transfer, combine, multi, MuSig2) are in pspt_test.ts.
 * import { signPspt } from "./pspt.ts";
 * console.assert(typeof signPspt === "function");
 * ```
 */
export async function signPspt(
  p: Pspt,
  api: SignerApi,
  opts: { only?: (xOnlyHex: string) => boolean } = {},
): Promise<number> {
  let added = 0;
  for (let i = 0; i < p.inputs.length; i++) {
    const inp = p.inputs[i]!;
    if (inp.finalSigs !== undefined) continue;
    for (const [xHex, ref] of inp.keyOrigins) {
      if (inp.partialSigs.has(xHex)) continue;
      if (opts.only !== undefined && !opts.only(xHex)) continue;
      const pk = await api.getPublicKey(ref);
      if (bytesToHex(pk.xOnly) !== xHex) {
        throw new PsptError(
          "PSPT_CONFLICT",
          `inputs/${i}/key_origin/${xHex}`,
          "the signer's key at this origin is a different key",
        );
      }
      const msg = psptSighash(p, i);
      const sig = await api.signSighash(ref, msg);
      if (!schnorrVerify(sig, msg, pk.xOnly)) {
        throw new PsptError("PSPT_BAD_VALUE", `inputs/${i}/partial_sig/${xHex}`, "does not verify");
      }
      inp.partialSigs.set(xHex, sig);
      added++;
    }
  }
  return added;
}

/**
 * MuSig2 round 1 for one participant: records the sorted participant list under the aggregate
 * key and this participant's public nonce. The signer keeps the secret nonce; the returned
 * session id must be passed to {@linkcode psptMusigSign}.
 * @param p the PSPT (updated in place)
 * @param i witness index
 * @param participants 33-byte keys of all participants (sorted here)
 * @param api this participant's signer
 * @param ref this participant's key
 * @returns the signer's session id
 * @example
 * ```ts
 * // Used together with psptMusigSign; see the MuSig2 tests in pspt_test.ts.
 * import { psptMusigNonce } from "./pspt.ts";
 * console.assert(typeof psptMusigNonce === "function");
 * ```
 */
export async function psptMusigNonce(
  p: Pspt,
  i: number,
  participants: Uint8Array[],
  api: SignerApi,
  ref: KeyRef,
): Promise<string> {
  const inp = p.inputs[i];
  if (inp === undefined) throw new RangeError(`Invalid witness index: ${i}`);
  const sorted = musig.sortKeys(participants);
  const agg = musig.keyAggExport(musig.keyAggregate(sorted));
  const aggHex = bytesToHex(agg);
  const own = (await api.getPublicKey(ref)).compressed;
  if (!sorted.some((k) => eq(k, own))) {
    throw new PsptError(
      "PSPT_CONFLICT",
      `inputs/${i}/musig/${aggHex}`,
      "signer is not a participant",
    );
  }
  const cur = inp.musig.get(aggHex) ?? {
    participants: sorted,
    pubNonces: new Map(),
    partialSigs: new Map(),
  };
  const msg = psptSighash(p, i);
  const r = await api.musigNonce(ref, { aggPublicKey: agg, msg });
  cur.pubNonces.set(bytesToHex(own), r.publicNonce);
  inp.musig.set(aggHex, cur);
  return r.session;
}

/**
 * MuSig2 round 2 for one participant, once every participant's nonce is in the PSPT.
 * @param p the PSPT (updated in place)
 * @param i witness index
 * @param aggregate 32-byte x-only aggregate key
 * @param api this participant's signer
 * @param ref this participant's key
 * @param session the session id from psptMusigNonce
 * @returns nothing
 * @throws {PsptError} PSPT_MISSING when a nonce is missing
 * @example
 * ```ts
 * // Used after psptMusigNonce and combinePspt; see pspt_test.ts.
 * import { psptMusigSign } from "./pspt.ts";
 * console.assert(typeof psptMusigSign === "function");
 * ```
 */
export async function psptMusigSign(
  p: Pspt,
  i: number,
  aggregate: Uint8Array,
  api: SignerApi,
  ref: KeyRef,
  session: string,
): Promise<void> {
  const aggHex = bytesToHex(aggregate);
  const m = p.inputs[i]?.musig.get(aggHex);
  const field = `inputs/${i}/musig/${aggHex}`;
  if (m === undefined) throw new PsptError("PSPT_MISSING", field, "no MuSig2 round for this key");
  const nonces = m.participants.map((k) => {
    const n = m.pubNonces.get(bytesToHex(k));
    if (n === undefined) {
      throw new PsptError("PSPT_MISSING", `${field}/pubnonce/${bytesToHex(k)}`, "nonce missing");
    }
    return n;
  });
  const aggNonce = musig.nonceAggregate(nonces);
  const own = (await api.getPublicKey(ref)).compressed;
  const psig = await api.musigSign(ref, {
    session,
    aggNonce,
    publicKeys: m.participants,
    msg: psptSighash(p, i),
  });
  m.partialSigs.set(bytesToHex(own), psig);
}

function mergeMap<V>(
  a: Map<string, V>,
  b: Map<string, V>,
  field: string,
  same: (x: V, y: V) => boolean,
): Map<string, V> {
  const out = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    if (cur !== undefined && !same(cur, v)) {
      throw new PsptError("PSPT_CONFLICT", `${field}/${k}`, "the two PSPTs disagree");
    }
    out.set(k, v);
  }
  return out;
}

const sameRef = (x: KeyRef, y: KeyRef) =>
  x.role === y.role && x.account === y.account && x.index === y.index && x.chain === y.chain;

function mergeOpt<V>(
  a: V | undefined,
  b: V | undefined,
  field: string,
  same: (x: V, y: V) => boolean,
): V | undefined {
  if (a !== undefined && b !== undefined && !same(a, b)) {
    throw new PsptError("PSPT_CONFLICT", field, "the two PSPTs disagree");
  }
  return a ?? b;
}

/**
 * Combiner: merges two PSPTs of the same transaction.
 * @param a first
 * @param b second
 * @returns a new merged PSPT
 * @throws {PsptError} PSPT_CONFLICT when transactions differ or a field has two values
 * @example
 * ```ts
 * import { combinePspt, createPspt } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * const q = createPspt(tx);
 * q.inputs[0]!.preimage = new Uint8Array([1]);
 * console.assert(combinePspt(p, q).inputs[0]!.preimage?.length === 1);
 * ```
 */
export function combinePspt(a: Pspt, b: Pspt): Pspt {
  if (!eq(encodeTx(a.tx), encodeTx(b.tx))) {
    throw new PsptError("PSPT_CONFLICT", "global/unsigned_tx", "different transactions");
  }
  const bytesEq = (x: Uint8Array, y: Uint8Array) => eq(x, y);
  const outEq = (x: TxOutput, y: TxOutput) => eq(encodeTxOutput(x), encodeTxOutput(y));
  const predEq = (x: Predicate, y: Predicate) => eq(encodePredicate(x), encodePredicate(y));
  const inputs = a.inputs.map((x, i): PsptInput => {
    const y = b.inputs[i]!;
    const f = `inputs/${i}`;
    const r: PsptInput = {
      keyOrigins: mergeMap(x.keyOrigins, y.keyOrigins, `${f}/key_origin`, sameRef),
      partialSigs: mergeMap(x.partialSigs, y.partialSigs, `${f}/partial_sig`, bytesEq),
      musig: new Map(),
    };
    for (const k of new Set([...x.musig.keys(), ...y.musig.keys()])) {
      const mx = x.musig.get(k);
      const my = y.musig.get(k);
      if (mx === undefined || my === undefined) {
        r.musig.set(k, (mx ?? my)!);
        continue;
      }
      if (
        mx.participants.length !== my.participants.length ||
        !mx.participants.every((p, j) => eq(p, my.participants[j]!))
      ) {
        throw new PsptError("PSPT_CONFLICT", `${f}/musig/${k}`, "different participants");
      }
      r.musig.set(k, {
        participants: mx.participants,
        pubNonces: mergeMap(mx.pubNonces, my.pubNonces, `${f}/musig_pubnonce`, bytesEq),
        partialSigs: mergeMap(mx.partialSigs, my.partialSigs, `${f}/musig_partial_sig`, bytesEq),
      });
    }
    const so = mergeOpt(x.spentOutput, y.spentOutput, `${f}/spent_output`, outEq);
    if (so !== undefined) r.spentOutput = so;
    const rv = mergeOpt(x.reveal, y.reveal, `${f}/reveal`, predEq);
    if (rv !== undefined) r.reveal = rv;
    const pi = mergeOpt(x.preimage, y.preimage, `${f}/preimage`, bytesEq);
    if (pi !== undefined) r.preimage = pi;
    const fs = mergeOpt(
      x.finalSigs,
      y.finalSigs,
      `${f}/final_sigs`,
      (s, t) => s.length === t.length && s.every((v, j) => eq(v, t[j]!)),
    );
    if (fs !== undefined) r.finalSigs = fs;
    const fn = mergeOpt(x.finalSigners, y.finalSigners, `${f}/final_signers`, (s, t) => s === t);
    if (fn !== undefined) r.finalSigners = fn;
    return r;
  });
  const outputs = a.outputs.map((x, i): PsptOutput => ({
    keyOrigins: mergeMap(
      x.keyOrigins,
      b.outputs[i]!.keyOrigins,
      `outputs/${i}/key_origin`,
      sameRef,
    ),
  }));
  return { tx: a.tx, inputs, outputs };
}

/** The predicate witness index `i` must satisfy. */
function requiredPredicate(p: Pspt, i: number): Predicate {
  if (i < p.tx.inputs.length) {
    const o = p.inputs[i]!.spentOutput;
    if (o === undefined) throw new PsptError("PSPT_MISSING", `inputs/${i}/spent_output`, "missing");
    return o.predicate;
  }
  const k = p.tx.kind;
  if (k.type === "bond" || k.type === "unbond") return { type: "key", pubkey: k.seatKey };
  if (k.type === "claim") return k.claim.predicate;
  throw new PsptError("PSPT_BAD_VALUE", `inputs/${i}`, "no witness at this index");
}

function finalizeOne(p: Pspt, i: number): void {
  const inp = p.inputs[i]!;
  if (inp.finalSigs !== undefined) return;
  const f = `inputs/${i}`;
  const msg = psptSighash(p, i);
  let pred = requiredPredicate(p, i);
  if (pred.type === "commit") {
    if (inp.reveal === undefined) throw new PsptError("PSPT_NOT_FINAL", `${f}/reveal`, "missing");
    if (!eq(predicateCommitment(inp.reveal), pred.commitment)) {
      throw new PsptError("PSPT_CONFLICT", `${f}/reveal`, "does not match the commitment");
    }
    pred = inp.reveal;
  }
  const inner = pred.type === "after" ? pred.inner : pred;
  const sigBy = (pub: Uint8Array): Uint8Array | undefined => {
    const s = inp.partialSigs.get(bytesToHex(pub));
    return s !== undefined && schnorrVerify(s, msg, pub) ? s : undefined;
  };
  let sigs: Uint8Array[];
  let signers = 0;
  switch (inner.type) {
    case "key":
    case "hashlock": {
      const s = sigBy(inner.pubkey);
      if (s === undefined) {
        throw new PsptError("PSPT_NOT_FINAL", `${f}/partial_sig`, "no valid signature by the key");
      }
      if (inner.type === "hashlock" && inp.preimage === undefined) {
        throw new PsptError("PSPT_NOT_FINAL", `${f}/preimage`, "missing");
      }
      sigs = [s];
      break;
    }
    case "musig": {
      let s = sigBy(inner.key);
      const m = inp.musig.get(bytesToHex(inner.key));
      if (s === undefined && m !== undefined) {
        const nonces = m.participants.map((k) => m.pubNonces.get(bytesToHex(k)));
        const psigs = m.participants.map((k) => m.partialSigs.get(bytesToHex(k)));
        if (nonces.every((x) => x !== undefined) && psigs.every((x) => x !== undefined)) {
          try {
            const session = new musig.Session(
              musig.nonceAggregate(nonces as Uint8Array[]),
              m.participants,
              msg,
            );
            const agg = session.partialSigAgg(psigs as Uint8Array[]);
            if (schnorrVerify(agg, msg, inner.key)) s = agg;
          } catch (e) {
            throw new PsptError(
              "PSPT_BAD_VALUE",
              `${f}/musig/${bytesToHex(inner.key)}`,
              e instanceof Error ? e.message : String(e),
            );
          }
        }
      }
      if (s === undefined) {
        throw new PsptError("PSPT_NOT_FINAL", `${f}/musig`, "no valid aggregate signature");
      }
      sigs = [s];
      break;
    }
    case "multi": {
      sigs = [];
      inner.pubkeys.forEach((pub, j) => {
        if (sigs.length >= inner.threshold) return;
        const s = sigBy(pub);
        if (s !== undefined) {
          sigs.push(s);
          signers |= 1 << j;
        }
      });
      if (sigs.length < inner.threshold) {
        throw new PsptError(
          "PSPT_NOT_FINAL",
          `${f}/partial_sig`,
          `${sigs.length} of ${inner.threshold} signatures`,
        );
      }
      break;
    }
    case "commit":
      throw new PsptError("PSPT_BAD_VALUE", `${f}/reveal`, "a revealed predicate cannot be commit");
  }
  inp.finalSigs = sigs;
  if (inner.type === "multi") inp.finalSigners = signers;
  // Like BIP-174 finalizers: signing material is dropped once the witness is final.
  inp.partialSigs.clear();
  inp.musig.clear();
  inp.keyOrigins.clear();
}

/**
 * Finalizer: builds the final witness data of every index it can.
 * @param p the PSPT (updated in place)
 * @returns true when every index is final
 * @throws {PsptError} on contradictions (a reveal that does not match its commitment)
 * @example
 * ```ts
 * import { createPspt, finalizePspt } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * console.assert(finalizePspt(p) === false); // nothing signed yet
 * ```
 */
export function finalizePspt(p: Pspt): boolean {
  let all = true;
  for (let i = 0; i < p.inputs.length; i++) {
    try {
      finalizeOne(p, i);
    } catch (e) {
      if (e instanceof PsptError && (e.code === "PSPT_NOT_FINAL" || e.code === "PSPT_MISSING")) {
        all = false;
        continue;
      }
      throw e;
    }
  }
  return all;
}

/**
 * Extractor: the signed transaction.
 * @param p a finalized PSPT
 * @returns the transaction with witnesses
 * @throws {PsptError} PSPT_NOT_FINAL naming the first index that is not final
 * @example
 * ```ts
 * import { createPspt, extractTx } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * try { extractTx(p); } catch (e) { console.assert((e as Error).name === "PsptError"); }
 * ```
 */
export function extractTx(p: Pspt): Tx {
  const witnesses = p.inputs.map((inp, i): Witness => {
    if (inp.finalSigs === undefined) {
      throw new PsptError("PSPT_NOT_FINAL", `inputs/${i}/final_sigs`, "input is not finalized");
    }
    return {
      sigs: inp.finalSigs,
      signers: inp.finalSigners ?? 0,
      preimage: inp.preimage ?? null,
      reveal: inp.reveal ?? null,
    };
  });
  return { ...p.tx, witnesses };
}

// ---------------------------------------------------------------------------------------------
// Binary form

class W {
  parts: number[] = [];
  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.parts.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
  }
  raw(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
}

type Entry = { key: Uint8Array; value: Uint8Array };

function keyOf(type: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const k = new Uint8Array(1 + data.length);
  k[0] = type;
  k.set(data, 1);
  return k;
}

function writeMap(w: W, entries: Entry[]): void {
  entries.sort((a, b) => cmp(a.key, b.key));
  for (const e of entries) {
    w.varint(e.key.length);
    w.raw(e.key);
    w.varint(e.value.length);
    w.raw(e.value);
  }
  w.varint(0);
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function encodeOrigin(r: KeyRef): Uint8Array {
  const b = new Uint8Array(10);
  b[0] = ROLE_INDEX[r.role];
  b.set(u32le(r.account), 1);
  b[5] = r.chain ?? 0xff;
  b.set(u32le(r.index), 6);
  return b;
}

/**
 * Encodes a PSPT (maps sorted by key, so the encoding is canonical).
 * @param p the PSPT
 * @returns bytes
 * @throws {PsptError} PSPT_TOO_LARGE above MAX_PSPT_BYTES
 * @example
 * ```ts
 * import { createPspt, decodePspt, encodePspt } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * console.assert(decodePspt(encodePspt(p)).inputs.length === 1);
 * ```
 */
export function encodePspt(p: Pspt): Uint8Array {
  const w = new W();
  w.raw(PSPT_MAGIC);
  writeMap(w, [
    {
      key: keyOf(GLOBAL.UNSIGNED_TX),
      value: encodeTx({ ...p.tx, witnesses: emptyWitnesses(p.tx) }),
    },
    { key: keyOf(GLOBAL.VERSION), value: new Uint8Array([PSPT_VERSION]) },
  ]);
  for (const inp of p.inputs) {
    const e: Entry[] = [];
    if (inp.spentOutput) {
      e.push({ key: keyOf(INPUT.SPENT_OUTPUT), value: encodeTxOutput(inp.spentOutput) });
    }
    if (inp.reveal) e.push({ key: keyOf(INPUT.REVEAL), value: encodePredicate(inp.reveal) });
    for (const [x, r] of inp.keyOrigins) {
      e.push({ key: keyOf(INPUT.KEY_ORIGIN, hexToBytes(x)), value: encodeOrigin(r) });
    }
    for (const [x, s] of inp.partialSigs) {
      e.push({ key: keyOf(INPUT.PARTIAL_SIG, hexToBytes(x)), value: s });
    }
    for (const [agg, m] of inp.musig) {
      const a = hexToBytes(agg);
      const parts = new Uint8Array(33 * m.participants.length);
      m.participants.forEach((k, j) => parts.set(k, 33 * j));
      e.push({ key: keyOf(INPUT.MUSIG_PARTICIPANTS, a), value: parts });
      for (const [k, n] of m.pubNonces) {
        e.push({
          key: keyOf(INPUT.MUSIG_PUBNONCE, new Uint8Array([...hexToBytes(k), ...a])),
          value: n,
        });
      }
      for (const [k, s] of m.partialSigs) {
        e.push({
          key: keyOf(INPUT.MUSIG_PARTIAL_SIG, new Uint8Array([...hexToBytes(k), ...a])),
          value: s,
        });
      }
    }
    if (inp.preimage) e.push({ key: keyOf(INPUT.PREIMAGE), value: inp.preimage });
    if (inp.finalSigs) {
      const v = new Uint8Array(64 * inp.finalSigs.length);
      inp.finalSigs.forEach((s, j) => v.set(s, 64 * j));
      e.push({ key: keyOf(INPUT.FINAL_SIGS), value: v });
    }
    if (inp.finalSigners !== undefined) {
      e.push({
        key: keyOf(INPUT.FINAL_SIGNERS),
        value: new Uint8Array([inp.finalSigners & 0xff, inp.finalSigners >> 8]),
      });
    }
    writeMap(w, e);
  }
  for (const out of p.outputs) {
    writeMap(
      w,
      [...out.keyOrigins].map(([x, r]) => ({
        key: keyOf(OUTPUT.KEY_ORIGIN, hexToBytes(x)),
        value: encodeOrigin(r),
      })),
    );
  }
  const bytes = new Uint8Array(w.parts);
  if (bytes.length > MAX_PSPT_BYTES) {
    throw new PsptError("PSPT_TOO_LARGE", "$", `${bytes.length} bytes exceeds ${MAX_PSPT_BYTES}`);
  }
  return bytes;
}

class R {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  varint(field: string, max: number): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const x = this.b[this.pos];
      if (x === undefined) throw new PsptError("PSPT_TRUNCATED", field, "ends inside a length");
      this.pos++;
      v += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) {
        if (i > 0 && x === 0) {
          throw new PsptError("PSPT_NOT_CANONICAL", field, "non-minimal length");
        }
        if (v > max) throw new PsptError("PSPT_TOO_LARGE", field, `length ${v} exceeds ${max}`);
        return v;
      }
      mul *= 128;
    }
    throw new PsptError("PSPT_NOT_CANONICAL", field, "length longer than 5 bytes");
  }
  take(n: number, field: string): Uint8Array {
    if (this.pos + n > this.b.length) {
      throw new PsptError("PSPT_TRUNCATED", field, `needs ${n} bytes`);
    }
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function readMap(r: R, field: string): Entry[] {
  const out: Entry[] = [];
  while (true) {
    const kl = r.varint(`${field}/key_length`, 1 + 33 + 32);
    if (kl === 0) return out;
    const key = r.take(kl, `${field}/key`).slice();
    const vl = r.varint(`${field}/${key[0]}/value_length`, MAX_PSPT_BYTES);
    const value = r.take(vl, `${field}/${key[0]}/value`).slice();
    const prev = out[out.length - 1];
    if (prev !== undefined && cmp(prev.key, key) >= 0) {
      throw new PsptError(
        "PSPT_NOT_CANONICAL",
        `${field}/${key[0]}`,
        "keys not strictly ascending (or duplicated)",
      );
    }
    out.push({ key, value });
    if (out.length > MAX_MAP_ENTRIES) {
      throw new PsptError("PSPT_TOO_LARGE", field, `more than ${MAX_MAP_ENTRIES} entries`);
    }
  }
}

function decodeOrigin(v: Uint8Array, field: string): KeyRef {
  if (v.length !== 10) {
    throw new PsptError("PSPT_BAD_VALUE", field, `length ${v.length}, expected 10`);
  }
  const dv = new DataView(v.buffer, v.byteOffset);
  const role = KEY_ROLES.find((r) => ROLE_INDEX[r] === v[0]);
  if (role === undefined) throw new PsptError("PSPT_BAD_VALUE", field, `unknown role ${v[0]}`);
  const account = dv.getUint32(1, true);
  const index = dv.getUint32(6, true);
  const chain = v[5]!;
  if (account > 0x7fffffff || index > 0x7fffffff) {
    throw new PsptError("PSPT_BAD_VALUE", field, "index above 2^31-1");
  }
  if (role === "wallet") {
    if (chain !== 0 && chain !== 1) {
      throw new PsptError("PSPT_BAD_VALUE", field, `wallet chain ${chain}`);
    }
    return { role, account, chain, index };
  }
  if (chain !== 0xff) {
    throw new PsptError("PSPT_BAD_VALUE", field, `chain ${chain} on a ${role} key`);
  }
  return { role, account, index };
}

function wrapCodec<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PsptError) throw e;
    throw new PsptError("PSPT_BAD_VALUE", field, e instanceof Error ? e.message : String(e));
  }
}

function needLen(v: Uint8Array, n: number, field: string): void {
  if (v.length !== n) {
    throw new PsptError("PSPT_BAD_VALUE", field, `length ${v.length}, expected ${n}`);
  }
}

function needKeyData(k: Uint8Array, n: number, field: string): Uint8Array {
  if (k.length !== 1 + n) {
    throw new PsptError(
      "PSPT_BAD_VALUE",
      field,
      `key data of ${k.length - 1} bytes, expected ${n}`,
    );
  }
  return k.subarray(1);
}

/**
 * Decodes a PSPT strictly: magic, canonical maps (strictly ascending keys, minimal lengths),
 * known key types only, exact value sizes, no trailing bytes, every map count from the
 * transaction, and witnesses of the unsigned transaction empty.
 * @param b bytes
 * @returns the PSPT
 * @throws {PsptError} naming the field
 * @example
 * ```ts
 * import { decodePspt } from "./pspt.ts";
 * try { decodePspt(new Uint8Array([1])); } catch (e) { console.assert((e as Error).name === "PsptError"); }
 * ```
 */
export function decodePspt(b: Uint8Array): Pspt {
  if (!(b instanceof Uint8Array)) throw new TypeError("Invalid PSPT: expected Uint8Array");
  if (b.length > MAX_PSPT_BYTES) {
    throw new PsptError("PSPT_TOO_LARGE", "$", `${b.length} bytes exceeds ${MAX_PSPT_BYTES}`);
  }
  if (b.length < PSPT_MAGIC.length || !eq(b.subarray(0, PSPT_MAGIC.length), PSPT_MAGIC)) {
    throw new PsptError("PSPT_BAD_MAGIC", "$", "does not start with pspt\\xff");
  }
  const r = new R(b);
  r.pos = PSPT_MAGIC.length;
  const global = readMap(r, "global");
  let tx: Tx | undefined;
  let version: number | undefined;
  for (const e of global) {
    const t = e.key[0]!;
    if (t === GLOBAL.UNSIGNED_TX) {
      needKeyData(e.key, 0, "global/unsigned_tx");
      tx = wrapCodec("global/unsigned_tx", () => decodeTx(e.value));
    } else if (t === GLOBAL.VERSION) {
      needKeyData(e.key, 0, "global/version");
      needLen(e.value, 1, "global/version");
      version = e.value[0]!;
    } else {
      throw new PsptError("PSPT_UNKNOWN_KEY", `global/${t}`, "unknown key type");
    }
  }
  if (version === undefined) throw new PsptError("PSPT_MISSING", "global/version", "missing");
  if (version !== PSPT_VERSION) {
    throw new PsptError("PSPT_BAD_VALUE", "global/version", `unsupported version ${version}`);
  }
  if (tx === undefined) throw new PsptError("PSPT_MISSING", "global/unsigned_tx", "missing");
  tx.witnesses.forEach((w, i) => {
    if (w.sigs.length !== 0 || w.signers !== 0 || w.preimage !== null || w.reveal !== null) {
      throw new PsptError(
        "PSPT_BAD_VALUE",
        `global/unsigned_tx/witnesses/${i}`,
        "must be empty in a PSPT",
      );
    }
  });
  const inputs: PsptInput[] = [];
  for (let i = 0; i < tx.witnesses.length; i++) {
    const f = `inputs/${i}`;
    const inp = emptyInput();
    const participants = new Map<string, Uint8Array[]>();
    const nonces: [string, string, Uint8Array][] = [];
    const psigs: [string, string, Uint8Array][] = [];
    for (const e of readMap(r, f)) {
      const t = e.key[0]!;
      switch (t) {
        case INPUT.SPENT_OUTPUT:
          needKeyData(e.key, 0, `${f}/spent_output`);
          if (i >= tx.inputs.length) {
            throw new PsptError(
              "PSPT_BAD_VALUE",
              `${f}/spent_output`,
              "the extra witness spends no output",
            );
          }
          inp.spentOutput = wrapCodec(`${f}/spent_output`, () => decodeTxOutput(e.value));
          break;
        case INPUT.REVEAL:
          needKeyData(e.key, 0, `${f}/reveal`);
          inp.reveal = wrapCodec(`${f}/reveal`, () => decodePredicate(e.value));
          break;
        case INPUT.KEY_ORIGIN: {
          const x = needKeyData(e.key, 32, `${f}/key_origin`);
          inp.keyOrigins.set(
            bytesToHex(x),
            decodeOrigin(e.value, `${f}/key_origin/${bytesToHex(x)}`),
          );
          break;
        }
        case INPUT.PARTIAL_SIG: {
          const x = needKeyData(e.key, 32, `${f}/partial_sig`);
          needLen(e.value, 64, `${f}/partial_sig/${bytesToHex(x)}`);
          inp.partialSigs.set(bytesToHex(x), e.value);
          break;
        }
        case INPUT.MUSIG_PARTICIPANTS: {
          const a = needKeyData(e.key, 32, `${f}/musig_participants`);
          const field = `${f}/musig_participants/${bytesToHex(a)}`;
          const n = e.value.length / 33;
          if (!Number.isInteger(n) || n < 2 || n > MAX_MUSIG_SIGNERS) {
            throw new PsptError(
              "PSPT_BAD_VALUE",
              field,
              `length ${e.value.length} is not 2..${MAX_MUSIG_SIGNERS} keys of 33 bytes`,
            );
          }
          const keys = Array.from({ length: n }, (_, j) => e.value.slice(33 * j, 33 * j + 33));
          for (let j = 1; j < n; j++) {
            if (cmp(keys[j - 1]!, keys[j]!) >= 0) {
              throw new PsptError("PSPT_NOT_CANONICAL", field, "keys not sorted");
            }
          }
          const agg = wrapCodec(field, () => musig.keyAggExport(musig.keyAggregate(keys)));
          if (!eq(agg, a)) {
            throw new PsptError("PSPT_CONFLICT", field, "keys do not aggregate to the key");
          }
          participants.set(bytesToHex(a), keys);
          break;
        }
        case INPUT.MUSIG_PUBNONCE:
        case INPUT.MUSIG_PARTIAL_SIG: {
          const name = t === INPUT.MUSIG_PUBNONCE ? "musig_pubnonce" : "musig_partial_sig";
          const kd = needKeyData(e.key, 65, `${f}/${name}`);
          const who = bytesToHex(kd.subarray(0, 33));
          const agg = bytesToHex(kd.subarray(33));
          needLen(e.value, t === INPUT.MUSIG_PUBNONCE ? 66 : 32, `${f}/${name}/${who}`);
          (t === INPUT.MUSIG_PUBNONCE ? nonces : psigs).push([agg, who, e.value]);
          break;
        }
        case INPUT.PREIMAGE:
          needKeyData(e.key, 0, `${f}/preimage`);
          if (e.value.length < 1 || e.value.length > MAX_PREIMAGE_BYTES) {
            throw new PsptError(
              "PSPT_BAD_VALUE",
              `${f}/preimage`,
              `length ${e.value.length} is not 1..${MAX_PREIMAGE_BYTES}`,
            );
          }
          inp.preimage = e.value;
          break;
        case INPUT.FINAL_SIGS: {
          needKeyData(e.key, 0, `${f}/final_sigs`);
          const n = e.value.length / 64;
          if (!Number.isInteger(n) || n < 1 || n > MAX_WITNESS_SIGS) {
            throw new PsptError(
              "PSPT_BAD_VALUE",
              `${f}/final_sigs`,
              `length ${e.value.length} is not 1..${MAX_WITNESS_SIGS} signatures`,
            );
          }
          inp.finalSigs = Array.from({ length: n }, (_, j) => e.value.slice(64 * j, 64 * j + 64));
          break;
        }
        case INPUT.FINAL_SIGNERS:
          needKeyData(e.key, 0, `${f}/final_signers`);
          needLen(e.value, 2, `${f}/final_signers`);
          inp.finalSigners = e.value[0]! | (e.value[1]! << 8);
          break;
        default:
          throw new PsptError("PSPT_UNKNOWN_KEY", `${f}/${t}`, "unknown key type");
      }
    }
    for (const [agg, keys] of participants) {
      inp.musig.set(agg, { participants: keys, pubNonces: new Map(), partialSigs: new Map() });
    }
    for (
      const [list, name] of [[nonces, "musig_pubnonce"], [psigs, "musig_partial_sig"]] as const
    ) {
      for (const [agg, who, v] of list) {
        const m = inp.musig.get(agg);
        if (m === undefined) {
          throw new PsptError(
            "PSPT_MISSING",
            `${f}/musig_participants/${agg}`,
            `needed by ${name}`,
          );
        }
        if (!m.participants.some((k) => bytesToHex(k) === who)) {
          throw new PsptError("PSPT_CONFLICT", `${f}/${name}/${who}`, "not a participant");
        }
        (name === "musig_pubnonce" ? m.pubNonces : m.partialSigs).set(who, v);
      }
    }
    if (inp.finalSigners !== undefined && inp.finalSigs === undefined) {
      throw new PsptError("PSPT_MISSING", `${f}/final_sigs`, "final_signers without final_sigs");
    }
    inputs.push(inp);
  }
  const outputs: PsptOutput[] = [];
  for (let i = 0; i < tx.outputs.length; i++) {
    const f = `outputs/${i}`;
    const out: PsptOutput = { keyOrigins: new Map() };
    for (const e of readMap(r, f)) {
      const t = e.key[0]!;
      if (t !== OUTPUT.KEY_ORIGIN) {
        throw new PsptError("PSPT_UNKNOWN_KEY", `${f}/${t}`, "unknown key type");
      }
      const x = needKeyData(e.key, 32, `${f}/key_origin`);
      out.keyOrigins.set(bytesToHex(x), decodeOrigin(e.value, `${f}/key_origin/${bytesToHex(x)}`));
    }
    outputs.push(out);
  }
  if (r.pos !== b.length) {
    throw new PsptError("PSPT_TRAILING_BYTES", "$", `${b.length - r.pos} bytes after the last map`);
  }
  return { tx, inputs, outputs };
}

/**
 * Base64 form of {@linkcode encodePspt}.
 * @param p the PSPT
 * @returns standard base64 with padding
 * @example
 * ```ts
 * import { createPspt, psptToBase64 } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * console.assert(psptToBase64(p).startsWith("cHNwdP8"));
 * ```
 */
export function psptToBase64(p: Pspt): string {
  return base64.encode(encodePspt(p));
}

/**
 * Parses the base64 form (strict: standard alphabet, padding, no whitespace).
 * @param s base64 text
 * @returns the PSPT
 * @throws {PsptError} PSPT_BAD_MAGIC on bad base64, or any decode error
 * @example
 * ```ts
 * import { createPspt, psptFromBase64, psptToBase64 } from "./pspt.ts";
 * const tx = {
 *   version: 1 as const, networkId: 2, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 900n, predicate: { type: "key" as const, pubkey: new Uint8Array(32).fill(2) } }],
 *   fee: 100n, witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
 * };
 * const p = createPspt(tx);
 * console.assert(psptFromBase64(psptToBase64(p)).outputs.length === 1);
 * ```
 */
export function psptFromBase64(s: string): Pspt {
  if (typeof s !== "string") throw new TypeError("Invalid PSPT: expected a base64 string");
  if (s.length > Math.ceil(MAX_PSPT_BYTES / 3) * 4) {
    throw new PsptError("PSPT_TOO_LARGE", "$", "base64 text too long");
  }
  let b: Uint8Array;
  try {
    b = base64.decode(s);
  } catch (e) {
    throw new PsptError(
      "PSPT_BAD_MAGIC",
      "$",
      `not base64: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return decodePspt(b);
}
