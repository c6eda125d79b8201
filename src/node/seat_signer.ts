/**
 * Where the node's consensus events get their seat signature: the {@linkcode SeatSigner} seam with
 * two back ends, {@linkcode RemoteSeatSigner} (phantom-signer over its socket: the seat key never
 * enters the node and every event passes the signer's slashing protection) and
 * {@linkcode KeyFileSeatSigner} (the seat key file, dev-only). Decision:
 * docs/adr/0057-node-signs-through-phantom-signer.md.
 * @module
 */
import { encodeEventHeader, type EventHeader } from "../codec/mod.ts";
import { schnorrSign, schnorrVerify } from "../crypto/mod.ts";
import type { NetworkName } from "../params/mod.ts";
import { type SignerAddress, SignerClient, SignerError } from "../signer/mod.ts";
import type { LoadedConfig } from "./config.ts";
import { ConfigError, NodeError } from "./errors.ts";
import type { SeatKey } from "./keys.ts";

/** Signs the node's own consensus events with its seat key, wherever that key lives. */
export interface SeatSigner {
  /** `remote` (phantom-signer) or `key_file` (dev-only local key). */
  readonly kind: "remote" | "key_file";
  /** Where the key lives, for logs and errors (`unix:/run/...`, `tcp:127.0.0.1:N`, a path). */
  readonly label: string;
  /**
   * The seat's x-only public key.
   * @throws {NodeError} SIGNER_UNAVAILABLE, SIGNER_REFUSED, SIGNER_MISMATCH (remote only)
   */
  publicKey(): Promise<Uint8Array>;
  /**
   * Signs `eventId(header)`; `id` is the caller's own computation of it, checked by the remote
   * back end against the signer's.
   * @returns the 64-byte BIP-340 signature, verified against {@linkcode SeatSigner.publicKey}
   * @throws {NodeError} SIGNER_UNAVAILABLE, SIGNER_REFUSED (e.g. slashing protection),
   *   SIGNER_MISMATCH (remote only)
   */
  signEvent(header: EventHeader, id: Uint8Array): Promise<Uint8Array>;
  /** Releases the connection, if any. */
  close(): void;
}

/**
 * The dev-only back end: a seat key read from the node's seat key file. No slashing protection
 * beyond the node's own DAG (a node restarted with a wiped DAG can equivocate).
 * @example
 * ```ts
 * import { KeyFileSeatSigner } from "./seat_signer.ts";
 * import { schnorrPublicKey } from "../crypto/mod.ts";
 * const sk = new Uint8Array(32).fill(1);
 * const s = new KeyFileSeatSigner({ secretKey: sk, publicKey: schnorrPublicKey(sk) }, "seat.key");
 * console.assert((await s.publicKey()).length === 32);
 * ```
 */
export class KeyFileSeatSigner implements SeatSigner {
  /** Back-end kind. */
  readonly kind = "key_file";
  /** The key file path. */
  readonly label: string;
  readonly #key: SeatKey;

  /**
   * @param key the seat key pair
   * @param label where it came from (the file path)
   */
  constructor(key: SeatKey, label = "seat key file") {
    this.#key = key;
    this.label = label;
  }

  /** The key's public half, known without I/O. */
  get knownPublicKey(): Uint8Array {
    return this.#key.publicKey;
  }

  /** @inheritdoc */
  publicKey(): Promise<Uint8Array> {
    return Promise.resolve(this.#key.publicKey);
  }

  /** @inheritdoc */
  signEvent(_header: EventHeader, id: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(schnorrSign(id, this.#key.secretKey));
  }

  /** Nothing to release. */
  close(): void {}
}

/** Options of {@linkcode RemoteSeatSigner}. */
export interface RemoteSeatSignerOptions {
  /** The signer's Unix socket, or its 127.0.0.1 TCP port. */
  readonly address: SignerAddress;
  /** Bearer token (required by TCP signers), or null. */
  readonly token: string | null;
  /** Seat key reference in the signer's tree: `m/9770'/coin'/1'/account'/index'`. */
  readonly account: number;
  /** See `account`. */
  readonly index: number;
  /** The node's network: a signer whose keystore serves another network is refused. */
  readonly network: NetworkName;
  /** Longest wait for one connect + request + answer, in ms (the connection is dropped after). */
  readonly timeoutMs: number;
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const TRANSPORT_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.BrokenPipe,
  Deno.errors.BadResource,
  Deno.errors.NotConnected,
  Deno.errors.PermissionDenied,
  Deno.errors.TimedOut,
];

/**
 * The production back end: phantom-signer over its socket (docs/spec/keys.md §4). One connection,
 * opened lazily and re-opened after any transport failure or timeout, so a signer that restarts
 * is picked up again without restarting the node. On first use it checks the signer's network and
 * caches the seat public key.
 * @example
 * ```ts
 * import { RemoteSeatSigner } from "./seat_signer.ts";
 * const s = new RemoteSeatSigner({
 *   address: { transport: "unix", path: "/nonexistent/signer.sock" }, token: null,
 *   account: 0, index: 0, network: "devnet", timeoutMs: 500,
 * });
 * await s.publicKey().catch((e) => console.assert(e.code === "SIGNER_UNAVAILABLE"));
 * ```
 */
export class RemoteSeatSigner implements SeatSigner {
  /** Back-end kind. */
  readonly kind = "remote";
  /** `unix:<path>` or `tcp:127.0.0.1:<port>`. */
  readonly label: string;
  readonly #o: RemoteSeatSignerOptions;
  #client: SignerClient | null = null;
  #pk: Uint8Array | null = null;

  /**
   * @param options address, token, key reference, network and timeout
   * @throws {RangeError} on an out-of-range key reference or timeout
   */
  constructor(options: RemoteSeatSignerOptions) {
    for (const [name, v] of [["account", options.account], ["index", options.index]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
        throw new RangeError(`Invalid seat key ${name}: ${v} is outside 0..2147483647`);
      }
    }
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1) {
      throw new RangeError(`Invalid signer timeout: ${options.timeoutMs} ms`);
    }
    this.#o = options;
    const a = options.address;
    this.label = a.transport === "unix" ? `unix:${a.path}` : `tcp:127.0.0.1:${a.port}`;
  }

  get #key() {
    return { role: "seat", account: this.#o.account, index: this.#o.index } as const;
  }

  /** @inheritdoc */
  async publicKey(): Promise<Uint8Array> {
    if (this.#pk !== null) return this.#pk;
    const pk = await this.#call(async (c) => {
      const st = await c.raw(JSON.stringify({
        v: 1,
        id: "status",
        method: "get_status",
        params: {},
        ...(this.#o.token === null ? {} : { auth: this.#o.token }),
      }));
      const result = st.result as { network?: unknown } | undefined;
      if (result === undefined) {
        const err = (st.error ?? {}) as { code?: string; message?: string };
        throw new SignerError(
          err.code === "UNAUTHORIZED" ? "UNAUTHORIZED" : "INTERNAL",
          {} as never,
          err.message ?? "get_status failed",
        );
      }
      if (result.network !== this.#o.network) {
        throw new NodeError({
          code: "SIGNER_MISMATCH",
          signer: this.label,
          detail: `its keystore serves network ${
            JSON.stringify(result.network)
          }, this node runs "${this.#o.network}"`,
        });
      }
      return (await c.getPublicKey(this.#key)).xOnly;
    });
    this.#pk = pk;
    return pk;
  }

  /** @inheritdoc */
  async signEvent(header: EventHeader, id: Uint8Array): Promise<Uint8Array> {
    const pk = await this.publicKey();
    const r = await this.#call((c) => c.signEvent(this.#key, encodeEventHeader(header)));
    // A signer on another protocol version or a wrong key would make the node publish events
    // every peer rejects; catch it here as a typed error instead.
    if (!eq(r.eventId, id)) {
      throw new NodeError({
        code: "SIGNER_MISMATCH",
        signer: this.label,
        detail: "the event id it signed differs from the node's",
      });
    }
    if (r.signature.length !== 64 || !schnorrVerify(r.signature, id, pk)) {
      throw new NodeError({
        code: "SIGNER_MISMATCH",
        signer: this.label,
        detail: "its event signature does not verify under the seat public key",
      });
    }
    return r.signature;
  }

  /** Closes the connection (a later call opens a new one). */
  close(): void {
    const c = this.#client;
    this.#client = null;
    try {
      c?.close();
    } catch {
      // Already closed by the signer side; nothing left to release.
    }
  }

  async #connect(): Promise<SignerClient> {
    if (this.#client !== null) return this.#client;
    const c = await SignerClient.connect(this.#o.address, this.#o.token);
    this.#client = c;
    return c;
  }

  /** Runs one request with the timeout, mapping every failure to a typed NodeError. */
  async #call<T>(f: (c: SignerClient) => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutMark()),
        this.#o.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#connect().then(f), timeout]);
    } catch (e) {
      throw this.#typed(e);
    } finally {
      clearTimeout(timer);
    }
  }

  #typed(e: unknown): unknown {
    const unavailable = (reason: string, cause: unknown) => {
      // The stream may hold a late answer to the abandoned request: never reuse it.
      this.close();
      return new NodeError({ code: "SIGNER_UNAVAILABLE", signer: this.label, reason }, { cause });
    };
    if (e instanceof TimeoutMark) {
      return unavailable(`no answer within ${this.#o.timeoutMs} ms`, e);
    }
    if (e instanceof NodeError) return e;
    if (e instanceof SignerError) {
      if (e.code === "TRANSPORT_FAILED" || e.code === "INTERNAL") {
        return unavailable(e.message, e);
      }
      const data = e.data as { slashingCode?: unknown };
      return new NodeError({
        code: "SIGNER_REFUSED",
        signer: this.label,
        signerCode: e.code,
        slashingCode: typeof data.slashingCode === "string" ? data.slashingCode : null,
        detail: e.message,
      }, { cause: e });
    }
    if (TRANSPORT_ERRORS.some((k) => e instanceof k)) {
      return unavailable((e as Error).message, e);
    }
    if (e instanceof SyntaxError) return unavailable(`malformed answer: ${e.message}`, e);
    return e;
  }
}

/** Marks the timeout branch of {@linkcode RemoteSeatSigner}'s race. */
class TimeoutMark extends Error {
  override name = "TimeoutMark";
}

/**
 * The remote seat signer the configuration asks for (`[signer] socket` or `port`), or null when
 * neither is set (the node then uses the dev-only seat key file).
 * @param loaded the node's loaded configuration
 * @param readFile reads the token file (default Deno.readTextFile)
 * @returns the signer (not yet connected), or null
 * @throws {ConfigError} CONFIG_NOT_ALLOWED when both socket and port are set, or a port without a
 *   token file; CONFIG_UNREADABLE when the token file cannot be read or is empty
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * import { remoteSeatSignerFromConfig } from "./seat_signer.ts";
 * const loaded = loadConfig({ env: { HOME: "/h" }, flags: { "signer.socket": "/run/s.sock" }, readFile: () => null });
 * console.assert((await remoteSeatSignerFromConfig(loaded))?.label === "unix:/run/s.sock");
 * ```
 */
export async function remoteSeatSignerFromConfig(
  loaded: LoadedConfig,
  readFile: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<RemoteSeatSigner | null> {
  const c = loaded.config;
  const socket = c["signer.socket"];
  const port = c["signer.port"];
  const tokenFile = c["signer.token_file"];
  if (socket === "" && port === 0) return null;
  if (socket !== "" && port !== 0) {
    throw new ConfigError("CONFIG_NOT_ALLOWED", {
      key: "signer.port",
      value: port,
      allowed: "0 when signer.socket is set (one transport)",
      source: loaded.sources["signer.port"],
    });
  }
  if (port !== 0 && tokenFile === "") {
    throw new ConfigError("CONFIG_NOT_ALLOWED", {
      key: "signer.token_file",
      value: "",
      allowed: "a token file: a TCP signer requires a bearer token",
      source: loaded.sources["signer.token_file"],
    });
  }
  let token: string | null = null;
  if (tokenFile !== "") {
    const source = loaded.sources["signer.token_file"];
    try {
      token = (await readFile(tokenFile)).trim();
    } catch (e) {
      throw new ConfigError("CONFIG_UNREADABLE", {
        key: "signer.token_file",
        value: tokenFile,
        allowed: e instanceof Error ? e.message : String(e),
        source,
      }, { cause: e });
    }
    if (token === "") {
      throw new ConfigError("CONFIG_UNREADABLE", {
        key: "signer.token_file",
        value: tokenFile,
        allowed: "the file is empty",
        source,
      });
    }
  }
  return new RemoteSeatSigner({
    address: socket !== "" ? { transport: "unix", path: socket } : { transport: "tcp", port },
    token,
    account: c["signer.seat_account"],
    index: c["signer.seat_index"],
    network: c["node.network"],
    timeoutMs: c["signer.timeout_ms"],
  });
}
