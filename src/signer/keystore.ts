/**
 * Encrypted keystore: the master seed encrypted under a passphrase with scrypt + AES-256-GCM,
 * written atomically with mode 0600 (docs/spec/keys.md section 3).
 * @module
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { bytesToHex, hexToBytes, randomBytes } from "@noble/hashes/utils.js";
import { KeystoreError } from "./errors.ts";
import { fileMode, writeFileAtomic } from "./_fs.ts";
import type { Network } from "./derive.ts";
import { NETWORK_NAMES } from "../params/mod.ts";

/** Keystore file format version. */
export const KEYSTORE_VERSION = 1;
/** Largest keystore file accepted, checked before parsing. */
export const MAX_KEYSTORE_BYTES = 16 * 1024;
/** Default scrypt parameters: N=2^17, r=8, p=1 (about 128 MiB and ~1 s). */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = { n: 1 << 17, r: 8, p: 1 };
/** Bounds on scrypt parameters read from a file (below: too weak; above: memory DoS). */
export const SCRYPT_LIMITS = { minLogN: 10, maxLogN: 20, maxR: 16, maxP: 4 } as const;

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  n: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** Options of {@linkcode createKeystore}. */
export interface CreateKeystoreOptions {
  /** Network of the keys. */
  network: Network;
  /** Free text label (at most 64 characters). */
  label?: string;
  /** scrypt parameters; defaults to {@linkcode DEFAULT_SCRYPT}. */
  scrypt?: ScryptParams;
  /** Replace an existing file instead of refusing with KEYSTORE_EXISTS. */
  overwrite?: boolean;
}

/** A decrypted keystore. */
export interface OpenedKeystore {
  /** The master seed (16..64 bytes). */
  seed: Uint8Array;
  /** Network of the keys. */
  network: Network;
  /** Label stored with the keystore. */
  label: string;
}

interface KeystoreFile {
  version: 1;
  network: Network;
  label: string;
  kdf: { name: "scrypt"; n: number; r: number; p: number; salt: string };
  cipher: { name: "aes-256-gcm"; nonce: string };
  ciphertext: string;
}

const enc = new TextEncoder();

function checkScrypt(s: ScryptParams, onBad: (field: string) => never): void {
  const logN = Math.log2(s.n);
  if (
    !Number.isInteger(s.n) || !Number.isInteger(logN) || logN < SCRYPT_LIMITS.minLogN ||
    logN > SCRYPT_LIMITS.maxLogN
  ) onBad("kdf.n");
  if (!Number.isInteger(s.r) || s.r < 1 || s.r > SCRYPT_LIMITS.maxR) onBad("kdf.r");
  if (!Number.isInteger(s.p) || s.p < 1 || s.p > SCRYPT_LIMITS.maxP) onBad("kdf.p");
}

// The AAD binds every header field to the ciphertext, so editing the network, label or KDF
// parameters in the file makes decryption fail instead of silently changing meaning.
function aad(f: Omit<KeystoreFile, "ciphertext">): Uint8Array<ArrayBuffer> {
  return enc.encode(JSON.stringify([
    "phantomcoin-keystore",
    f.version,
    f.network,
    f.label,
    f.kdf.name,
    f.kdf.n,
    f.kdf.r,
    f.kdf.p,
    f.kdf.salt,
    f.cipher.name,
    f.cipher.nonce,
  ]));
}

async function deriveAesKey(
  passphrase: string,
  salt: Uint8Array,
  s: ScryptParams,
): Promise<CryptoKey> {
  const raw = await scryptAsync(enc.encode(passphrase.normalize("NFKD")), salt, {
    N: s.n,
    r: s.r,
    p: s.p,
    dkLen: 32,
    maxmem: 1024 * s.n * s.r + 1024 * 1024,
  });
  try {
    return await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  } finally {
    raw.fill(0);
  }
}

function checkPassphrase(passphrase: string): void {
  if (typeof passphrase !== "string") throw new TypeError("Invalid passphrase: expected a string");
  if (passphrase.length === 0) throw new RangeError("Invalid passphrase: empty");
}

/**
 * Encrypts `seed` under `passphrase` and writes the keystore atomically with mode 0600.
 * @param path file to write
 * @param seed master seed, 16..64 bytes
 * @param passphrase non-empty passphrase (NFKD-normalized before scrypt)
 * @param opts network, label, scrypt parameters, overwrite
 * @returns nothing
 * @throws {KeystoreError} KEYSTORE_EXISTS when the file exists and `overwrite` is not set
 * @throws {TypeError} {RangeError} on bad seed, passphrase, label or scrypt parameters
 * @example
 * ```ts
 * import { createKeystore, openKeystore } from "./keystore.ts";
 * const path = await Deno.makeTempFile();
 * await createKeystore(path, new Uint8Array(64), "pw", { network: "testnet", scrypt: { n: 1024, r: 8, p: 1 }, overwrite: true });
 * console.assert((await openKeystore(path, "pw")).network === "testnet");
 * ```
 */
export async function createKeystore(
  path: string,
  seed: Uint8Array,
  passphrase: string,
  opts: CreateKeystoreOptions,
): Promise<void> {
  if (!(seed instanceof Uint8Array)) throw new TypeError("Invalid seed: expected Uint8Array");
  if (seed.length < 16 || seed.length > 64) {
    throw new RangeError(`Invalid seed: length ${seed.length} is outside 16..64`);
  }
  checkPassphrase(passphrase);
  if (!NETWORK_NAMES.includes(opts.network)) {
    throw new TypeError(`Invalid network: ${JSON.stringify(opts.network)}`);
  }
  const label = opts.label ?? "";
  if (typeof label !== "string" || label.length > 64) {
    throw new RangeError(`Invalid label: ${JSON.stringify(label)} is longer than 64 characters`);
  }
  const s = opts.scrypt ?? DEFAULT_SCRYPT;
  checkScrypt(s, (field) => {
    throw new RangeError(`Invalid scrypt parameters: ${field} out of range`);
  });
  if (!opts.overwrite) {
    const exists = await Deno.lstat(path).then(() => true, (e) => {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    });
    if (exists) {
      throw new KeystoreError(
        "KEYSTORE_EXISTS",
        { path },
        `Cannot create keystore "${path}": file exists`,
      );
    }
  }
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const header: Omit<KeystoreFile, "ciphertext"> = {
    version: KEYSTORE_VERSION,
    network: opts.network,
    label,
    kdf: { name: "scrypt", n: s.n, r: s.r, p: s.p, salt: bytesToHex(salt) },
    cipher: { name: "aes-256-gcm", nonce: bytesToHex(nonce) },
  };
  const key = await deriveAesKey(passphrase, salt, s);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: aad(header) },
      key,
      new Uint8Array(seed),
    ),
  );
  const file: KeystoreFile = { ...header, ciphertext: bytesToHex(ct) };
  await writeFileAtomic(path, enc.encode(JSON.stringify(file, null, 2) + "\n"));
}

/**
 * Refuses a file that group or others can read or write.
 * @param path file to check
 * @returns nothing
 * @throws {KeystoreError} KEYSTORE_PERMISSIONS when `mode & 0o077` is non-zero; KEYSTORE_NOT_FOUND
 * @example
 * ```ts
 * import { checkPrivateFile } from "./keystore.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.chmod(p, 0o600);
 * await checkPrivateFile(p);
 * ```
 */
export async function checkPrivateFile(path: string): Promise<void> {
  let mode: number | null;
  try {
    mode = await fileMode(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new KeystoreError("KEYSTORE_NOT_FOUND", { path }, `Cannot open "${path}": not found`);
    }
    throw e;
  }
  if (mode !== null && (mode & 0o077) !== 0) {
    throw new KeystoreError(
      "KEYSTORE_PERMISSIONS",
      { path, mode },
      `Refusing "${path}": mode ${
        mode.toString(8).padStart(4, "0")
      } lets group or others access it; run chmod 600`,
    );
  }
}

function corrupt(path: string, field: string): never {
  throw new KeystoreError(
    "KEYSTORE_CORRUPT",
    { path, field },
    `Cannot read keystore "${path}": bad field "${field}"`,
  );
}

function hexField(path: string, field: string, v: unknown, len: number | null): Uint8Array {
  if (typeof v !== "string" || !/^([0-9a-f]{2})*$/.test(v)) corrupt(path, field);
  const b = hexToBytes(v);
  if (len !== null && b.length !== len) corrupt(path, field);
  return b;
}

function parseKeystore(path: string, bytes: Uint8Array): KeystoreFile {
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    // Malformed JSON or UTF-8 is reported as a typed corruption error below.
    return corrupt(path, "$");
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) corrupt(path, "$");
  const o = j as Record<string, unknown>;
  const allowed = ["version", "network", "label", "kdf", "cipher", "ciphertext"];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) corrupt(path, k);
  if (o.version !== KEYSTORE_VERSION) corrupt(path, "version");
  if (!NETWORK_NAMES.includes(o.network as Network)) corrupt(path, "network");
  if (typeof o.label !== "string" || o.label.length > 64) corrupt(path, "label");
  const kdf = o.kdf as Record<string, unknown> | null;
  if (typeof kdf !== "object" || kdf === null || kdf.name !== "scrypt") corrupt(path, "kdf.name");
  const s = { n: kdf.n as number, r: kdf.r as number, p: kdf.p as number };
  checkScrypt(s, (f) => corrupt(path, f));
  hexField(path, "kdf.salt", kdf.salt, 32);
  const cipher = o.cipher as Record<string, unknown> | null;
  if (typeof cipher !== "object" || cipher === null || cipher.name !== "aes-256-gcm") {
    corrupt(path, "cipher.name");
  }
  hexField(path, "cipher.nonce", cipher.nonce, 12);
  const ct = hexField(path, "ciphertext", o.ciphertext, null);
  if (ct.length < 16 + 16 || ct.length > 64 + 16) corrupt(path, "ciphertext");
  return {
    version: KEYSTORE_VERSION,
    network: o.network as Network,
    label: o.label,
    kdf: { name: "scrypt", ...s, salt: kdf.salt as string },
    cipher: { name: "aes-256-gcm", nonce: cipher.nonce as string },
    ciphertext: o.ciphertext as string,
  };
}

/**
 * Opens and decrypts a keystore after checking its permissions and size.
 * @param path keystore file
 * @param passphrase the passphrase it was created with
 * @returns the seed, network and label
 * @throws {KeystoreError} KEYSTORE_NOT_FOUND, KEYSTORE_PERMISSIONS, KEYSTORE_CORRUPT,
 *   KEYSTORE_BAD_PASSPHRASE
 * @example
 * ```ts
 * import { createKeystore, openKeystore } from "./keystore.ts";
 * const path = await Deno.makeTempFile();
 * await createKeystore(path, new Uint8Array(32), "pw", { network: "mainnet", scrypt: { n: 1024, r: 8, p: 1 }, overwrite: true });
 * const ks = await openKeystore(path, "pw");
 * console.assert(ks.seed.length === 32);
 * ```
 */
export async function openKeystore(path: string, passphrase: string): Promise<OpenedKeystore> {
  checkPassphrase(passphrase);
  await checkPrivateFile(path);
  const st = await Deno.stat(path);
  if (!st.isFile) corrupt(path, "$");
  if (st.size > MAX_KEYSTORE_BYTES) corrupt(path, "$");
  const f = parseKeystore(path, await Deno.readFile(path));
  const key = await deriveAesKey(passphrase, hexToBytes(f.kdf.salt), f.kdf);
  let seed: Uint8Array;
  try {
    seed = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: hexToBytes(f.cipher.nonce), additionalData: aad(f) },
        key,
        hexToBytes(f.ciphertext),
      ),
    );
  } catch (e) {
    if (e instanceof DOMException && e.name === "OperationError") {
      throw new KeystoreError(
        "KEYSTORE_BAD_PASSPHRASE",
        { path },
        `Cannot decrypt keystore "${path}": wrong passphrase or tampered file`,
      );
    }
    throw e;
  }
  return { seed, network: f.network, label: f.label };
}
