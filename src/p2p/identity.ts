/**
 * The node's libp2p identity: an Ed25519 key persisted in the data directory with mode 0600,
 * created on first start (docs/spec/p2p.md §6).
 * @module
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { P2pError } from "./errors.ts";

/** File name of the identity key inside the data directory. */
export const IDENTITY_KEY_FILE = "p2p_identity.key";

/**
 * Loads the identity key from `<dataDir>/p2p_identity.key`, creating it (0600, written to a
 * temporary file and renamed, so a crash never leaves half a key) when absent.
 * @param dataDir directory that holds the key (created when missing)
 * @returns the Ed25519 private key
 * @throws {P2pError} `IDENTITY_KEY` when the file is unreadable, malformed, not Ed25519, or
 *   readable by group/others on a POSIX system
 * @example
 * ```ts
 * import { loadOrCreateIdentity } from "./identity.ts";
 * const dir = await Deno.makeTempDir();
 * const a = await loadOrCreateIdentity(dir);
 * const b = await loadOrCreateIdentity(dir);
 * console.assert(a.equals(b));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<PrivateKey> {
  if (typeof dataDir !== "string" || dataDir === "") {
    throw new TypeError(`Invalid data directory: "${String(dataDir)}"`);
  }
  const path = `${dataDir}/${IDENTITY_KEY_FILE}`;
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.mode !== null && (info.mode & 0o077) !== 0) {
      throw new P2pError("IDENTITY_KEY", {
        path,
        detail: `mode 0${(info.mode & 0o777).toString(8)} lets others read it, want 0600`,
      });
    }
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      if (e instanceof P2pError) throw e;
      throw new P2pError("IDENTITY_KEY", { path, detail: String(e) });
    }
    return await createIdentity(dataDir, path);
  }
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (e) {
    throw new P2pError("IDENTITY_KEY", { path, detail: `malformed key: ${String(e)}` });
  }
  if (key.type !== "Ed25519") {
    throw new P2pError("IDENTITY_KEY", { path, detail: `key type ${key.type}, want Ed25519` });
  }
  return key;
}

async function createIdentity(dataDir: string, path: string): Promise<PrivateKey> {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = await generateKeyPair("Ed25519");
  const tmp = `${path}.tmp`;
  await Deno.writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 });
  // writeFile's mode is masked by umask and ignored for an existing file: set it explicitly.
  if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
  return key;
}
