/**
 * The signer wire protocol, version 1: one JSON object per line (UTF-8, `\n` terminated, at most
 * {@linkcode MAX_REQUEST_BYTES} bytes per line) each way (docs/spec/keys.md section 4). This file
 * parses and validates requests strictly: unknown fields, wrong types and out-of-range values are
 * refused with a {@linkcode SignerError} naming the JSON path.
 * @module
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { checkKeyRef, KEY_ROLES, type KeyRef, type KeyRole } from "./derive.ts";
import { SignerError } from "./errors.ts";

/** Protocol version spoken by this signer. */
export const PROTOCOL_VERSION = 1;
/** Largest request or response line in bytes, newline excluded. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Largest unsigned event encoding accepted by sign_event (hex-encoded it fits one line). */
export const MAX_EVENT_BYTES = 24 * 1024;
/** Largest transaction accepted by sign_seat_tx. */
export const MAX_SEAT_TX_BYTES = 16 * 1024;
/** Largest encoded spent output accepted by sign_seat_tx. */
export const MAX_SPENT_OUTPUT_BYTES = 1024;
/** Most spent outputs (MAX_INPUTS). */
export const MAX_SPENT_OUTPUTS = 64;
/** Largest MuSig2 message. */
export const MAX_MUSIG_MSG_BYTES = 1024;
/** Most MuSig2 participants (n-of-n). */
export const MAX_MUSIG_SIGNERS = 64;
/** Most MuSig2 tweaks. */
export const MAX_MUSIG_TWEAKS = 8;

/** Methods of protocol version 1. */
export type Method =
  | "get_status"
  | "get_public_key"
  | "get_bls_key"
  | "sign_event"
  | "sign_seat_tx"
  | "sign_da_attestation"
  | "sign_tx"
  | "sign_bond"
  | "sign_payout"
  | "musig_nonce"
  | "musig_sign";

/** Which key roles each method may use: the role-separation policy (docs/spec/keys.md 4.3). */
export const METHOD_ROLES: Readonly<Record<Method, readonly KeyRole[]>> = {
  get_status: [],
  get_public_key: KEY_ROLES,
  get_bls_key: ["seat"],
  sign_event: ["seat"],
  sign_seat_tx: ["seat"],
  sign_da_attestation: ["seat"],
  sign_tx: ["wallet"],
  sign_bond: ["bond"],
  sign_payout: ["payout"],
  musig_nonce: ["wallet"],
  musig_sign: ["wallet"],
};

/** Parameters of each method after validation. */
export interface MethodParams {
  get_status: Record<string, never>;
  get_public_key: { key: KeyRef };
  get_bls_key: { key: KeyRef };
  sign_event: { key: KeyRef; event: Uint8Array };
  sign_seat_tx: { key: KeyRef; tx: Uint8Array; spentOutputs: Uint8Array[] };
  sign_da_attestation: { key: KeyRef; attestation: Uint8Array; header: Uint8Array };
  sign_tx: { key: KeyRef; sighash: Uint8Array };
  sign_bond: { key: KeyRef; sighash: Uint8Array };
  sign_payout: { key: KeyRef; sighash: Uint8Array };
  musig_nonce: { key: KeyRef; aggPublicKey?: Uint8Array; msg?: Uint8Array };
  musig_sign: {
    key: KeyRef;
    session: string;
    aggNonce: Uint8Array;
    publicKeys: Uint8Array[];
    msg: Uint8Array;
    tweaks: Uint8Array[];
    isXonly: boolean[];
  };
}

/** Results of each method (wire form: bytes as lowercase hex). */
export interface MethodResults {
  get_status: { version: number; backend: string; network: string; methods: Method[] };
  get_public_key: { x_only: string; compressed: string; path: string };
  get_bls_key: { public_key: string; pop: string };
  sign_event: { signature: string; event_id: string };
  sign_seat_tx: { signature: string; sighash: string };
  sign_da_attestation: { signature: string; digest: string };
  sign_tx: { signature: string };
  sign_bond: { signature: string };
  sign_payout: { signature: string };
  musig_nonce: { session: string; public_nonce: string };
  musig_sign: { partial_sig: string };
}

/** A validated request. */
export type Request = {
  [M in Method]: { id: RequestId; method: M; params: MethodParams[M]; auth: string | null };
}[Method];

/** Request id: an integer 0..2^53-1 or a string of at most 64 characters. */
export type RequestId = number | string;

/** A response line, before serialization. */
export type Response =
  | { v: 1; id: RequestId | null; result: MethodResults[Method] }
  | { v: 1; id: RequestId | null; error: { code: string; message: string; data: unknown } };

const METHODS = Object.keys(METHOD_ROLES) as Method[];

function malformed(field: string, why: string): never {
  throw new SignerError(
    "REQUEST_MALFORMED",
    { field },
    `Malformed request: ${field} ${why}`,
  );
}

type Obj = Record<string, unknown>;

function obj(v: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) malformed(field, "is not an object");
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) malformed(`${field}.${k}`, "is not a known field");
  }
  return v as Obj;
}

function hexBytes(v: unknown, field: string, len: number | [number, number]): Uint8Array {
  if (typeof v !== "string") malformed(field, "is not a hex string");
  if (!/^([0-9a-f]{2})*$/.test(v)) malformed(field, "is not lowercase even-length hex");
  const n = v.length / 2;
  const [lo, hi] = typeof len === "number" ? [len, len] : len;
  if (n < lo || n > hi) {
    malformed(field, `has ${n} bytes, expected ${lo === hi ? lo : `${lo}..${hi}`}`);
  }
  return hexToBytes(v);
}

function keyRef(v: unknown, field: string): KeyRef {
  const o = obj(v, field, ["role", "account", "index", "chain"]);
  try {
    const r: KeyRef = {
      role: o.role as KeyRole,
      account: o.account as number,
      index: o.index as number,
    };
    if (o.chain !== undefined) r.chain = o.chain as 0 | 1;
    return checkKeyRef(r);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) {
      malformed(field, `is invalid: ${e.message}`);
    }
    throw e;
  }
}

function array(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v)) malformed(field, "is not an array");
  if (v.length > max) malformed(field, `has ${v.length} items, more than ${max}`);
  return v;
}

function parseParams(method: Method, v: unknown): MethodParams[Method] {
  const f = "params";
  switch (method) {
    case "get_status":
      obj(v, f, []);
      return {};
    case "get_public_key":
    case "get_bls_key": {
      const o = obj(v, f, ["key"]);
      return { key: keyRef(o.key, `${f}.key`) };
    }
    case "sign_event": {
      const o = obj(v, f, ["key", "event"]);
      return {
        key: keyRef(o.key, `${f}.key`),
        event: hexBytes(o.event, `${f}.event`, [1, MAX_EVENT_BYTES]),
      };
    }
    case "sign_seat_tx": {
      const o = obj(v, f, ["key", "tx", "spent_outputs"]);
      return {
        key: keyRef(o.key, `${f}.key`),
        tx: hexBytes(o.tx, `${f}.tx`, [1, MAX_SEAT_TX_BYTES]),
        spentOutputs: array(o.spent_outputs, `${f}.spent_outputs`, MAX_SPENT_OUTPUTS)
          .map((x, i) => hexBytes(x, `${f}.spent_outputs[${i}]`, [1, MAX_SPENT_OUTPUT_BYTES])),
      };
    }
    case "sign_da_attestation": {
      const o = obj(v, f, ["key", "attestation", "header"]);
      return {
        key: keyRef(o.key, `${f}.key`),
        attestation: hexBytes(o.attestation, `${f}.attestation`, [1, 256]),
        header: hexBytes(o.header, `${f}.header`, [1, MAX_EVENT_BYTES]),
      };
    }
    case "sign_tx":
    case "sign_bond":
    case "sign_payout": {
      const o = obj(v, f, ["key", "sighash"]);
      return {
        key: keyRef(o.key, `${f}.key`),
        sighash: hexBytes(o.sighash, `${f}.sighash`, 32),
      };
    }
    case "musig_nonce": {
      const o = obj(v, f, ["key", "agg_pubkey", "msg"]);
      const p: MethodParams["musig_nonce"] = { key: keyRef(o.key, `${f}.key`) };
      if (o.agg_pubkey !== undefined) {
        p.aggPublicKey = hexBytes(o.agg_pubkey, `${f}.agg_pubkey`, 32);
      }
      if (o.msg !== undefined) p.msg = hexBytes(o.msg, `${f}.msg`, [0, MAX_MUSIG_MSG_BYTES]);
      return p;
    }
    case "musig_sign": {
      const o = obj(v, f, ["key", "session", "agg_nonce", "pubkeys", "msg", "tweaks", "is_xonly"]);
      if (typeof o.session !== "string" || !/^[0-9a-f]{32}$/.test(o.session)) {
        malformed(`${f}.session`, "is not a 32-character hex session id");
      }
      const pubkeys = array(o.pubkeys, `${f}.pubkeys`, MAX_MUSIG_SIGNERS)
        .map((x, i) => hexBytes(x, `${f}.pubkeys[${i}]`, 33));
      if (pubkeys.length < 1) malformed(`${f}.pubkeys`, "is empty");
      const tweaks = array(o.tweaks ?? [], `${f}.tweaks`, MAX_MUSIG_TWEAKS)
        .map((x, i) => hexBytes(x, `${f}.tweaks[${i}]`, 32));
      const isXonly = array(o.is_xonly ?? [], `${f}.is_xonly`, MAX_MUSIG_TWEAKS).map((x, i) => {
        if (typeof x !== "boolean") malformed(`${f}.is_xonly[${i}]`, "is not a boolean");
        return x;
      });
      if (isXonly.length !== tweaks.length) {
        malformed(`${f}.is_xonly`, "does not have one entry per tweak");
      }
      return {
        key: keyRef(o.key, `${f}.key`),
        session: o.session,
        aggNonce: hexBytes(o.agg_nonce, `${f}.agg_nonce`, 66),
        publicKeys: pubkeys,
        msg: hexBytes(o.msg, `${f}.msg`, [0, MAX_MUSIG_MSG_BYTES]),
        tweaks,
        isXonly,
      };
    }
  }
}

/**
 * Parses and validates one request line.
 * @param line the line without its newline, as bytes or string
 * @returns the validated request
 * @throws {SignerError} REQUEST_TOO_LARGE, REQUEST_MALFORMED, REQUEST_UNSUPPORTED_VERSION,
 *   REQUEST_UNKNOWN_METHOD
 * @example
 * ```ts
 * import { parseRequest } from "./protocol.ts";
 * const r = parseRequest('{"v":1,"id":1,"method":"get_status","params":{}}');
 * console.assert(r.method === "get_status");
 * ```
 */
export function parseRequest(line: string | Uint8Array): Request {
  const bytes = typeof line === "string" ? new TextEncoder().encode(line) : line;
  if (bytes.length > MAX_REQUEST_BYTES) {
    throw new SignerError(
      "REQUEST_TOO_LARGE",
      { bytes: bytes.length, limit: MAX_REQUEST_BYTES },
      `Request refused: ${bytes.length} bytes exceeds ${MAX_REQUEST_BYTES}`,
    );
  }
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    // Bad UTF-8 or JSON becomes a typed error for the client.
    return malformed("$", "is not valid UTF-8 JSON");
  }
  const o = obj(j, "$", ["v", "id", "method", "params", "auth"]);
  if (o.v !== PROTOCOL_VERSION) {
    throw new SignerError(
      "REQUEST_UNSUPPORTED_VERSION",
      { version: o.v ?? null },
      `Request refused: unsupported protocol version ${JSON.stringify(o.v ?? null)}`,
    );
  }
  const id = o.id;
  if (
    !(typeof id === "number" && Number.isSafeInteger(id) && id >= 0) &&
    !(typeof id === "string" && id.length <= 64)
  ) malformed("$.id", "is not an integer 0..2^53-1 or a string of at most 64 characters");
  if (typeof o.method !== "string") malformed("$.method", "is not a string");
  if (!METHODS.includes(o.method as Method)) {
    throw new SignerError(
      "REQUEST_UNKNOWN_METHOD",
      { method: o.method.slice(0, 64) },
      `Request refused: unknown method "${o.method.slice(0, 64)}"`,
    );
  }
  const method = o.method as Method;
  if (o.auth !== undefined && typeof o.auth !== "string") malformed("$.auth", "is not a string");
  const params = parseParams(method, o.params);
  return { id, method, params, auth: (o.auth as string | undefined) ?? null } as Request;
}

/**
 * Best-effort id of a line that failed to parse, so the error response can be matched.
 * @param line the raw line
 * @returns the id, or null
 * @example
 * ```ts
 * import { salvageId } from "./protocol.ts";
 * console.assert(salvageId(new TextEncoder().encode('{"id":5,"v":9}')) === 5);
 * ```
 */
export function salvageId(line: Uint8Array): RequestId | null {
  if (line.length > MAX_REQUEST_BYTES) return null;
  try {
    const j = JSON.parse(new TextDecoder().decode(line)) as { id?: unknown };
    const id = j?.id;
    if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) return id;
    if (typeof id === "string" && id.length <= 64) return id;
  } catch {
    // Unparseable line: there is no id to echo.
  }
  return null;
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

/**
 * Serializes a response as one line (with trailing newline).
 * @param r the response
 * @returns the line
 * @example
 * ```ts
 * import { encodeResponse } from "./protocol.ts";
 * console.assert(encodeResponse({ v: 1, id: 1, error: { code: "X", message: "m", data: { n: 1n } } }).endsWith("\n"));
 * ```
 */
export function encodeResponse(r: Response): string {
  return JSON.stringify(jsonSafe(r)) + "\n";
}
