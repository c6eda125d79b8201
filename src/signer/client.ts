/**
 * Clients of the signer protocol: {@linkcode SignerClient} over a socket (for phantom-node and
 * the wallet) and {@linkcode LocalSignerApi} in-process (tests, single-binary setups). Both
 * implement {@linkcode SignerApi}, the interface the wallet's PSPT signing and the node use.
 * @module
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import type { KeyRef } from "./derive.ts";
import { SIGNER_ERROR_CODES, SignerError, type SignerErrorCode } from "./errors.ts";
import {
  MAX_REQUEST_BYTES,
  type Method,
  type MethodResults,
  PROTOCOL_VERSION,
} from "./protocol.ts";
import type { Signer } from "./signer.ts";

/** Typed signer operations; bytes in, bytes out. */
export interface SignerApi {
  /** x-only (32) and compressed (33) public keys of `key`. */
  getPublicKey(key: KeyRef): Promise<{ xOnly: Uint8Array; compressed: Uint8Array; path: string }>;
  /** BLS12-381 public key and proof of possession of a seat key (for bond transactions). */
  getBlsKey(key: KeyRef): Promise<{ publicKey: Uint8Array; pop: Uint8Array }>;
  /** Signs an unsigned event encoding with a seat key (slashing-protected). */
  signEvent(
    key: KeyRef,
    unsignedEvent: Uint8Array,
  ): Promise<{ signature: Uint8Array; eventId: Uint8Array }>;
  /** Seat signature of a data-availability attestation, checked against the event header. */
  signDaAttestation(
    key: KeyRef,
    attestation: Uint8Array,
    header: Uint8Array,
  ): Promise<{ signature: Uint8Array; digest: Uint8Array }>;
  /** Seat key authorization of a bond/unbond transaction naming it (extra witness). */
  signSeatTx(
    key: KeyRef,
    tx: Uint8Array,
    spentOutputs: Uint8Array[],
  ): Promise<{ signature: Uint8Array; sighash: Uint8Array }>;
  /** Signs a 32-byte sighash; the method is chosen by the key's role (wallet, bond, payout). */
  signSighash(key: KeyRef, sighash: Uint8Array): Promise<Uint8Array>;
  /** Opens a MuSig2 session, returns its id and 66-byte public nonce. */
  musigNonce(
    key: KeyRef,
    opts?: { aggPublicKey?: Uint8Array; msg?: Uint8Array },
  ): Promise<{ session: string; publicNonce: Uint8Array }>;
  /** Produces this signer's 32-byte partial signature, consuming the session's nonce. */
  musigSign(
    key: KeyRef,
    p: {
      session: string;
      aggNonce: Uint8Array;
      publicKeys: Uint8Array[];
      msg: Uint8Array;
      tweaks?: Uint8Array[];
      isXonly?: boolean[];
    },
  ): Promise<Uint8Array>;
}

type Call = <M extends Method>(
  method: M,
  params: Record<string, unknown>,
) => Promise<MethodResults[M]>;

function keyJson(k: KeyRef): Record<string, unknown> {
  return k.chain === undefined
    ? { role: k.role, account: k.account, index: k.index }
    : { role: k.role, account: k.account, index: k.index, chain: k.chain };
}

const SIGHASH_METHOD = { wallet: "sign_tx", bond: "sign_bond", payout: "sign_payout" } as const;

function makeApi(call: Call): SignerApi {
  return {
    async getPublicKey(key) {
      const r = await call("get_public_key", { key: keyJson(key) });
      return { xOnly: hexToBytes(r.x_only), compressed: hexToBytes(r.compressed), path: r.path };
    },
    async getBlsKey(key) {
      const r = await call("get_bls_key", { key: keyJson(key) });
      return { publicKey: hexToBytes(r.public_key), pop: hexToBytes(r.pop) };
    },
    async signEvent(key, ev) {
      const r = await call("sign_event", { key: keyJson(key), event: bytesToHex(ev) });
      return { signature: hexToBytes(r.signature), eventId: hexToBytes(r.event_id) };
    },
    async signDaAttestation(key, attestation, header) {
      const r = await call("sign_da_attestation", {
        key: keyJson(key),
        attestation: bytesToHex(attestation),
        header: bytesToHex(header),
      });
      return { signature: hexToBytes(r.signature), digest: hexToBytes(r.digest) };
    },
    async signSeatTx(key, tx, spent) {
      const r = await call("sign_seat_tx", {
        key: keyJson(key),
        tx: bytesToHex(tx),
        spent_outputs: spent.map(bytesToHex),
      });
      return { signature: hexToBytes(r.signature), sighash: hexToBytes(r.sighash) };
    },
    async signSighash(key, sighash) {
      // A seat key has no sighash method; sign_tx then answers ROLE_MISMATCH.
      const method = key.role === "seat" ? "sign_tx" : SIGHASH_METHOD[key.role];
      const r = await call(method, { key: keyJson(key), sighash: bytesToHex(sighash) });
      return hexToBytes(r.signature);
    },
    async musigNonce(key, opts = {}) {
      const p: Record<string, unknown> = { key: keyJson(key) };
      if (opts.aggPublicKey !== undefined) p.agg_pubkey = bytesToHex(opts.aggPublicKey);
      if (opts.msg !== undefined) p.msg = bytesToHex(opts.msg);
      const r = await call("musig_nonce", p);
      return { session: r.session, publicNonce: hexToBytes(r.public_nonce) };
    },
    async musigSign(key, p) {
      const r = await call("musig_sign", {
        key: keyJson(key),
        session: p.session,
        agg_nonce: bytesToHex(p.aggNonce),
        pubkeys: p.publicKeys.map(bytesToHex),
        msg: bytesToHex(p.msg),
        tweaks: (p.tweaks ?? []).map(bytesToHex),
        is_xonly: p.isXonly ?? [],
      });
      return hexToBytes(r.partial_sig);
    },
  };
}

async function transport<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (
      e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset ||
      e instanceof Deno.errors.BadResource || e instanceof Deno.errors.NotConnected
    ) {
      throw new SignerError(
        "TRANSPORT_FAILED",
        { reason: e.message },
        `Signer connection failed: ${e.message}`,
      );
    }
    throw e;
  }
}

function errorFromWire(e: unknown): SignerError {
  const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
  const code = SIGNER_ERROR_CODES.includes(o.code as SignerErrorCode)
    ? o.code as SignerErrorCode
    : "INTERNAL";
  const message = typeof o.message === "string" ? o.message : "Signer failed: no message";
  const data = (typeof o.data === "object" && o.data !== null ? o.data : {}) as never;
  return new SignerError(code, data, message);
}

/** Forwards every {@linkcode SignerApi} method to an API built by `makeApi`. */
class DelegatingSignerApi implements SignerApi {
  readonly #api: SignerApi;
  constructor(api: SignerApi) {
    this.#api = api;
  }
  /** @inheritdoc */
  getPublicKey(key: KeyRef) {
    return this.#api.getPublicKey(key);
  }
  /** @inheritdoc */
  getBlsKey(key: KeyRef) {
    return this.#api.getBlsKey(key);
  }
  /** @inheritdoc */
  signEvent(key: KeyRef, ev: Uint8Array) {
    return this.#api.signEvent(key, ev);
  }
  /** @inheritdoc */
  signDaAttestation(key: KeyRef, attestation: Uint8Array, header: Uint8Array) {
    return this.#api.signDaAttestation(key, attestation, header);
  }
  /** @inheritdoc */
  signSeatTx(key: KeyRef, tx: Uint8Array, spentOutputs: Uint8Array[]) {
    return this.#api.signSeatTx(key, tx, spentOutputs);
  }
  /** @inheritdoc */
  signSighash(key: KeyRef, sighash: Uint8Array) {
    return this.#api.signSighash(key, sighash);
  }
  /** @inheritdoc */
  musigNonce(key: KeyRef, opts?: { aggPublicKey?: Uint8Array; msg?: Uint8Array }) {
    return this.#api.musigNonce(key, opts);
  }
  /** @inheritdoc */
  musigSign(key: KeyRef, p: Parameters<SignerApi["musigSign"]>[1]) {
    return this.#api.musigSign(key, p);
  }
}

/**
 * In-process {@linkcode SignerApi}: requests go through the same JSON validation and role
 * policy as over the socket.
 * @example
 * ```ts
 * import { LocalSignerApi } from "./client.ts";
 * console.assert(typeof LocalSignerApi === "function");
 * ```
 */
export class LocalSignerApi extends DelegatingSignerApi {
  /**
   * @param signer the handler
   * @param token bearer token to send, if the handler requires one
   */
  constructor(signer: Signer, token: string | null = null) {
    let id = 0;
    super(makeApi(async (method, params) => {
      const req: Record<string, unknown> = { v: PROTOCOL_VERSION, id: id++, method, params };
      if (token !== null) req.auth = token;
      const line = new TextEncoder().encode(JSON.stringify(req));
      const resp = JSON.parse(await signer.handleLine(line)) as Record<string, unknown>;
      if ("error" in resp) throw errorFromWire(resp.error);
      return resp.result as never;
    }));
  }
}

/** Where {@linkcode SignerClient} connects. */
export type SignerAddress = { transport: "unix"; path: string } | {
  transport: "tcp";
  port: number;
};

/**
 * Socket client: one connection, requests sent one at a time in order.
 * @example
 * ```ts
 * import { SignerClient } from "./client.ts";
 * // const c = await SignerClient.connect({ transport: "unix", path: "/run/phantom/signer.sock" });
 * console.assert(typeof SignerClient.connect === "function");
 * ```
 */
export class SignerClient extends DelegatingSignerApi {
  readonly #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  #queue: Promise<unknown> = Promise.resolve();
  #id = 0;

  private constructor(conn: Deno.Conn, token: string | null) {
    super(makeApi((method, params) => {
      const run = this.#queue.then(() => this.#roundTrip(method, params, token));
      this.#queue = run.catch(() => undefined);
      return run as never;
    }));
    this.#conn = conn;
  }

  /**
   * Connects to a signer.
   * @param addr Unix socket path or 127.0.0.1 port
   * @param token bearer token, required by TCP signers
   * @returns the client
   */
  static async connect(addr: SignerAddress, token: string | null = null): Promise<SignerClient> {
    const conn = addr.transport === "unix"
      ? await Deno.connect({ transport: "unix", path: addr.path })
      : await Deno.connect({ transport: "tcp", hostname: "127.0.0.1", port: addr.port });
    return new SignerClient(conn, token);
  }

  /**
   * Sends one raw request and returns the parsed response object (for tests and tools).
   * @param line request JSON without newline
   * @returns the response object
   */
  raw(line: string): Promise<Record<string, unknown>> {
    const run = this.#queue.then(async () => {
      await this.#write(line + "\n");
      return JSON.parse(await this.#readLine()) as Record<string, unknown>;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(s: string): Promise<void> {
    const b = new TextEncoder().encode(s);
    let off = 0;
    while (off < b.length) off += await transport(() => this.#conn.write(b.subarray(off)));
  }

  async #readLine(): Promise<string> {
    const chunk = new Uint8Array(16 * 1024);
    while (true) {
      const nl = this.#buf.indexOf(10);
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        return new TextDecoder().decode(line);
      }
      if (this.#buf.length > MAX_REQUEST_BYTES) {
        throw new SignerError(
          "TRANSPORT_FAILED",
          { reason: "response too large" },
          "Signer connection failed: response exceeds the line limit",
        );
      }
      const n = await transport(() => this.#conn.read(chunk));
      if (n === null) {
        throw new SignerError(
          "TRANSPORT_FAILED",
          { reason: "connection closed" },
          "Signer connection failed: closed by the signer",
        );
      }
      const m = new Uint8Array(this.#buf.length + n);
      m.set(this.#buf);
      m.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = m;
    }
  }

  async #roundTrip(
    method: Method,
    params: Record<string, unknown>,
    token: string | null,
  ): Promise<unknown> {
    const id = this.#id++;
    const req: Record<string, unknown> = { v: PROTOCOL_VERSION, id, method, params };
    if (token !== null) req.auth = token;
    await this.#write(JSON.stringify(req) + "\n");
    const resp = JSON.parse(await this.#readLine()) as Record<string, unknown>;
    if (resp.id !== id) {
      throw new SignerError(
        "INTERNAL",
        { reason: "response id mismatch" },
        `Signer failed: response id ${JSON.stringify(resp.id)} does not match ${id}`,
      );
    }
    if ("error" in resp) throw errorFromWire(resp.error);
    return resp.result;
  }

  /** Closes the connection. */
  close(): void {
    this.#conn.close();
  }
}
