/**
 * Socket server of phantom-signer: JSON lines over a Unix socket (mode 0600) or over
 * 127.0.0.1 TCP with a mandatory bearer token (docs/spec/keys.md section 4.1).
 * @module
 */
import { SignerError } from "./errors.ts";
import { encodeResponse, MAX_REQUEST_BYTES } from "./protocol.ts";
import { Signer } from "./signer.ts";

/** Where the server listens. */
export type SignerListen =
  | { transport: "unix"; path: string }
  | { transport: "tcp"; port: number };

/** Options of {@linkcode SignerServer}. */
export interface SignerServerOptions {
  /** Listening address; TCP always binds 127.0.0.1 and needs the handler to have a token. */
  listen: SignerListen;
  /** Most concurrent connections; more are closed at once. */
  maxConnections?: number;
}

/** Dependencies of {@linkcode SignerServer}. */
export interface SignerServerModules {
  /** The request handler. */
  signer: Signer;
  /** Whether the handler enforces a bearer token (required for TCP). */
  hasToken: boolean;
}

/** Default connection limit. */
export const DEFAULT_MAX_CONNECTIONS = 64;

/**
 * Serves a {@linkcode Signer} on a local socket. Requests of one connection are answered in
 * order; a line longer than {@linkcode MAX_REQUEST_BYTES} gets REQUEST_TOO_LARGE and the
 * connection is closed (the stream cannot be resynchronized without reading unbounded data).
 * @example
 * ```ts
 * // See server_test.ts for a full round trip.
 * import { SignerServer } from "./server.ts";
 * console.assert(typeof SignerServer === "function");
 * ```
 */
export class SignerServer {
  readonly #opts: SignerServerOptions;
  readonly #m: SignerServerModules;
  #listener: Deno.Listener | null = null;
  readonly #conns = new Set<Deno.Conn>();
  #loop: Promise<void> | null = null;
  readonly #handlers = new Set<Promise<void>>();

  /**
   * @param opts listening address and limits
   * @param modules handler
   */
  constructor(opts: SignerServerOptions, modules: SignerServerModules) {
    this.#opts = opts;
    this.#m = modules;
  }

  /** The bound TCP port (after start), or null for Unix sockets. */
  get port(): number | null {
    const a = this.#listener?.addr;
    return a !== undefined && a.transport === "tcp" ? a.port : null;
  }

  /**
   * Starts listening.
   * @returns nothing
   * @throws {RangeError} when TCP is asked for without a bearer token, or when the socket's
   *   directory is writable by group or others
   */
  async start(): Promise<void> {
    if (this.#listener !== null) return;
    const l = this.#opts.listen;
    if (l.transport === "tcp") {
      if (!this.#m.hasToken) {
        throw new RangeError("Invalid signer listen address: TCP requires a bearer token");
      }
      this.#listener = Deno.listen({ transport: "tcp", hostname: "127.0.0.1", port: l.port });
    } else {
      await checkSocketDir(l.path);
      await removeStaleSocket(l.path);
      this.#listener = Deno.listen({ transport: "unix", path: l.path });
      await Deno.chmod(l.path, 0o600);
    }
    this.#loop = this.#accept(this.#listener);
  }

  /**
   * Stops listening, closes every connection and waits for handlers to finish.
   * @returns nothing
   */
  async stop(): Promise<void> {
    const l = this.#listener;
    if (l === null) return;
    this.#listener = null;
    l.close();
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // Already closed by the peer; nothing to release.
      }
    }
    await this.#loop;
    await Promise.allSettled([...this.#handlers]);
    if (this.#opts.listen.transport === "unix") {
      await Deno.remove(this.#opts.listen.path).catch(() => {
        // The socket file may already be gone; stopping must not fail on that.
      });
    }
  }

  async #accept(l: Deno.Listener): Promise<void> {
    const max = this.#opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    while (true) {
      let c: Deno.Conn;
      try {
        c = await l.accept();
      } catch (e) {
        if (this.#listener === null) return; // stopped
        if (e instanceof Deno.errors.BadResource) return;
        throw e;
      }
      if (this.#conns.size >= max) {
        c.close();
        continue;
      }
      this.#conns.add(c);
      const h = this.#serve(c).finally(() => {
        this.#conns.delete(c);
        this.#handlers.delete(h);
      });
      this.#handlers.add(h);
    }
  }

  async #serve(c: Deno.Conn): Promise<void> {
    const w = async (s: string) => {
      const b = new TextEncoder().encode(s);
      let off = 0;
      while (off < b.length) off += await c.write(b.subarray(off));
    };
    let buf = new Uint8Array(0);
    const chunk = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const n = await c.read(chunk);
        if (n === null) return;
        const merged = new Uint8Array(buf.length + n);
        merged.set(buf);
        merged.set(chunk.subarray(0, n), buf.length);
        buf = merged;
        let nl: number;
        while ((nl = buf.indexOf(10)) >= 0) {
          const line = buf.subarray(0, nl);
          buf = buf.slice(nl + 1);
          if (line.length > MAX_REQUEST_BYTES) {
            await this.#tooLarge(w, line.length);
            return;
          }
          await w(await this.#m.signer.handleLine(line));
        }
        if (buf.length > MAX_REQUEST_BYTES) {
          await this.#tooLarge(w, buf.length);
          return;
        }
      }
    } catch (e) {
      // A peer that disconnects mid-request is normal; anything else is a bug worth surfacing.
      if (
        !(e instanceof Deno.errors.BadResource || e instanceof Deno.errors.ConnectionReset ||
          e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.Interrupted)
      ) throw e;
    } finally {
      try {
        c.close();
      } catch {
        // Closed by stop() already.
      }
    }
  }

  async #tooLarge(w: (s: string) => Promise<void>, bytes: number): Promise<void> {
    const e = new SignerError(
      "REQUEST_TOO_LARGE",
      { bytes, limit: MAX_REQUEST_BYTES },
      `Request refused: more than ${MAX_REQUEST_BYTES} bytes without a newline`,
    );
    await w(encodeResponse(Signer.errorResponse(null, e)));
  }
}

// The socket is created before chmod can run; a directory that only the owner can write to closes
// that window (nobody else can create, replace or race on the socket path).
async function checkSocketDir(path: string): Promise<void> {
  const i = path.lastIndexOf("/");
  const dir = i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
  const st = await Deno.stat(dir);
  if (st.mode !== null && (st.mode & 0o022) !== 0) {
    throw new RangeError(
      `Invalid socket path "${path}": directory mode ${
        (st.mode & 0o777).toString(8)
      } lets group or others write; use a 0700 directory`,
    );
  }
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await Deno.lstat(path);
    if (st.isSocket) await Deno.remove(path);
    else throw new RangeError(`Invalid socket path "${path}": a non-socket file exists there`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
}
