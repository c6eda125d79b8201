/**
 * The phantom-node runtime frame: typed configuration (TOML + `PHANTOM_*` env + flags, one
 * schema), data-directory lock, lifecycle manager with reverse-order graceful shutdown, sharded
 * LRU event caches over a Deno KV store, logging setup, the seat signer (phantom-signer, or a
 * dev-only seat key file), and the {@linkcode PhantomNode} that wires them with metrics and the
 * RPC server. Engines plug in as components.
 * @module
 */
export {
  CONFIG_FILE_ENV,
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKey,
  defaultConfig,
  defaultConfigToml,
  defaultDataDir,
  describeConfigSchema,
  envName,
  type Field,
  genesisPath,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  LOG_LEVELS,
  LOG_MODULES,
  type LogLevelName,
  type Network,
  NETWORKS,
  type NodeConfig,
  parseConfigText,
  parseConfigToml,
} from "./config.ts";
export {
  ConfigError,
  type ConfigErrorCode,
  type ConfigErrorData,
  type ConfigSource,
  describeSource,
  NodeError,
  type NodeErrorCode,
  type NodeErrorData,
} from "./errors.ts";
export { DataDirLock, LOCK_FILE, pidAlive } from "./datadir.ts";
export { exists } from "./_fs.ts";
export { type Component, Lifecycle, type LifecycleEvent } from "./lifecycle.ts";
export {
  type CacheMetricsSink,
  type CacheStats,
  ShardedLruCache,
  type ShardedLruCacheOptions,
} from "./cache.ts";
export {
  CachedEventReader,
  type CachedEventReaderOptions,
  type EventReader,
  KvEventStore,
  PAYLOAD_CHUNK_BYTES,
  type StoreMetricsSink,
} from "./store.ts";
export { type LoggingOptions, nodeLogger, setupLogging, teardownLogging } from "./logging.ts";
export { readSeatKey, type SeatKey, writeSeatKey } from "./keys.ts";
export {
  KeyFileSeatSigner,
  RemoteSeatSigner,
  remoteSeatSignerFromConfig,
  type RemoteSeatSignerOptions,
  type SeatSigner,
} from "./seat_signer.ts";
export {
  createSeatSignerMetrics,
  type EventDraft,
  type SeatSignerMetrics,
  SeatSigning,
  type SeatSigningOptions,
} from "./seat_signing.ts";
export {
  SnapshotError,
  type SnapshotErrorCode,
  type SnapshotErrorData,
  type SnapshotInfo,
  type Snapshotter,
  type SnapshotTrust,
  StateSnapshotter,
  type StateSnapshotterOptions,
} from "./snapshot.ts";
export {
  decodeNodeCheckpoint,
  decodeSnapshotFile,
  encodeNodeCheckpoint,
  encodeSnapshotFile,
  type NodeCheckpoint,
  type NodeCheckpointEvent,
} from "./snapshot_format.ts";
export {
  addressOf,
  type Genesis,
  type GenesisAllocation,
  type GenesisFile,
  genesisStateAnchor,
  parseGenesis,
  readGenesis,
  writeGenesis,
} from "./genesis.ts";
export { type ChainMetrics, createChainMetrics } from "./chain_metrics.ts";
export {
  DEFAULT_HISTORY_PAGE,
  type HistoryEntry,
  HistoryIndex,
  historyKeys,
  type HistoryKind,
  type HistoryPage,
  historyPageToJson,
  MAX_HISTORY_ENTRIES,
  MAX_HISTORY_PAGE,
  MAX_HISTORY_PER_ADDRESS,
} from "./history.ts";
export {
  type Coin,
  type DevnetInitOptions,
  type DevnetLayout,
  type DevnetNodeSpec,
  type DevnetRunOptions,
  type DevnetSummary,
  faucetPredicates,
  faucetTransfer,
  freePortRun,
  initDevnet,
  mineOnce,
  type NodeProcess,
  type NodeStats,
  peakRss,
  rootsAgree,
  rpc,
  runDevnet,
  spawnNode,
  type SpawnOptions,
  stopNode,
  waitFor,
} from "./devnet.ts";
export {
  DEVNET_SIGNER_PASSPHRASE,
  type DevnetSigner,
  initDevnetSigner,
  type SignerProcessOptions,
  spawnDevnetSigner,
  spawnSigner,
  writeDevnetSignerConfig,
} from "./devnet_signer.ts";
export {
  decodeEventBody,
  DEFAULT_FEE_FLOOR,
  encodeEventBody,
  type FeeFloor,
  STATE_KV_FILE,
  type ValidatorModules,
  type ValidatorOptions,
  ValidatorService,
  type ValidatorStats,
} from "./validator.ts";
export {
  FlushQueue,
  KV_FILE,
  PhantomNode,
  type PhantomNodeModules,
  type PhantomNodeOptions,
  runUntilSignal,
} from "./node.ts";
export {
  type CacheBenchOptions,
  type CacheBenchResult,
  type LatencySummary,
  populateStore,
  runCacheBench,
} from "./cachebench.ts";
export {
  DEFAULT_FALLBACK_ANCHORS,
  DEFAULT_MEMPOOL_BYTES,
  Mempool,
  type MempoolEntry,
  MempoolError,
  type MempoolErrorCode,
  type MempoolLimits,
  ownerSeat,
  type SelectOptions,
} from "./mempool.ts";
export {
  type Admission,
  type AdmissionContext,
  admissionVerdict,
  admitTx,
  type TxAdmissionCode,
  TxAdmissionError,
} from "./tx_relay.ts";
export { type SigItem, VerifiedSigCache } from "./sig_cache.ts";
