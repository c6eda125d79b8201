/**
 * The interface every crypto back end (native FFI / JavaScript fallback) implements. Tests run
 * the same vectors through each implementation of it.
 * @module
 */

/** Options for {@linkcode Blake3Backend.blake3}. */
export interface Blake3Options {
  /** Output length in bytes (extended output when above 32). Default 32. */
  dkLen?: number;
  /** 32-byte key for keyed hashing. */
  key?: Uint8Array;
  /** Context string for key derivation mode (derive_key): UTF-8 string or raw bytes. */
  context?: string | Uint8Array;
}

/** Options for {@linkcode Blake3Backend.blake3Batch}: the mode shared by every message. */
export interface Blake3BatchOptions {
  /** 32-byte key for keyed hashing. */
  key?: Uint8Array;
  /** Context string for key derivation mode (derive_key): UTF-8 string or raw bytes. */
  context?: string | Uint8Array;
}

/** One item of a Schnorr batch verification. */
export interface SchnorrBatchItem {
  /** 64-byte BIP-340 signature. */
  signature: Uint8Array;
  /** Message of any length. */
  message: Uint8Array;
  /** 32-byte x-only public key. */
  publicKey: Uint8Array;
}

/** Options of a batch verification. */
export interface SchnorrBatchOptions {
  /**
   * Verify in the background for a caller that keeps its own thread busy meanwhile (the state
   * engine verifying the next anchor while it applies this one): on the native path the batch
   * runs off the calling thread, even when small, on one core less than the machine has (at least
   * one), so the caller keeps a core. Results are the same either way.
   */
  background?: boolean;
}

/** BLAKE3 operations. */
export interface Blake3Backend {
  /** BLAKE3 hash, keyed hash or derive_key, with extended output. */
  blake3(data: Uint8Array, opts?: Blake3Options): Uint8Array;
  /** 32-byte BLAKE3 hash (or keyed hash / derive_key) of each message. */
  blake3Batch(messages: readonly Uint8Array[], opts?: Blake3BatchOptions): Uint8Array[];
  /**
   * 32-byte hash of each message `packed[offsets[i] .. offsets[i+1])`, concatenated: the batch
   * without per-message views in or out.
   */
  blake3BatchPacked(
    packed: Uint8Array,
    offsets: Uint32Array,
    opts?: Blake3BatchOptions,
  ): Uint8Array;
}

/** BIP-340 Schnorr operations. */
export interface SchnorrBackend {
  /** Signs `message` with a 32-byte secret key and 32 bytes of aux randomness. */
  schnorrSign(message: Uint8Array, secretKey: Uint8Array, auxRand?: Uint8Array): Uint8Array;
  /** Verifies one signature. */
  schnorrVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Verifies many signatures, possibly on several threads; one result per item. */
  schnorrVerifyBatch(
    items: readonly SchnorrBatchItem[],
    opts?: SchnorrBatchOptions,
  ): Promise<boolean[]>;
  /** Verifies many signatures on the calling thread; one result per item. */
  schnorrVerifyBatchSync(items: readonly SchnorrBatchItem[]): boolean[];
  /** 32-byte x-only public key of a secret key. */
  schnorrPublicKey(secretKey: Uint8Array): Uint8Array;
}

/** BLS12-381 (minimal-pubkey-size, proof-of-possession ciphersuite) operations. */
export interface BlsBackend {
  /** Secret key from at least 32 bytes of input keying material (IETF KeyGen). */
  blsKeyGen(ikm: Uint8Array): Uint8Array;
  /** 48-byte compressed G1 public key of a 32-byte secret key. */
  blsSecretKeyToPublicKey(secretKey: Uint8Array): Uint8Array;
  /** 96-byte compressed G2 signature. */
  blsSign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Verifies one signature. */
  blsVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Sum of signatures. */
  blsAggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array;
  /** Sum of public keys. */
  blsAggregatePublicKeys(publicKeys: readonly Uint8Array[]): Uint8Array;
  /** Verifies an aggregate signature of one message by all `publicKeys`. */
  blsFastAggregateVerify(
    signature: Uint8Array,
    message: Uint8Array,
    publicKeys: readonly Uint8Array[],
  ): boolean;
  /** Proof of possession of the secret key. */
  blsPopProve(secretKey: Uint8Array): Uint8Array;
  /** Verifies a proof of possession. */
  blsPopVerify(publicKey: Uint8Array, proof: Uint8Array): boolean;
}
