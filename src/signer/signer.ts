/**
 * The request handler of phantom-signer: role policy, slashing protection, then the back end.
 * Transport-free, so it serves the socket server and in-process callers alike.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import type { SigningBackend } from "./backend.ts";
import type { KeyRef } from "./derive.ts";
import { SignerError, SlashingError } from "./errors.ts";
import {
  encodeResponse,
  METHOD_ROLES,
  type MethodResults,
  parseRequest,
  PROTOCOL_VERSION,
  type Request,
  type Response,
  salvageId,
} from "./protocol.ts";
import type { SlashingProtection } from "./slashing.ts";

/** What the signer needs to know about an unsigned event (decoded by codec). */
export interface EventView {
  /** Shard of the event. */
  shard: number;
  /** Creator seat index. */
  creator: number;
  /** Committee epoch (u64). */
  epoch: bigint;
  /** Sequence number in the seat's chain (u64). */
  seq: bigint;
  /** 32-byte id of the self-parent, null for seq 0. */
  selfParent: Uint8Array | null;
  /** 32-byte event id. */
  id: Uint8Array;
  /** 32-byte digest the seat key signs (the event id in protocol v1). */
  signingHash: Uint8Array;
}

/** Decodes an unsigned event encoding; throws on anything malformed. */
export type EventInspector = (unsignedEvent: Uint8Array) => EventView;

/** What a bond/unbond transaction asks the seat key to authorize. */
export interface SeatTxView {
  /** Transaction kind. */
  kind: "bond" | "unbond";
  /** x-only seat key named by the transaction. */
  seatKey: Uint8Array;
  /** Bonded or unbonded amount in units. */
  amount: bigint;
  /** 32-byte digest to sign. */
  sighash: Uint8Array;
}

/** What a data-availability attestation asks the seat key to sign. */
export interface DaView {
  /** Attesting seat index. */
  seat: number;
  /** 32-byte digest to sign. */
  digest: Uint8Array;
}

/** Checks an attestation against its event header; throws on any mismatch. */
export type DaInspector = (attestation: Uint8Array, header: Uint8Array) => DaView;

/** Decodes a bond/unbond transaction and its spent outputs; throws on anything else. */
export type SeatTxInspector = (tx: Uint8Array, spentOutputs: readonly Uint8Array[]) => SeatTxView;

/** Options of {@linkcode Signer}. */
export interface SignerOptions {
  /** Bearer token every request must carry in `auth`; null to rely on socket permissions. */
  token: string | null;
}

/** Dependencies of {@linkcode Signer}. */
export interface SignerModules {
  /** Where keys live. */
  backend: SigningBackend;
  /** Durable high-water marks. */
  slashing: SlashingProtection;
  /** Event decoder (codec's decodeEventHeader + eventId, see event.ts). */
  inspectEvent: EventInspector;
  /** Bond/unbond transaction decoder (codec's decodeTx + sighash, see event.ts). */
  inspectSeatTx: SeatTxInspector;
  /** Data-availability attestation checker (see event.ts). */
  inspectDa: DaInspector;
}

function tokenEquals(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let d = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) d |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return d === 0;
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Serves signer requests.
 * @example
 * ```ts
 * import { Signer } from "./signer.ts";
 * import { SoftwareBackend } from "./backend.ts";
 * import { SlashingProtection } from "./slashing.ts";
 * const slashing = await SlashingProtection.open({ path: (await Deno.makeTempDir()) + "/s.json", genesisId: new Uint8Array(32) });
 * const s = new Signer({ token: null }, { backend: new SoftwareBackend({ seed: new Uint8Array(64), network: "testnet" }), slashing, inspectEvent: () => { throw new Error("none"); }, inspectSeatTx: () => { throw new Error("none"); }, inspectDa: () => { throw new Error("none"); } });
 * const line = await s.handleLine(new TextEncoder().encode('{"v":1,"id":1,"method":"get_status","params":{}}'));
 * console.assert(line.includes('"result"'));
 * ```
 */
export class Signer {
  readonly #opts: SignerOptions;
  readonly #m: SignerModules;

  /**
   * @param opts bearer token policy
   * @param modules back end, slashing protection, event inspector
   */
  constructor(opts: SignerOptions, modules: SignerModules) {
    this.#opts = opts;
    this.#m = modules;
  }

  /**
   * Handles one request line and returns the response line; never throws for bad input.
   * @param line request bytes without the newline
   * @returns response line with trailing newline
   */
  async handleLine(line: Uint8Array): Promise<string> {
    let id = null as Request["id"] | null;
    try {
      const req = parseRequest(line);
      id = req.id;
      const result = await this.handle(req);
      return encodeResponse({ v: PROTOCOL_VERSION, id, result } as Response);
    } catch (e) {
      return encodeResponse(Signer.errorResponse(id ?? salvageId(line), e));
    }
  }

  /**
   * Turns an error into a wire error response. Slashing refusals travel as
   * SLASHING_REFUSED with the slashing code in `data.slashingCode`.
   * @param id request id or null
   * @param e the error
   * @returns the response object
   */
  static errorResponse(id: Request["id"] | null, e: unknown): Response {
    if (e instanceof SignerError) {
      return { v: 1, id, error: { code: e.code, message: e.message, data: e.data } };
    }
    if (e instanceof SlashingError) {
      return {
        v: 1,
        id,
        error: {
          code: "SLASHING_REFUSED",
          message: e.message,
          data: { slashingCode: e.code, ...e.data },
        },
      };
    }
    const reason = e instanceof Error ? e.message : String(e);
    return {
      v: 1,
      id,
      error: { code: "INTERNAL", message: `Signer failed: ${reason}`, data: { reason } },
    };
  }

  /**
   * Handles a validated request.
   * @param req the request
   * @returns the method's result
   * @throws {SignerError} UNAUTHORIZED, ROLE_MISMATCH, EVENT_INVALID, NONCE_*, MUSIG_INVALID
   * @throws {SlashingError} when slashing protection refuses an event
   */
  async handle(req: Request): Promise<MethodResults[Request["method"]]> {
    if (this.#opts.token !== null) {
      if (req.auth === null || !tokenEquals(req.auth, this.#opts.token)) {
        throw new SignerError("UNAUTHORIZED", {}, "Request refused: missing or wrong bearer token");
      }
    }
    if (req.method !== "get_status") {
      const allowed = METHOD_ROLES[req.method];
      const role = req.params.key.role;
      if (!allowed.includes(role)) {
        throw new SignerError(
          "ROLE_MISMATCH",
          { method: req.method, role, allowed },
          `Request refused: method "${req.method}" cannot use a ${role} key (allowed: ${
            allowed.join(", ")
          })`,
        );
      }
    }
    const b = this.#m.backend;
    switch (req.method) {
      case "get_status":
        return {
          version: PROTOCOL_VERSION,
          backend: b.kind,
          network: b.network,
          methods: Object.keys(METHOD_ROLES) as (keyof typeof METHOD_ROLES)[],
        };
      case "get_public_key": {
        const pk = await b.publicKey(req.params.key);
        return {
          x_only: bytesToHex(pk.xOnly),
          compressed: bytesToHex(pk.compressed),
          path: pk.path,
        };
      }
      case "get_bls_key": {
        const k = await b.blsKey(req.params.key);
        return { public_key: bytesToHex(k.publicKey), pop: bytesToHex(k.pop) };
      }
      case "sign_event":
        return await this.#signEvent(req.params.key, req.params.event);
      case "sign_da_attestation": {
        let view: DaView;
        try {
          view = this.#m.inspectDa(req.params.attestation, req.params.header);
        } catch (e) {
          const reason = e instanceof Error ? e.message : String(e);
          throw new SignerError("EVENT_INVALID", { reason }, `Cannot sign attestation: ${reason}`);
        }
        const sig = await b.signSchnorr(req.params.key, view.digest);
        return { signature: bytesToHex(sig), digest: bytesToHex(view.digest) };
      }
      case "sign_seat_tx":
        return await this.#signSeatTx(req.params.key, req.params.tx, req.params.spentOutputs);
      case "sign_tx":
      case "sign_bond":
      case "sign_payout": {
        const sig = await b.signSchnorr(req.params.key, req.params.sighash);
        return { signature: bytesToHex(sig) };
      }
      case "musig_nonce": {
        const r = await b.musigNonce(req.params);
        return { session: r.session, public_nonce: bytesToHex(r.publicNonce) };
      }
      case "musig_sign": {
        const p = req.params;
        const own = await b.publicKey(p.key);
        if (!p.publicKeys.some((k) => eq(k, own.compressed))) {
          throw new SignerError(
            "MUSIG_INVALID",
            { reason: "own key not among pubkeys" },
            "MuSig2 input rejected: the signer's key is not among the session's public keys",
          );
        }
        const psig = await b.musigPartialSign(p);
        return { partial_sig: bytesToHex(psig) };
      }
    }
  }

  async #signSeatTx(
    key: KeyRef,
    tx: Uint8Array,
    spent: Uint8Array[],
  ): Promise<MethodResults["sign_seat_tx"]> {
    let view: SeatTxView;
    try {
      view = this.#m.inspectSeatTx(tx, spent);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new SignerError("TX_INVALID", { reason }, `Cannot sign seat transaction: ${reason}`);
    }
    const pk = await this.#m.backend.publicKey(key);
    // The seat key only authorizes transactions that name it; anything else would let the node
    // turn the seat key into a general spending key.
    if (!eq(view.seatKey, pk.xOnly)) {
      const reason = "transaction names another seat key";
      throw new SignerError("TX_INVALID", { reason }, `Cannot sign seat transaction: ${reason}`);
    }
    const sig = await this.#m.backend.signSchnorr(key, view.sighash);
    return { signature: bytesToHex(sig), sighash: bytesToHex(view.sighash) };
  }

  async #signEvent(key: KeyRef, event: Uint8Array): Promise<MethodResults["sign_event"]> {
    let view: EventView;
    try {
      view = this.#m.inspectEvent(event);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new SignerError("EVENT_INVALID", { reason }, `Cannot sign event: ${reason}`);
    }
    const pk = await this.#m.backend.publicKey(key);
    // Checked and fsync'd before the signature exists (docs/spec/keys.md 5.2).
    await this.#m.slashing.approve(pk.xOnly, {
      shard: view.shard,
      creator: view.creator,
      epoch: view.epoch,
      seq: view.seq,
      id: view.id,
      selfParent: view.selfParent,
    });
    const sig = await this.#m.backend.signSchnorr(key, view.signingHash);
    return { signature: bytesToHex(sig), event_id: bytesToHex(view.id) };
  }
}
