/**
 * Every domain-separation tag of the protocol, in one place (docs/spec/codec.md §5). An id or hash
 * of kind `tag` is BLAKE3 in keyed mode with key = BLAKE3(utf8(tag)): distinct tags give unrelated
 * keys, and keyed mode itself is separated from plain BLAKE3 by its flags. The keys are computed
 * once at module load.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";

/** Domain tags, frozen. Changing one is a hard fork. */
export const DOMAINS = Object.freeze(
  {
    /** Transaction id: encoding without witnesses. */
    txId: "phantomcoin/v1/txid",
    /** Witness transaction id: full encoding. */
    wtxId: "phantomcoin/v1/wtxid",
    /** What a transaction signature commits to. */
    sighash: "phantomcoin/v1/sighash",
    /** Hash of the spent outputs inside the sighash. */
    spentOutputs: "phantomcoin/v1/spent-outputs",
    /** Event id: event header encoding. */
    eventId: "phantomcoin/v1/event",
    /** Hash of an event's mints and evidence (extras) committed by its header. */
    eventExtras: "phantomcoin/v1/event-extras",
    /** Mint id: full mint encoding. */
    mintId: "phantomcoin/v1/mint",
    /** Anchor (finality record) id. */
    anchorId: "phantomcoin/v1/anchor",
    /** Evidence id (deduplication of slashing evidence). */
    evidenceId: "phantomcoin/v1/evidence",
    /** Data-availability attestation: what the seat signs. */
    daAttestation: "phantomcoin/v1/da-attestation",
    /** Merkle leaf. */
    merkleLeaf: "phantomcoin/v1/merkle-leaf",
    /** Merkle inner node. */
    merkleNode: "phantomcoin/v1/merkle-node",
    /** Merkle root of the empty list. */
    merkleEmpty: "phantomcoin/v1/merkle-empty",
    /** Claim leaf of a payout tree. */
    claimLeaf: "phantomcoin/v1/claim-leaf",
    /** Predicate commitment (address program, `commit` predicate). */
    predicate: "phantomcoin/v1/predicate",
    /** Hashlock preimage hash. */
    hashlock: "phantomcoin/v1/hashlock",
    /** Proof of possession of a BLS key in a bond transaction (BLS DST suffix). */
    blsPop: "phantomcoin/v1/bls-pop",
  } as const,
);

/** Name of a domain. */
export type Domain = keyof typeof DOMAINS;

const enc = new TextEncoder();
const KEYS: Record<Domain, Uint8Array> = Object.fromEntries(
  Object.entries(DOMAINS).map(([k, tag]) => [k, blake3(enc.encode(tag))]),
) as Record<Domain, Uint8Array>;

/**
 * The 32-byte BLAKE3 key of a domain: BLAKE3(utf8(tag)).
 *
 * @param domain Domain name.
 * @returns A copy of the key.
 * @example
 * ```ts
 * import { domainKey } from "./mod.ts";
 * domainKey("txId").length; // 32
 * ```
 */
export function domainKey(domain: Domain): Uint8Array {
  return KEYS[domain].slice();
}

/**
 * Domain-separated BLAKE3-256: keyed BLAKE3 of `data` under the domain's key.
 *
 * @param domain Domain name.
 * @param data Bytes to hash.
 * @returns 32-byte digest.
 * @example
 * ```ts
 * import { taggedHash } from "./mod.ts";
 * taggedHash("hashlock", new Uint8Array([1, 2, 3])).length; // 32
 * ```
 */
export function taggedHash(domain: Domain, data: Uint8Array): Uint8Array {
  return blake3(data, { key: KEYS[domain] });
}
