/**
 * Genesis file of a network (docs/operations.md "Genesis file"): the committee's seat public keys
 * in seat order, the genesis note, and initial allocations. Every node of a network reads the same
 * file; consensus commits to it through genesis anchor A0 (network id, k, note hash) and the state
 * applies the allocations as anchor 0.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";
import { decodeAddress, encodeAddress, type Predicate } from "../codec/mod.ts";
import { genesisAnchor } from "../consensus/mod.ts";
import type { FinalizedAnchor, StateMint } from "../state/mod.ts";
import {
  MAX_COMMITTEE_SIZE,
  type NetworkName,
  type NetworkParams,
  networkParams,
} from "../params/mod.ts";
import { NodeError } from "./errors.ts";

/** One initial allocation: an amount (units, decimal string) paid to an address. */
export interface GenesisAllocation {
  /** Bech32m address of the network. */
  readonly address: string;
  /** Amount in units, decimal string. */
  readonly amount: string;
}

/** The genesis file contents (JSON). */
export interface GenesisFile {
  /** Network name (`devnet`, `testnet`, `mainnet`). */
  readonly network: NetworkName;
  /** Committee seat public keys (32-byte BIP-340 x-only, hex), index = seat. */
  readonly committee: readonly string[];
  /** Genesis note: its BLAKE3 hash is committed in A0. */
  readonly genesis_note: string;
  /** Initial allocations, applied by the state as anchor 0. */
  readonly allocations: readonly GenesisAllocation[];
}

/** A parsed, checked genesis. */
export interface Genesis {
  /** The file contents. */
  readonly file: GenesisFile;
  /** Seat public keys, index = seat. */
  readonly committee: readonly Uint8Array[];
  /** Network id. */
  readonly networkId: number;
  /** Id of genesis anchor A0. */
  readonly genesisId: Uint8Array;
}

const HEX64 = /^[0-9a-f]{64}$/;
const ALLOC_DOMAIN = new TextEncoder().encode("PC/genesis-alloc/v0");

function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bad(path: string, detail: string): NodeError {
  return new NodeError({ code: "GENESIS_INVALID", path, detail });
}

/**
 * Checks a genesis document.
 * @param json parsed JSON
 * @param path where it came from (for messages)
 * @returns the checked genesis
 * @throws {NodeError} `GENESIS_INVALID` naming the bad field
 * @example
 * ```ts
 * import { parseGenesis } from "./genesis.ts";
 * const g = parseGenesis({ network: "devnet", committee: ["11".repeat(32)], genesis_note: "x",
 *   allocations: [] }, "inline");
 * console.assert(g.committee.length === 1 && g.genesisId.length === 32);
 * ```
 */
export function parseGenesis(json: unknown, path: string): Genesis {
  if (typeof json !== "object" || json === null) throw bad(path, "not a JSON object");
  const o = json as Record<string, unknown>;
  let params: NetworkParams;
  try {
    params = networkParams(String(o["network"]));
  } catch {
    // networkParams names the allowed values; the file path is the useful part here.
    throw bad(path, `unknown network "${String(o["network"])}"`);
  }
  const committee = o["committee"];
  if (
    !Array.isArray(committee) || committee.length < 1 || committee.length > MAX_COMMITTEE_SIZE
  ) {
    throw bad(path, `committee must list 1..${MAX_COMMITTEE_SIZE} seat keys`);
  }
  committee.forEach((k, i) => {
    if (typeof k !== "string" || !HEX64.test(k)) {
      throw bad(path, `committee/${i}: expected 64 lowercase hex digits`);
    }
  });
  if (new Set(committee).size !== committee.length) throw bad(path, "duplicate committee key");
  const note = o["genesis_note"];
  if (typeof note !== "string" || note.length > 4096) {
    throw bad(path, "genesis_note must be a string of at most 4096 characters");
  }
  const allocs = o["allocations"] ?? [];
  if (!Array.isArray(allocs) || allocs.length > 1024) {
    throw bad(path, "allocations must be a list of at most 1024 entries");
  }
  allocs.forEach((a: unknown, i: number) => {
    const r = a as Record<string, unknown> | null;
    if (typeof r !== "object" || r === null) throw bad(path, `allocations/${i}: not an object`);
    const amount = r["amount"];
    if (typeof amount !== "string" || !/^[1-9]\d{0,18}$/.test(amount)) {
      throw bad(path, `allocations/${i}/amount: expected a positive decimal string`);
    }
    try {
      decodeAddress(String(r["address"]), params);
    } catch (e) {
      // Devnet addresses were "tpc1…" (testnet's prefix) before ADR 0059: say what to do.
      const hint = params.name === "devnet" && String(r["address"]).toLowerCase().startsWith("tpc1")
        ? ` (devnet addresses start with "${params.hrp}1" since ADR 0059; devnet data is ` +
          `disposable: remove the devnet data directory to start over, docs/operations.md)`
        : "";
      throw bad(path, `allocations/${i}/address: ${(e as Error).message}${hint}`);
    }
  });
  const file: GenesisFile = {
    network: params.name,
    committee: committee as string[],
    genesis_note: note,
    allocations: allocs as GenesisAllocation[],
  };
  return {
    file,
    committee: file.committee.map(hexToBytes),
    networkId: params.networkId,
    genesisId: genesisAnchor(params.networkId, file.committee.length, note).id,
  };
}

/**
 * Reads and checks a genesis file.
 * @param path file path
 * @returns the genesis
 * @throws {NodeError} `GENESIS_INVALID` when it is missing, not JSON, or invalid
 */
export async function readGenesis(path: string): Promise<Genesis> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw bad(path, (e as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(path, (e as Error).message);
  }
  return parseGenesis(json, path);
}

/**
 * Writes a genesis file (pretty JSON).
 * @param path file path
 * @param file contents (checked first)
 * @throws {NodeError} `GENESIS_INVALID` when the contents are invalid
 */
export async function writeGenesis(path: string, file: GenesisFile): Promise<void> {
  parseGenesis(file, path);
  await Deno.writeTextFile(path, JSON.stringify(file, null, 2) + "\n");
}

/**
 * The allocations as state anchor 0: one event (id = A0 id) carrying one tier-0 mint-like output
 * per allocation, with mint id BLAKE3("PC/genesis-alloc/v0" || A0 id || u32be i). They mature
 * like tier-0 mints (devnet: 50 anchors).
 * @param g the genesis
 * @returns anchor 0 for `StateEngine.applyAnchor`
 */
export function genesisStateAnchor(g: Genesis): FinalizedAnchor {
  const mints: StateMint[] = g.file.allocations.map((a, i) => {
    const buf = new Uint8Array(ALLOC_DOMAIN.length + 36);
    buf.set(ALLOC_DOMAIN, 0);
    buf.set(g.genesisId, ALLOC_DOMAIN.length);
    new DataView(buf.buffer).setUint32(ALLOC_DOMAIN.length + 32, i, false);
    const payout: Predicate = {
      type: "commit",
      commitment: decodeAddress(a.address, g.file.network).commitment,
    };
    return { mintId: blake3(buf), amount: BigInt(a.amount), tier: 0, payout };
  });
  return { index: 0, events: [{ eventId: g.genesisId, mints, txs: [] }] };
}

/**
 * Address of a predicate on a network (helper for scripts).
 * @param p predicate
 * @param network network name
 * @returns the bech32m address
 */
export function addressOf(p: Predicate, network: NetworkName): string {
  return encodeAddress(p, network);
}
