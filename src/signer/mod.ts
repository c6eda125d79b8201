/**
 * phantom-signer: the only holder of secret keys. Derives seat, bond, payout and wallet keys from
 * one BIP-39 seed on separate hardened BIP-32 subtrees, keeps them in an scrypt + AES-256-GCM
 * keystore, serves signatures over a local JSON-lines socket with a per-method role policy,
 * enforces slashing protection (durable per-seat high-water marks, EIP-3076-like interchange)
 * before any event signature leaves, and keeps MuSig2 secret nonces single-use. Back ends sit
 * behind {@linkcode SigningBackend} so an HSM can replace the software one. Spec:
 * docs/spec/keys.md.
 * @module
 */
export {
  checkKeyRef,
  COIN_INDEX,
  type DerivedKey,
  deriveKey,
  deriveSeatBlsSecret,
  generateMnemonic,
  KEY_ROLES,
  keyPath,
  type KeyRef,
  type KeyRole,
  MAX_INDEX,
  mnemonicToSeed,
  type Network,
  PURPOSE,
  ROLE_INDEX,
  validateMnemonic,
  walletAccountPath,
  walletAccountXpub,
} from "./derive.ts";
export {
  KeystoreError,
  type KeystoreErrorCode,
  type KeystoreErrorData,
  SIGNER_ERROR_CODES,
  SignerError,
  type SignerErrorCode,
  type SignerErrorData,
  SlashingError,
  type SlashingErrorCode,
  type SlashingErrorData,
} from "./errors.ts";
export {
  checkPrivateFile,
  createKeystore,
  type CreateKeystoreOptions,
  DEFAULT_SCRYPT,
  KEYSTORE_VERSION,
  MAX_KEYSTORE_BYTES,
  type OpenedKeystore,
  openKeystore,
  SCRYPT_LIMITS,
  type ScryptParams,
} from "./keystore.ts";
export {
  checkEventAgainst,
  type EventClaim,
  type HighWater,
  INTERCHANGE_VERSION,
  type InterchangeEntry,
  type InterchangeV1,
  MAX_SEQ,
  MAX_SLOTS,
  SlashingProtection,
  type SlashingProtectionOptions,
} from "./slashing.ts";
export {
  MAX_OPEN_MUSIG_SESSIONS,
  type MusigNonceParams,
  MusigSessions,
  type MusigSignParams,
  type PublicKeyInfo,
  type SigningBackend,
  SoftwareBackend,
} from "./backend.ts";
export {
  encodeResponse,
  MAX_EVENT_BYTES,
  MAX_REQUEST_BYTES,
  MAX_SEAT_TX_BYTES,
  type Method,
  METHOD_ROLES,
  type MethodParams,
  type MethodResults,
  parseRequest,
  PROTOCOL_VERSION,
  type Request,
  type RequestId,
  type Response,
} from "./protocol.ts";
export {
  type DaInspector,
  type DaView,
  type EventInspector,
  type EventView,
  type SeatTxInspector,
  type SeatTxView,
  Signer,
  type SignerModules,
  type SignerOptions,
} from "./signer.ts";
export {
  DEFAULT_MAX_CONNECTIONS,
  type SignerListen,
  SignerServer,
  type SignerServerModules,
  type SignerServerOptions,
} from "./server.ts";
export { LocalSignerApi, type SignerAddress, type SignerApi, SignerClient } from "./client.ts";
export { codecEventInspector, inspectDaAttestation, inspectSeatTx } from "./event.ts";
export { SignerService, type SignerServiceConfig } from "./service.ts";
export { musigAggregateKey, MusigGroup, type MusigParticipant, musigSortKeys } from "./musig.ts";
