/**
 * Genesis anchor A0 (docs/spec/genesis.md): commits to the network id, the committee size and the
 * BLAKE3 hash of the genesis note. Every later anchor id chains back to it.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";
import { MAX_COMMITTEE_SIZE } from "../params/mod.ts";

const GENESIS_DOMAIN = new TextEncoder().encode("PC/genesis/v0");

/** Genesis anchor A0. */
export interface GenesisAnchor {
  /** Always 0. */
  readonly height: 0;
  /** Network id. */
  readonly network: number;
  /** Committee size k at genesis. */
  readonly committeeSize: number;
  /** BLAKE3 hash of the genesis note text. */
  readonly genesisNoteHash: Uint8Array;
  /** BLAKE3("PC/genesis/v0" || u32le network || u8 k || note hash). */
  readonly id: Uint8Array;
}

/**
 * Builds genesis anchor A0.
 * @param network network id (u32)
 * @param committeeSize k, 1..64 (k = 1 is the bootstrap committee: cross-link rule suspended)
 * @param genesisNote the genesis note (UTF-8 text or bytes); only its hash is committed
 * @returns the anchor
 * @throws {RangeError} when network or committee size is out of range
 * @example
 * ```ts
 * import { genesisAnchor } from "./genesis.ts";
 * const a0 = genesisAnchor(1, 1, "PhantomCoin genesis");
 * console.assert(a0.height === 0 && a0.id.length === 32);
 * ```
 */
export function genesisAnchor(
  network: number,
  committeeSize: number,
  genesisNote: string | Uint8Array,
): GenesisAnchor {
  if (!Number.isInteger(network) || network < 0 || network > 0xffffffff) {
    throw new RangeError(`Network id out of range: ${network}`);
  }
  if (!Number.isInteger(committeeSize) || committeeSize < 1 || committeeSize > MAX_COMMITTEE_SIZE) {
    throw new RangeError(`Committee size out of range: ${committeeSize}`);
  }
  const note = typeof genesisNote === "string"
    ? new TextEncoder().encode(genesisNote)
    : genesisNote;
  const genesisNoteHash = blake3(note);
  const buf = new Uint8Array(GENESIS_DOMAIN.length + 4 + 1 + 32);
  buf.set(GENESIS_DOMAIN, 0);
  new DataView(buf.buffer).setUint32(GENESIS_DOMAIN.length, network, true);
  buf[GENESIS_DOMAIN.length + 4] = committeeSize;
  buf.set(genesisNoteHash, GENESIS_DOMAIN.length + 5);
  return { height: 0, network, committeeSize, genesisNoteHash, id: blake3(buf) };
}
