/**
 * The devnet's phantom-signer (`deno task devnet --remote-signer`): one signer process holds every
 * seat key of the devnet (seat i = `m/9770'/1'/1'/0'/i'`) and each node signs through it
 * (`[signer] socket`, `seat_index = i` in its phantom.toml) instead of a seat key file. Devnet only:
 * the keystore passphrase is a fixed string and the mnemonic is written next to it.
 * Decision: docs/adr/0057-node-signs-through-phantom-signer.md.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  createKeystore,
  generateMnemonic,
  mnemonicToSeed,
  openKeystore,
  SoftwareBackend,
} from "../signer/mod.ts";
import { exists } from "./_fs.ts";
import { NodeError } from "./errors.ts";

/** Keystore passphrase of the devnet signer (devnet only: the keys guard nothing of value). */
export const DEVNET_SIGNER_PASSPHRASE = "phantomcoin-devnet";

/** Files of the devnet signer under `<dir>/signer/` (a 0700 directory). */
export interface DevnetSigner {
  /** Encrypted keystore. */
  readonly keystore: string;
  /** Slashing-protection store. */
  readonly slashing: string;
  /** Unix socket the nodes connect to. */
  readonly socket: string;
  /** x-only seat public keys, seat order. */
  readonly seatKeys: readonly Uint8Array[];
}

/**
 * Creates (or reopens) the devnet signer's keystore and derives the seat keys of `seats` seats.
 * @param dir devnet root directory
 * @param seats committee size
 * @returns paths and seat public keys
 * @throws {KeystoreError} when an existing keystore cannot be opened
 * @example
 * ```ts ignore
 * const s = await initDevnetSigner("./data/devnet", 4);
 * console.log(s.seatKeys.map((k) => k.length));
 * ```
 */
export async function initDevnetSigner(dir: string, seats: number): Promise<DevnetSigner> {
  const sdir = `${dir}/signer`;
  await Deno.mkdir(sdir, { recursive: true, mode: 0o700 });
  // The signer refuses a socket in a directory others can write to; mkdir's mode is umask-filtered.
  await Deno.chmod(sdir, 0o700);
  const keystore = `${sdir}/keystore.json`;
  let seed: Uint8Array;
  if (await exists(keystore)) {
    seed = (await openKeystore(keystore, DEVNET_SIGNER_PASSPHRASE)).seed;
  } else {
    const mnemonic = generateMnemonic();
    seed = mnemonicToSeed(mnemonic);
    // Cheap scrypt: a devnet keystore guards nothing and should open in milliseconds.
    await createKeystore(keystore, seed, DEVNET_SIGNER_PASSPHRASE, {
      network: "devnet",
      scrypt: { n: 1 << 12, r: 8, p: 1 },
    });
    await Deno.writeTextFile(`${sdir}/mnemonic.txt`, mnemonic + "\n", { mode: 0o600 });
  }
  const backend = new SoftwareBackend({ seed, network: "devnet" });
  seed.fill(0);
  const seatKeys: Uint8Array[] = [];
  for (let i = 0; i < seats; i++) {
    seatKeys.push((await backend.publicKey({ role: "seat", account: 0, index: i })).xOnly);
  }
  backend.close();
  return {
    keystore,
    slashing: `${sdir}/slashing.json`,
    socket: `${sdir}/signer.sock`,
    seatKeys,
  };
}

/**
 * Writes `<dataDir>/devnet/phantom.toml` of node `seat` pointing at the devnet signer.
 * @param dataDir the node's base data dir
 * @param seat seat index (= key index in the signer)
 * @param signer the devnet signer
 */
export async function writeDevnetSignerConfig(
  dataDir: string,
  seat: number,
  signer: DevnetSigner,
): Promise<void> {
  await Deno.mkdir(`${dataDir}/devnet`, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(
    `${dataDir}/devnet/phantom.toml`,
    `# Written by the devnet (--remote-signer): seat ${seat} signs through phantom-signer.\n` +
      `[signer]\nsocket = ${JSON.stringify(signer.socket)}\nseat_index = ${seat}\n`,
  );
}

const SIGNER_ENTRY = new URL("../../phantom-signer.ts", import.meta.url).pathname;

/** What {@linkcode spawnSigner} starts a phantom-signer process with. */
export interface SignerProcessOptions {
  /** Encrypted keystore. */
  readonly keystore: string;
  /** Slashing-protection store. */
  readonly slashing: string;
  /** Unix socket it serves. */
  readonly socket: string;
  /** 32-byte genesis id the slashing store is bound to. */
  readonly genesisId: Uint8Array;
  /** Keystore passphrase (passed in the environment, never on the command line). */
  readonly passphrase: string;
  /** How long to wait for the socket, ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Where the signer's stderr goes (default inherited). */
  readonly stderr?: "inherit" | "null";
}

/**
 * Starts a phantom-signer process (`phantom-signer run`) and waits until its socket accepts.
 * @param o keystore, slashing store, socket, genesis id, passphrase
 * @returns the process (stop it with SIGTERM)
 * @throws {NodeError} `SIGNER_UNAVAILABLE` when the socket does not accept in time (the process is killed)
 */
export async function spawnSigner(o: SignerProcessOptions): Promise<Deno.ChildProcess> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SIGNER_ENTRY,
      "run",
      "--keystore",
      o.keystore,
      "--slashing",
      o.slashing,
      "--genesis-id",
      bytesToHex(o.genesisId),
      "--socket",
      o.socket,
    ],
    env: { PHANTOM_SIGNER_PASSPHRASE: o.passphrase },
    stdin: "null",
    stdout: "null",
    stderr: o.stderr ?? "inherit",
  }).spawn();
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    try {
      const st = await Deno.lstat(o.socket);
      if (st.isSocket) {
        (await Deno.connect({ transport: "unix", path: o.socket })).close();
        return child;
      }
    } catch (e) {
      // Not there yet (a stale socket refuses until the new signer replaces it): poll again.
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.ConnectionRefused)) {
        child.kill("SIGKILL");
        throw e;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new NodeError({
    code: "SIGNER_UNAVAILABLE",
    signer: o.socket,
    reason: `it did not open its socket within ${timeoutMs} ms`,
  });
}

/**
 * Starts the devnet signer process and waits until its socket accepts.
 * @param signer the devnet signer
 * @param genesisId 32-byte genesis id the slashing store is bound to
 * @param timeoutMs how long to wait for the socket
 * @returns the process (stop it with SIGTERM)
 * @throws {NodeError} `SIGNER_UNAVAILABLE` when the socket does not accept in time (the process is killed)
 */
export function spawnDevnetSigner(
  signer: DevnetSigner,
  genesisId: Uint8Array,
  timeoutMs = 30_000,
): Promise<Deno.ChildProcess> {
  return spawnSigner({ ...signer, genesisId, passphrase: DEVNET_SIGNER_PASSPHRASE, timeoutMs });
}
