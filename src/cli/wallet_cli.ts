/**
 * The wallet command line, `phantom-signer wallet <command>` (ADR 0055): create and restore a
 * wallet (BIP-39 mnemonic into the signer's encrypted keystore plus a public `wallet.json`),
 * receive addresses (the first unused one by asking the node), balance and history through the
 * node's JSON-RPC, send (coin selection, PSPT, signing through a phantom-signer socket or the
 * local keystore, submit), and every PSPT role for offline and multi-party signing: create, sign,
 * combine, finalize, extract, submit.
 *
 * Secrets never travel on the command line: the keystore passphrase comes from
 * `--passphrase-file`, `$PHANTOM_WALLET_PASSPHRASE` or `--passphrase-stdin`; a mnemonic to restore
 * from `--mnemonic-file` or `--mnemonic-stdin`.
 *
 * Exit codes: 0 success, 1 runtime failure (node or signer unreachable, transaction refused),
 * 2 usage error (bad flag, value, address or amount), 3 keystore or wallet file problem (wrong
 * passphrase, missing, exists, corrupt), 4 insufficient funds.
 * @module
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeTx, txId as txIdOf } from "../codec/mod.ts";
import {
  createKeystore,
  generateMnemonic,
  KeystoreError,
  mnemonicToSeed,
  type Network,
  openKeystore,
  type SignerApi,
  SignerClient,
  SignerError,
  validateMnemonic,
  walletAccountXpub,
} from "../signer/mod.ts";
import { NETWORK_NAMES } from "../params/mod.ts";
import {
  addressToPredicate,
  combinePspt,
  extractTx,
  finalizePspt,
  type HistoryItem,
  MAX_PSPT_BYTES,
  NodeRpcClient,
  type Pspt,
  PsptError,
  psptFromBase64,
  psptToBase64,
  SeedSigner,
  signPspt,
  Wallet,
  WalletAccount,
  WalletError,
} from "../wallet/mod.ts";
import { intArg } from "./args.ts";
import { writeAll } from "./_io.ts";

/** Exit codes of the wallet commands. */
export const WALLET_EXIT = { OK: 0, FAILURE: 1, USAGE: 2, KEYSTORE: 3, FUNDS: 4 } as const;

/** Environment variable holding the keystore passphrase. */
export const PASSPHRASE_ENV = "PHANTOM_WALLET_PASSPHRASE";
/** Environment variable naming the wallet directory. */
export const WALLET_DIR_ENV = "PHANTOM_WALLET_DIR";
/** Environment variable with the node's base URL. */
export const NODE_URL_ENV = "PHANTOM_WALLET_NODE";
/** Node URL when neither `--node` nor the environment gives one (phantom-node's default port). */
export const DEFAULT_NODE_URL = "http://127.0.0.1:8645";
/** Version of `wallet.json`. */
export const WALLET_FILE_VERSION = 1;
/** Keys scanned per chain at least (docs/spec/wallet.md §2). */
export const WALLET_GAP_LIMIT = 20;
/** Highest receive index `address --new` hands out (the scan covers every index handed out). */
export const MAX_RECEIVE_INDEX = 999;

/** Units per PC. */
const UNITS_PER_PC = 100_000_000n;

/** Writers, environment and standard input of the wallet commands; tests replace them. */
export interface WalletIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Reads all of standard input (only called for the `--*-stdin` flags). */
  readonly stdin: () => Promise<string>;
}

/** The public part of a wallet, `<wallet-dir>/wallet.json`. */
export interface WalletFile {
  /** Format version. */
  version: 1;
  /** Network of the keys. */
  network: Network;
  /** BIP-32 account number. */
  account: number;
  /** Account extended public key. */
  xpub: string;
  /** Next receive index `address --new` hands out; the current address is the one before. */
  next_receive: number;
}

/** A usage error: exit code 2. */
class UsageError extends Error {
  override name = "UsageError";
}

/** A wallet directory problem (missing, exists, corrupt wallet.json): exit code 3. */
class WalletFileError extends Error {
  override name = "WalletFileError";
}

/** The process's real stdout, stderr, environment and stdin. */
export function processWalletIo(): WalletIo {
  return {
    out: (t) => writeAll(Deno.stdout, t),
    err: (t) => writeAll(Deno.stderr, t),
    env: Deno.env.toObject(),
    stdin: () => new Response(Deno.stdin.readable).text(),
  };
}

/**
 * Parses a PC amount with at most 8 decimals ("1", "0.5", "12.00000001") into units.
 * @param text the amount
 * @returns units, above zero
 * @throws {InvalidArgumentError} on anything else (signs, exponents, spaces, more decimals)
 * @example
 * ```ts
 * import { parsePcAmount } from "./wallet_cli.ts";
 * console.assert(parsePcAmount("1.5") === 150_000_000n);
 * ```
 */
export function parsePcAmount(text: string): bigint {
  const m = /^(0|[1-9][0-9]{0,7})(?:\.([0-9]{1,8}))?$/.exec(text);
  if (m === null) {
    throw new InvalidArgumentError(
      `--amount expects PC with at most 8 decimals, e.g. 1.5 (got "${text.slice(0, 40)}")`,
    );
  }
  const units = BigInt(m[1]!) * UNITS_PER_PC + BigInt((m[2] ?? "").padEnd(8, "0"));
  if (units === 0n) throw new InvalidArgumentError("--amount must be above zero");
  return units;
}

/**
 * Formats units as PC with 8 decimals.
 * @param units amount in units (may be negative)
 * @returns e.g. "1.50000000"
 */
export function formatPc(units: bigint): string {
  const neg = units < 0n;
  const a = neg ? -units : units;
  return `${neg ? "-" : ""}${a / UNITS_PER_PC}.${(a % UNITS_PER_PC).toString().padStart(8, "0")}`;
}

function networkArg(v: string): Network {
  if (!(NETWORK_NAMES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`--network expects one of ${NETWORK_NAMES.join(", ")}`);
  }
  return v as Network;
}

function urlArg(v: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(v)) {
    throw new InvalidArgumentError(`--node expects an http(s) URL (got "${v.slice(0, 80)}")`);
  }
  return v;
}

interface CommonOpts {
  walletDir?: string;
  passphraseFile?: string;
  passphraseStdin?: boolean;
}

interface NodeOpts extends CommonOpts {
  node?: string;
  nodeTokenFile?: string;
}

function walletDir(io: WalletIo, o: CommonOpts): string {
  const d = o.walletDir ?? io.env[WALLET_DIR_ENV];
  if (d !== undefined && d !== "") return d.replace(/\/+$/, "");
  const home = io.env["HOME"];
  if (home === undefined || home === "") {
    throw new UsageError(`Missing wallet directory: give --wallet-dir or set ${WALLET_DIR_ENV}`);
  }
  return `${home}/.phantomcoin/wallet`;
}

async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    const st = await Deno.stat(path);
    if (!st.isFile || st.size > 4096) {
      throw new UsageError(`Invalid ${what} file "${path}": not a small regular file`);
    }
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `Cannot read ${what} file "${path}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return text.replace(/\r?\n$/, "");
}

/** Standard input, read at most once and split into lines (mnemonic first, then passphrase). */
class StdinLines {
  #lines: string[] | null = null;
  constructor(private readonly io: WalletIo) {}
  async next(what: string): Promise<string> {
    if (this.#lines === null) this.#lines = (await this.io.stdin()).split(/\r?\n/);
    const l = this.#lines.shift();
    if (l === undefined || l === "") throw new UsageError(`Missing ${what} on standard input`);
    return l;
  }
}

async function passphrase(io: WalletIo, o: CommonOpts, stdin: StdinLines): Promise<string> {
  if (o.passphraseFile !== undefined && o.passphraseStdin === true) {
    throw new UsageError("Give one of --passphrase-file and --passphrase-stdin, not both");
  }
  let p: string | undefined;
  if (o.passphraseFile !== undefined) p = await readSecretFile(o.passphraseFile, "passphrase");
  else if (o.passphraseStdin === true) p = await stdin.next("passphrase");
  else p = io.env[PASSPHRASE_ENV];
  if (p === undefined || p === "") {
    throw new UsageError(
      `Missing passphrase: use --passphrase-file, --passphrase-stdin or set ${PASSPHRASE_ENV}`,
    );
  }
  return p;
}

function parseWalletFile(path: string, text: string): WalletFile {
  const bad = (field: string): never => {
    throw new WalletFileError(`Invalid wallet file "${path}": field "${field}"`);
  };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text);
  } catch {
    // Not JSON: reported as a corrupt wallet file, never as a crash.
    return bad("$");
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) bad("$");
  if (j.version !== WALLET_FILE_VERSION) bad("version");
  if (typeof j.network !== "string" || !(NETWORK_NAMES as readonly string[]).includes(j.network)) {
    bad("network");
  }
  if (typeof j.account !== "number" || !Number.isInteger(j.account) || j.account < 0) {
    bad("account");
  }
  if (typeof j.xpub !== "string" || j.xpub.length > 200) bad("xpub");
  const nr = j.next_receive;
  if (typeof nr !== "number" || !Number.isInteger(nr) || nr < 1 || nr > MAX_RECEIVE_INDEX + 1) {
    bad("next_receive");
  }
  return j as unknown as WalletFile;
}

async function readWalletFile(dir: string): Promise<WalletFile> {
  const path = `${dir}/wallet.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new WalletFileError(
        `No wallet in "${dir}": create one with "phantom-signer wallet create" or restore`,
      );
    }
    throw e;
  }
  return parseWalletFile(path, text);
}

async function writeWalletFile(dir: string, w: WalletFile): Promise<void> {
  const path = `${dir}/wallet.json`;
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(w, null, 2) + "\n", { mode: 0o600 });
  await Deno.rename(tmp, path);
}

function accountOf(w: WalletFile): WalletAccount {
  try {
    return WalletAccount.fromXpub(w.xpub, w.network, w.account);
  } catch (e) {
    throw new WalletFileError(`Invalid wallet file: ${(e as Error).message}`);
  }
}

function gapOf(w: WalletFile): number {
  return Math.max(WALLET_GAP_LIMIT, w.next_receive);
}

async function nodeClient(io: WalletIo, o: NodeOpts): Promise<NodeRpcClient> {
  const url = o.node ?? io.env[NODE_URL_ENV] ?? DEFAULT_NODE_URL;
  urlArgOrUsage(url);
  const token = o.nodeTokenFile === undefined
    ? undefined
    : await readSecretFile(o.nodeTokenFile, "node token");
  return new NodeRpcClient(token === undefined ? { url } : { url, token });
}

function urlArgOrUsage(url: string): void {
  try {
    urlArg(url);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function json(io: WalletIo, v: unknown): void {
  io.out(JSON.stringify(v, (_k, x) => typeof x === "bigint" ? x.toString() : x) + "\n");
}

function commonOptions(cmd: Command, passphraseToo: boolean): Command {
  cmd.option(
    "--wallet-dir <dir>",
    `wallet directory (env ${WALLET_DIR_ENV}; default ~/.phantomcoin/wallet)`,
  );
  if (passphraseToo) {
    cmd.option("--passphrase-file <path>", `keystore passphrase file (or env ${PASSPHRASE_ENV})`);
    cmd.option("--passphrase-stdin", "read the keystore passphrase from standard input");
  }
  return cmd;
}

function nodeOptions(cmd: Command): Command {
  cmd.option(
    "--node <url>",
    `node base URL (env ${NODE_URL_ENV}; default ${DEFAULT_NODE_URL})`,
    urlArg,
  );
  cmd.option("--node-token-file <path>", "bearer token for the node's RPC");
  return cmd;
}

interface SignerOpts extends CommonOpts {
  signerSocket?: string;
  signerTokenFile?: string;
}

/**
 * The signer of a send: a phantom-signer socket, or the wallet's keystore opened with the
 * passphrase. Opened before any node work, so a wrong passphrase or a dead signer fails fast.
 */
async function openSigner(
  io: WalletIo,
  o: SignerOpts,
  dir: string,
  w: WalletFile,
): Promise<SignerApi & { close(): void }> {
  if (o.signerSocket !== undefined) {
    const token = o.signerTokenFile === undefined
      ? null
      : await readSecretFile(o.signerTokenFile, "signer token");
    try {
      return await SignerClient.connect({ transport: "unix", path: o.signerSocket }, token);
    } catch (e) {
      throw new SignerError(
        "TRANSPORT_FAILED",
        { reason: (e as Error).message },
        `Cannot reach phantom-signer at "${o.signerSocket}": ${(e as Error).message}`,
      );
    }
  }
  const ks = await openKeystore(
    `${dir}/keystore.json`,
    await passphrase(io, o, new StdinLines(io)),
  );
  try {
    // wallet.json is not authenticated: a replaced xpub would pick coins and change keys the
    // keystore does not own, so it must derive from the keystore's seed.
    if (ks.network !== w.network || walletAccountXpub(ks.seed, w.network, w.account) !== w.xpub) {
      throw new WalletFileError(
        `Keystore and wallet file of "${dir}" do not match (network or account xpub)`,
      );
    }
    return new SeedSigner(ks.seed, ks.network);
  } finally {
    ks.seed.fill(0);
  }
}

function signerOptions(cmd: Command): Command {
  return cmd
    .option("--signer-socket <path>", "sign through a running phantom-signer (unix socket)")
    .option("--signer-token-file <path>", "bearer token of the signer");
}

async function readPsptFile(path: string): Promise<Pspt> {
  let text: string;
  try {
    const st = await Deno.stat(path);
    if (!st.isFile || st.size > 2 * MAX_PSPT_BYTES) {
      throw new UsageError(`Invalid PSPT file "${path}": not a regular file of sane size`);
    }
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `Cannot read PSPT file "${path}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return psptFromBase64(text.trim());
}

/** Prints `fields` plus the PSPT (base64), or writes the PSPT to `out` and prints its path. */
async function emitPspt(
  io: WalletIo,
  b64: string,
  out: string | undefined,
  fields: Record<string, unknown>,
): Promise<void> {
  if (out !== undefined) await Deno.writeTextFile(out, b64 + "\n");
  json(io, { ...fields, ...(out === undefined ? { pspt: b64 } : { out }) });
}

/** Finalizes `p` in place, or names the first input that is not fully signed (exit 1). */
function requireFinal(p: Pspt): void {
  if (!finalizePspt(p)) {
    const i = p.inputs.findIndex((x) => x.finalSigs === undefined);
    throw new PsptError("PSPT_NOT_FINAL", `inputs/${i}`, "not all inputs are signed");
  }
}

/** x-only keys (hex) the wallet derives within its scan, receive and change chains. */
function ownKeys(w: WalletFile): Set<string> {
  return new Set(
    [...accountOf(w).keysByCommitment(gapOf(w)).values()].map((k) => bytesToHex(k.xOnly)),
  );
}

async function createOrRestore(
  io: WalletIo,
  o: CommonOpts & {
    network: Network;
    account: number;
    mnemonicFile?: string;
    mnemonicStdin?: boolean;
    scryptLogN?: number;
  },
  restore: boolean,
): Promise<void> {
  const dir = walletDir(io, o);
  const stdin = new StdinLines(io);
  let mnemonic: string;
  if (restore) {
    if ((o.mnemonicFile === undefined) === (o.mnemonicStdin !== true)) {
      throw new UsageError("Give exactly one of --mnemonic-file and --mnemonic-stdin");
    }
    mnemonic = (o.mnemonicFile !== undefined
      ? await readSecretFile(o.mnemonicFile, "mnemonic")
      : await stdin.next("mnemonic")).trim().split(/\s+/).join(" ");
    if (!validateMnemonic(mnemonic)) {
      throw new UsageError("Invalid mnemonic: unknown word or bad checksum");
    }
  } else {
    mnemonic = generateMnemonic();
  }
  const pass = await passphrase(io, o, stdin);
  const keystore = `${dir}/keystore.json`;
  for (const p of [keystore, `${dir}/wallet.json`]) {
    const exists = await Deno.lstat(p).then(() => true, (e) => {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    });
    if (exists) throw new WalletFileError(`Cannot create wallet in "${dir}": "${p}" exists`);
  }
  const account = WalletAccount.fromMnemonic(mnemonic, o.network, o.account);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const seed = mnemonicToSeed(mnemonic);
  try {
    await createKeystore(keystore, seed, pass, {
      network: o.network,
      label: `wallet account ${o.account}`,
      ...(o.scryptLogN === undefined ? {} : { scrypt: { n: 1 << o.scryptLogN, r: 8, p: 1 } }),
    });
  } finally {
    seed.fill(0);
  }
  await writeWalletFile(dir, {
    version: WALLET_FILE_VERSION,
    network: o.network,
    account: o.account,
    xpub: account.xpub,
    next_receive: 1,
  });
  if (!restore) {
    io.err(
      "Write down the mnemonic below and keep it offline: it is shown once and is the only way " +
        "to restore this wallet.\n",
    );
    io.out(mnemonic + "\n");
  }
  json(io, {
    msg: restore ? "Wallet restored" : "Wallet created",
    dir,
    network: o.network,
    account: o.account,
    address: account.receiveKey(0).address,
  });
}

function mergeHistory(
  pages: { address: string; entries: HistoryItem[] }[],
): Map<string, { txid: string; anchor: bigint; kind: string; delta: bigint }> {
  const by = new Map<string, { txid: string; anchor: bigint; kind: string; delta: bigint }>();
  for (const p of pages) {
    for (const e of p.entries) {
      const id = bytesToHex(e.txId);
      const hit = by.get(id);
      if (hit === undefined) {
        by.set(id, { txid: id, anchor: e.anchor, kind: e.kind, delta: e.delta });
      } else hit.delta += e.delta;
    }
  }
  return by;
}

/**
 * Builds the `wallet` command (its subcommands and their actions).
 * @param io writers, environment, stdin
 * @param state receives the exit code of the action
 * @returns the command
 */
export function buildWalletCommand(io: WalletIo, state: { code: number }): Command {
  const wallet = new Command("phantom-signer wallet")
    .description(
      "PhantomCoin wallet: keys in the signer's encrypted keystore, balance, history and sends " +
        "through a node's JSON-RPC.",
    )
    .helpOption("-h, --help", "show help for a command")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText(
      "after",
      `
Examples:
  phantom-signer wallet create --network devnet --passphrase-file pass.txt
  phantom-signer wallet address --new
  phantom-signer wallet balance --node http://127.0.0.1:8645
  phantom-signer wallet send --to dpc1... --amount 1.5 --passphrase-file pass.txt
  phantom-signer wallet send --to dpc1... --amount 1.5 --signer-socket /run/phantom/signer.sock
  phantom-signer wallet send --to dpc1... --amount 1.5 --dry-run --pspt-out pay.pspt
  phantom-signer wallet pspt sign pay.pspt --out pay.signed.pspt --passphrase-file pass.txt
  phantom-signer wallet pspt combine a.pspt b.pspt --out both.pspt
  phantom-signer wallet pspt extract both.pspt
  phantom-signer wallet pspt submit pay.signed.pspt

Secrets never go on the command line: the passphrase comes from --passphrase-file,
--passphrase-stdin or $${PASSPHRASE_ENV}; a mnemonic from --mnemonic-file or --mnemonic-stdin.

Exit codes: 0 success, 1 runtime failure (node or signer, refused transaction),
2 usage error, 3 keystore or wallet file problem (e.g. wrong passphrase), 4 insufficient funds.`,
    );

  for (const restore of [false, true]) {
    const cmd = commonOptions(
      wallet.command(restore ? "restore" : "create")
        .description(
          restore
            ? "Restore a wallet from a BIP-39 mnemonic into a new encrypted keystore."
            : "Create a wallet: a new 24-word mnemonic (printed once) in a new encrypted keystore.",
        )
        .requiredOption("--network <name>", `network (${NETWORK_NAMES.join(", ")})`, networkArg)
        .option("--account <n>", "BIP-32 account number", intArg("--account", 0, 0x7fffffff), 0)
        .addOption(
          // Cheap KDF for tests only: the keystore stores its parameters, so it stays readable.
          new Option("--scrypt-log-n <n>").argParser(intArg("--scrypt-log-n", 10, 20)).hideHelp(),
        ),
      true,
    );
    if (restore) {
      cmd.option("--mnemonic-file <path>", "file holding the mnemonic")
        .option("--mnemonic-stdin", "read the mnemonic from the first line of standard input");
    }
    cmd.action(async (o) => {
      await createOrRestore(io, o, restore);
      state.code = WALLET_EXIT.OK;
    });
  }

  nodeOptions(commonOptions(
    wallet.command("address")
      .description(
        "Print the current receive address (Bech32m); --new hands out the next one; --unused " +
          "asks the node for the first receive address without history or balance.",
      )
      .option("--new", "advance to a fresh receive address")
      .option("--unused", "the first receive address the node has seen no use of (asks --node)"),
    false,
  )).action(async (o: NodeOpts & { new?: boolean; unused?: boolean }) => {
    const dir = walletDir(io, o);
    const w = await readWalletFile(dir);
    if (o.new === true && o.unused === true) {
      throw new UsageError("Give one of --new and --unused, not both");
    }
    if (o.unused === true) {
      const rpc = await nodeClient(io, o);
      const account = accountOf(w);
      for (let i = 0; i <= MAX_RECEIVE_INDEX; i++) {
        const k = account.receiveKey(i);
        // Finalized history or any balance (pending included) means the address was used.
        const h = await rpc.getHistory(k.address, { limit: 1 });
        if (h.entries.length > 0) continue;
        const b = await rpc.getBalance(k.address);
        if (b.confirmed !== 0n || b.pending !== 0n) continue;
        // Handing out an index past the current one extends the scan to cover it.
        if (i + 1 > w.next_receive) {
          w.next_receive = i + 1;
          await writeWalletFile(dir, w);
        }
        json(io, { address: k.address, index: i, network: w.network, unused: true });
        state.code = WALLET_EXIT.OK;
        return;
      }
      throw new UsageError(`No unused receive address up to index ${MAX_RECEIVE_INDEX}`);
    }
    if (o.new === true) {
      if (w.next_receive > MAX_RECEIVE_INDEX) {
        throw new UsageError(`No more receive addresses: index ${MAX_RECEIVE_INDEX} reached`);
      }
      w.next_receive++;
      await writeWalletFile(dir, w);
    }
    const index = w.next_receive - 1;
    json(io, { address: accountOf(w).receiveKey(index).address, index, network: w.network });
    state.code = WALLET_EXIT.OK;
  });

  nodeOptions(commonOptions(
    wallet.command("balance").description("Confirmed and pending balance of the wallet's keys."),
    false,
  )).action(async (o: NodeOpts) => {
    const w = await readWalletFile(walletDir(io, o));
    const rpc = await nodeClient(io, o);
    // Reading a balance is watch-only: no signer, no passphrase.
    const b = await new Wallet({ gapLimit: gapOf(w) }, {
      account: accountOf(w),
      rpc,
    }).balance();
    json(io, {
      confirmed: b.confirmed,
      pending: b.pending,
      confirmed_pc: formatPc(b.confirmed),
      pending_pc: formatPc(b.pending),
    });
    state.code = WALLET_EXIT.OK;
  });

  nodeOptions(commonOptions(
    wallet.command("history")
      .description(
        "Finalized credits and debits of the wallet, newest first, one line per transaction " +
          "(net over the wallet's addresses).",
      )
      .option("--limit <n>", "entries at most", intArg("--limit", 1, 200), 20),
    false,
  )).action(async (o: NodeOpts & { limit: number }) => {
    const w = await readWalletFile(walletDir(io, o));
    const rpc = await nodeClient(io, o);
    const account = accountOf(w);
    const pages = [];
    let truncated = false;
    for (const key of account.keysByCommitment(gapOf(w)).values()) {
      const p = await rpc.getHistory(key.address, { limit: o.limit });
      truncated ||= p.truncated || p.nextCursor !== null;
      pages.push({ address: key.address, entries: p.entries });
    }
    const all = [...mergeHistory(pages).values()].sort((a, b) =>
      a.anchor === b.anchor ? (a.txid < b.txid ? -1 : 1) : (a.anchor > b.anchor ? -1 : 1)
    );
    for (const e of all.slice(0, o.limit)) {
      json(io, { ...e, delta_pc: formatPc(e.delta) });
    }
    if (truncated && all.length >= o.limit) {
      io.err(`Showing the newest ${o.limit} entries; raise --limit for more\n`);
    }
    state.code = WALLET_EXIT.OK;
  });

  nodeOptions(signerOptions(commonOptions(
    wallet.command("send")
      .description(
        "Pay an address: select coins, add change, pay the node's fee floor, sign (phantom-signer " +
          "socket or the local keystore) and submit.",
      )
      .requiredOption("--to <address>", "recipient (Bech32m, this wallet's network)")
      .requiredOption("--amount <pc>", "amount in PC, at most 8 decimals", parsePcAmount)
      .option("--dry-run", "build and print the unsigned PSPT (base64) without signing")
      .option("--pspt-out <path>", "also write the unsigned PSPT (base64) to a file"),
    true,
  ))).action(
    async (
      o: NodeOpts & {
        to: string;
        amount: bigint;
        signerSocket?: string;
        signerTokenFile?: string;
        dryRun?: boolean;
        psptOut?: string;
      },
    ) => {
      const dir = walletDir(io, o);
      const w = await readWalletFile(dir);
      // A bad recipient is a usage error before any network or keystore work.
      addressToPredicate(o.to, w.network);
      const rpc = await nodeClient(io, o);
      const account = accountOf(w);
      let signer: SignerApi & { close(): void } | null = null;
      try {
        // The signer first: a wrong passphrase or a dead signer fails before any node work.
        if (o.dryRun !== true) signer = await openSigner(io, o, dir, w);
        const unsigned = new Wallet({ gapLimit: gapOf(w) }, { account, rpc });
        const { transfer, pspt } = await unsigned.prepare([{ to: o.to, amount: o.amount }]);
        if (o.psptOut !== undefined) await Deno.writeTextFile(o.psptOut, psptToBase64(pspt) + "\n");
        if (signer === null) {
          json(io, {
            pspt: psptToBase64(pspt),
            amount: o.amount,
            fee: transfer.fee,
            inputs: transfer.tx.inputs.length,
            change: transfer.changeKey?.address ?? null,
          });
          state.code = WALLET_EXIT.OK;
          return;
        }
        const tx = await new Wallet({ gapLimit: gapOf(w) }, { account, rpc, signer }).sign(pspt);
        const txId = await rpc.submitTx(encodeTx(tx));
        json(io, {
          txid: bytesToHex(txId),
          amount: o.amount,
          fee: transfer.fee,
          inputs: transfer.tx.inputs.length,
          change: transfer.changeKey?.address ?? null,
        });
        state.code = WALLET_EXIT.OK;
      } finally {
        signer?.close();
      }
    },
  );

  const pspt = wallet.command("pspt")
    .description(
      "PSPT roles (docs/spec/wallet.md §5.3): create, sign, combine, finalize, extract, submit.",
    );
  nodeOptions(commonOptions(
    pspt.command("create")
      .description(
        "Create the unsigned PSPT of a payment (coin selection, change, the node's fee floor, " +
          "spent outputs and key origins filled in); watch-only, like send --dry-run.",
      )
      .requiredOption("--to <address>", "recipient (Bech32m, this wallet's network)")
      .requiredOption("--amount <pc>", "amount in PC, at most 8 decimals", parsePcAmount)
      .option("--out <path>", "write the PSPT there instead of printing it"),
    false,
  )).action(async (o: NodeOpts & { to: string; amount: bigint; out?: string }) => {
    const w = await readWalletFile(walletDir(io, o));
    addressToPredicate(o.to, w.network);
    const rpc = await nodeClient(io, o);
    const { transfer, pspt: p } = await new Wallet({ gapLimit: gapOf(w) }, {
      account: accountOf(w),
      rpc,
    }).prepare([{ to: o.to, amount: o.amount }]);
    await emitPspt(io, psptToBase64(p), o.out, {
      amount: o.amount,
      fee: transfer.fee,
      inputs: transfer.tx.inputs.length,
      change: transfer.changeKey?.address ?? null,
    });
    state.code = WALLET_EXIT.OK;
  });
  signerOptions(commonOptions(
    pspt.command("sign")
      .argument("<file>", "PSPT, base64")
      .description(
        "Add this wallet's signatures to every input whose key origin it holds; prints the " +
          "updated PSPT (base64) and whether every input can now be finalized.",
      )
      .option("--out <path>", "write the signed PSPT there instead of printing it"),
    true,
  )).action(async (file: string, o: SignerOpts & { out?: string }) => {
    const dir = walletDir(io, o);
    const w = await readWalletFile(dir);
    const p = await readPsptFile(file);
    const signer = await openSigner(io, o, dir, w);
    try {
      // Only this wallet's keys: the other inputs of a multi-party PSPT are someone else's.
      const mine = ownKeys(w);
      const added = await signPspt(p, signer, { only: (x) => mine.has(x) });
      const b64 = psptToBase64(p);
      // Finalizing a copy tells whether it is complete without dropping signing material.
      const complete = finalizePspt(psptFromBase64(b64));
      if (o.out !== undefined) await Deno.writeTextFile(o.out, b64 + "\n");
      json(io, {
        signed: added,
        complete,
        ...(o.out === undefined ? { pspt: b64 } : { out: o.out }),
      });
    } finally {
      signer.close();
    }
    state.code = WALLET_EXIT.OK;
  });
  nodeOptions(commonOptions(
    pspt.command("submit")
      .argument("<file>", "fully signed PSPT, base64")
      .description("Finalize a fully signed PSPT, extract the transaction and submit it."),
    false,
  )).action(async (file: string, o: NodeOpts) => {
    const p = await readPsptFile(file);
    requireFinal(p);
    const txId = await (await nodeClient(io, o)).submitTx(encodeTx(extractTx(p)));
    json(io, { txid: bytesToHex(txId) });
    state.code = WALLET_EXIT.OK;
  });
  pspt.command("combine")
    .argument("<files...>", "two or more PSPTs of the same transaction, base64")
    .description(
      "Merge the signatures, MuSig2 nonces and partial signatures of PSPTs of one transaction " +
        "(any field with two different values is refused); prints the merged PSPT and whether " +
        "every input can now be finalized.",
    )
    .option("--out <path>", "write the merged PSPT there instead of printing it")
    .action(async (files: string[], o: { out?: string }) => {
      if (files.length < 2) throw new UsageError("pspt combine needs at least two PSPT files");
      let p = await readPsptFile(files[0]!);
      for (const f of files.slice(1)) p = combinePspt(p, await readPsptFile(f));
      const b64 = psptToBase64(p);
      // Finalizing a copy tells whether it is complete without dropping signing material.
      const complete = finalizePspt(psptFromBase64(b64));
      await emitPspt(io, b64, o.out, { combined: files.length, complete });
      state.code = WALLET_EXIT.OK;
    });
  pspt.command("finalize")
    .argument("<file>", "fully signed PSPT, base64")
    .description(
      "Turn the signatures of every input into its final witness (signing material dropped); " +
        "exit 1 naming the first input that is not fully signed.",
    )
    .option("--out <path>", "write the finalized PSPT there instead of printing it")
    .action(async (file: string, o: { out?: string }) => {
      const p = await readPsptFile(file);
      requireFinal(p);
      await emitPspt(io, psptToBase64(p), o.out, { complete: true });
      state.code = WALLET_EXIT.OK;
    });
  pspt.command("extract")
    .argument("<file>", "fully signed or finalized PSPT, base64")
    .description(
      "Finalize and print the signed transaction ({txid, tx} in hex) without submitting it.",
    )
    .action(async (file: string) => {
      const p = await readPsptFile(file);
      requireFinal(p);
      const tx = extractTx(p);
      const bytes = encodeTx(tx);
      json(io, { txid: bytesToHex(txIdOf(tx)), tx: bytesToHex(bytes), bytes: bytes.length });
      state.code = WALLET_EXIT.OK;
    });

  return wallet;
}

/**
 * The exit code and one-line message for an error thrown by a wallet command.
 * @param e the error
 * @returns exit code and message
 */
export function walletErrorExit(e: unknown): { code: number; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof UsageError) return { code: WALLET_EXIT.USAGE, message };
  if (e instanceof WalletFileError || e instanceof KeystoreError) {
    return { code: WALLET_EXIT.KEYSTORE, message };
  }
  if (e instanceof WalletError) {
    switch (e.code) {
      case "BAD_ADDRESS":
      case "BAD_AMOUNT":
        return { code: WALLET_EXIT.USAGE, message };
      case "INSUFFICIENT_FUNDS": {
        const d = (e as WalletError<"INSUFFICIENT_FUNDS">).data;
        return {
          code: WALLET_EXIT.FUNDS,
          message: `Insufficient funds: need ${formatPc(d.needed)} PC, have ${
            formatPc(d.available)
          } PC`,
        };
      }
      case "TOO_MANY_INPUTS":
        return { code: WALLET_EXIT.FUNDS, message };
      case "RPC_ERROR": {
        const d = (e as WalletError<"RPC_ERROR">).data;
        const extra = d.rpcData === null ? "" : ` ${JSON.stringify(d.rpcData).slice(0, 300)}`;
        return { code: WALLET_EXIT.FAILURE, message: `${message}${extra}` };
      }
      default:
        return { code: WALLET_EXIT.FAILURE, message };
    }
  }
  if (e instanceof PsptError) {
    // A PSPT that does not decode or contradicts itself is bad input; an unsigned one is not.
    return { code: e.code === "PSPT_NOT_FINAL" ? WALLET_EXIT.FAILURE : WALLET_EXIT.USAGE, message };
  }
  // SignerError and anything unexpected: a runtime failure, message shown as is.
  return { code: WALLET_EXIT.FAILURE, message };
}

/**
 * Runs `phantom-signer wallet <args>` and returns the exit code (does not exit).
 * @param args arguments after `wallet`
 * @param io writers, environment, stdin; default the process's
 * @returns the exit code ({@linkcode WALLET_EXIT})
 * @example
 * ```ts
 * import { walletMain } from "./wallet_cli.ts";
 * const err: string[] = [];
 * const code = await walletMain(["balance", "--node", "ftp://x"], {
 *   out: () => {}, err: (t) => err.push(t), env: {}, stdin: () => Promise.resolve(""),
 * });
 * console.assert(code === 2);
 * ```
 */
export async function walletMain(
  args: readonly string[],
  io: WalletIo = processWalletIo(),
): Promise<number> {
  const state = { code: WALLET_EXIT.OK as number };
  const cmd = buildWalletCommand(io, state);
  if (args.length === 0) {
    cmd.outputHelp({ error: true });
    return WALLET_EXIT.USAGE;
  }
  try {
    await cmd.parseAsync([...args], { from: "user" });
    return state.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help is an "error" under exitOverride; commander already printed it.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help") {
        return WALLET_EXIT.OK;
      }
      return WALLET_EXIT.USAGE;
    }
    const r = walletErrorExit(e);
    io.err(`phantom-signer wallet: ${r.message}\n`);
    return r.code;
  }
}
