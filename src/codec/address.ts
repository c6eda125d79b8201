/**
 * Bech32m addresses (docs/spec/codec.md §9): HRP `pc` on mainnet, `tpc` on testnet and `dpc` on
 * devnet (ADR 0059), data = program version 0 (one 5-bit word) followed by the 32-byte predicate
 * commitment in 5-bit words.
 * @module
 */
import { bech32, bech32m } from "@scure/base";
import {
  type Hrp,
  isHrp,
  networkByHrp,
  type NetworkName,
  type NetworkParams,
  networkParams,
} from "../params/mod.ts";
import { AddressError } from "./errors.ts";
import { predicateCommitment } from "./objects.ts";
import type { Predicate } from "./schema.ts";

/** Address program version of v1 (predicate commitment). */
export const ADDRESS_VERSION = 0;
/** Bytes of a version-0 program. */
export const ADDRESS_PROGRAM_BYTES = 32;
/** Longest accepted address string (BIP-173 limit). */
export const MAX_ADDRESS_LENGTH = 90;

/** A decoded address. */
export interface DecodedAddress {
  /** Human-readable part: `pc` (mainnet), `tpc` (testnet) or `dpc` (devnet). */
  hrp: Hrp;
  /** Program version (always 0 in v1). */
  version: 0;
  /** 32-byte predicate commitment. */
  commitment: Uint8Array;
}

function resolve(network: NetworkName | NetworkParams): NetworkParams {
  return typeof network === "string" ? networkParams(network) : network;
}

/**
 * Encodes an address for a predicate, or for a predicate commitment.
 *
 * @param target A predicate, or its 32-byte commitment (see predicateCommitment).
 * @param network Network name or parameters (selects the HRP).
 * @returns Lowercase Bech32m address.
 * @throws {TypeError} If `target` is neither a predicate nor 32 bytes.
 * @throws {RangeError} If the predicate is not encodable or the network is unknown.
 * @example
 * ```ts
 * import { encodeAddress } from "./mod.ts";
 * encodeAddress(new Uint8Array(32), "mainnet").startsWith("pc1q"); // true
 * ```
 */
export function encodeAddress(
  target: Predicate | Uint8Array,
  network: NetworkName | NetworkParams,
): string {
  const params = resolve(network);
  let commitment: Uint8Array;
  if (target instanceof Uint8Array) {
    if (target.length !== ADDRESS_PROGRAM_BYTES) {
      throw new TypeError(`Address commitment must be 32 bytes: got ${target.length}`);
    }
    commitment = target;
  } else {
    commitment = predicateCommitment(target);
  }
  return bech32m.encode(params.hrp, [ADDRESS_VERSION, ...bech32m.toWords(commitment)]);
}

/**
 * Decodes an address, optionally requiring the HRP of a network.
 *
 * @param address Bech32m string (all lowercase or all uppercase).
 * @param network When given, the address must carry this network's HRP.
 * @returns HRP, version and the 32-byte commitment.
 * @throws {AddressError} INVALID_BECH32M (bad characters, checksum, length, mixed case, bech32
 *   instead of bech32m), WRONG_HRP, UNKNOWN_VERSION, BAD_PADDING or BAD_PROGRAM_LENGTH.
 * @throws {TypeError} If `address` is not a string.
 * @example
 * ```ts
 * import { decodeAddress, encodeAddress } from "./mod.ts";
 * const a = encodeAddress(new Uint8Array(32), "testnet");
 * decodeAddress(a, "testnet").hrp; // "tpc"
 * // decodeAddress(a, "devnet") throws AddressError WRONG_HRP: devnet addresses start with dpc1
 * ```
 */
export function decodeAddress(
  address: string,
  network?: NetworkName | NetworkParams,
): DecodedAddress {
  if (typeof address !== "string") {
    throw new TypeError(`Address must be a string: ${typeof address}`);
  }
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32m.decode(address as `${string}1${string}`, MAX_ADDRESS_LENGTH);
  } catch (e) {
    let isBech32 = false;
    try {
      bech32.decode(address as `${string}1${string}`, MAX_ADDRESS_LENGTH);
      isBech32 = true;
    } catch {
      // Not bech32 either: report the bech32m failure below.
    }
    const detail = isBech32
      ? "bech32 checksum, expected bech32m"
      : `not bech32m: ${e instanceof Error ? e.message : String(e)}`;
    throw new AddressError("INVALID_BECH32M", address, detail, { cause: e });
  }
  const { prefix, words } = decoded;
  if (!isHrp(prefix)) {
    throw new AddressError("WRONG_HRP", address, `unknown prefix "${prefix}"`);
  }
  if (network !== undefined) {
    const want = resolve(network);
    if (prefix !== want.hrp) {
      // Name both networks: a pasted address of another network is the usual cause.
      const of = networkByHrp(prefix)?.name ?? "another network";
      throw new AddressError(
        "WRONG_HRP",
        address,
        `prefix "${prefix}" (${of}), expected "${want.hrp}" (${want.name})`,
      );
    }
  }
  if (words.length === 0) {
    throw new AddressError("BAD_PROGRAM_LENGTH", address, "empty data");
  }
  const version = words[0];
  if (version !== ADDRESS_VERSION) {
    throw new AddressError("UNKNOWN_VERSION", address, `program version ${String(version)}`);
  }
  let program: Uint8Array;
  try {
    program = bech32m.fromWords(words.slice(1));
  } catch (e) {
    throw new AddressError(
      "BAD_PADDING",
      address,
      `invalid padding: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  if (program.length !== ADDRESS_PROGRAM_BYTES) {
    throw new AddressError(
      "BAD_PROGRAM_LENGTH",
      address,
      `program of ${program.length} bytes, expected ${ADDRESS_PROGRAM_BYTES}`,
    );
  }
  return { hrp: prefix, version: ADDRESS_VERSION, commitment: program };
}
