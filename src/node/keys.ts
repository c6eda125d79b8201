/**
 * Seat key file: a BIP-340 secret key as hex in a mode-0600 file. Dev-only back end of the node's
 * seat signer (seat_signer.ts); in production phantom-signer holds the seat key and the node only
 * asks it for signatures (`[signer] socket`, ADR 0057).
 * @module
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { NodeError } from "./errors.ts";

/** A seat key pair. */
export interface SeatKey {
  /** 32-byte BIP-340 secret key. */
  readonly secretKey: Uint8Array;
  /** 32-byte x-only public key. */
  readonly publicKey: Uint8Array;
}

/**
 * Generates a seat key and writes it to `path` (created exclusively, mode 0600; parent directory
 * 0700). The file holds one line of hex.
 * @param path where to write
 * @param secretKey use this secret instead of a fresh random one (tests)
 * @returns the key pair
 * @throws {NodeError} KEY_EXISTS when the file exists (never overwritten)
 * @throws {Error} on other I/O failures
 * @example
 * ```ts
 * import { writeSeatKey } from "./keys.ts";
 * const dir = await Deno.makeTempDir();
 * const k = await writeSeatKey(`${dir}/keys/seat.key`);
 * console.assert(k.publicKey.length === 32);
 * ```
 */
export async function writeSeatKey(path: string, secretKey?: Uint8Array): Promise<SeatKey> {
  const sk = secretKey ?? schnorr.utils.randomSecretKey();
  const pk = schnorr.getPublicKey(sk);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  let f: Deno.FsFile;
  try {
    f = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new NodeError({ code: "KEY_EXISTS", path }, { cause: e });
    }
    throw e;
  }
  try {
    // mode in open() is filtered by the umask; make 0600 explicit.
    await Deno.chmod(path, 0o600);
    await f.write(new TextEncoder().encode(bytesToHex(sk) + "\n"));
    await f.syncData();
  } finally {
    f.close();
  }
  return { secretKey: sk, publicKey: pk };
}

/**
 * Reads a seat key file written by {@linkcode writeSeatKey}.
 * @param path the file
 * @returns the key pair
 * @throws {RangeError} when the file does not hold 64 hex characters of a valid secret key
 * @throws {Error} when the file is group/world readable or cannot be read
 * @example
 * ```ts
 * import { readSeatKey, writeSeatKey } from "./keys.ts";
 * const dir = await Deno.makeTempDir();
 * const k = await writeSeatKey(`${dir}/seat.key`);
 * console.assert((await readSeatKey(`${dir}/seat.key`)).publicKey.join() === k.publicKey.join());
 * ```
 */
export async function readSeatKey(path: string): Promise<SeatKey> {
  const st = await Deno.stat(path);
  if (st.mode !== null && (st.mode & 0o077) !== 0) {
    throw new Error(
      `Seat key file "${path}" is accessible by other users: mode ${
        (st.mode & 0o777).toString(8)
      }, expected 600`,
    );
  }
  const text = (await Deno.readTextFile(path)).trim();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new RangeError(`Seat key file "${path}" must hold 64 lowercase hex characters`);
  }
  const sk = hexToBytes(text);
  let pk: Uint8Array;
  try {
    pk = schnorr.getPublicKey(sk);
  } catch (e) {
    throw new RangeError(`Seat key file "${path}" holds an invalid secp256k1 secret key`, {
      cause: e,
    });
  }
  return { secretKey: sk, publicKey: pk };
}
