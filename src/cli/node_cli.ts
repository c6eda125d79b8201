/**
 * The `phantom-node` command line (commander): run, init, status, snapshot, CacheBench, version.
 * Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error, 3 data directory
 * locked by another process.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { bytesToHex } from "@noble/hashes/utils.js";
import { intArg } from "./args.ts";
import { writeAll } from "./_io.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { nativeStatus, setCryptoLogger } from "../crypto/mod.ts";
import {
  CONFIG_FILE_ENV,
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  ConfigError,
  type ConfigKey,
  DataDirLock,
  defaultConfigToml,
  describeConfigSchema,
  exists,
  genesisPath,
  initDevnet,
  loadConfig,
  type LoadedConfig,
  NodeError,
  nodeLogger,
  PhantomNode,
  type PhantomNodeModules,
  populateStore,
  readGenesis,
  readSeatKey,
  remoteSeatSignerFromConfig,
  runCacheBench,
  runUntilSignal,
  setupLogging,
  type Snapshotter,
  ValidatorService,
  writeSeatKey,
} from "../node/mod.ts";
import { networkParams } from "../params/mod.ts";

/** The software version (from deno.json). */
export const VERSION: string = denoJson.version;

/** Exit codes of phantom-node. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, LOCKED: 3 } as const;

/** Where the CLI writes and what it plugs in; tests replace the writers. */
export interface CliIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string>>;
}

/** Engines the lead wires in (all optional until they exist). */
export interface CliPlugins {
  /** Builds the modules (engines, providers) of a node for a loaded config. */
  readonly nodeModules?: (loaded: LoadedConfig) => PhantomNodeModules | Promise<PhantomNodeModules>;
  /** Builds the snapshotter for a data directory (state engine). */
  readonly snapshotter?: (loaded: LoadedConfig) => Snapshotter | Promise<Snapshotter>;
}

/** The process's real stdout/stderr/env. */
export function processIo(): CliIo {
  return {
    out: (t) => writeAll(Deno.stdout, t),
    err: (t) => writeAll(Deno.stderr, t),
    env: Deno.env.toObject(),
  };
}

/** A usage error (bad flag value outside the config schema): exit code 2. */
class UsageError extends Error {
  override name = "UsageError";
}

function configHelp(): string {
  const rows = describeConfigSchema();
  const lines = [
    "",
    "Configuration keys (TOML key / environment variable / flag: allowed, default):",
  ];
  for (const r of rows) {
    lines.push(`  ${r.key}  ${r.env}${r.flag === null ? "" : `  ${r.flag}`}`);
    lines.push(`      ${r.allowed}; default ${r.default}. ${r.doc}`);
  }
  lines.push(
    "",
    `Config file: --config FILE, else $${CONFIG_FILE_ENV}, else <data_dir>/<network>/phantom.toml if it`,
    "exists. Precedence: defaults < file < PHANTOM_* environment < flags. Any key can also be set",
    "with --set key=value (repeatable).",
  );
  return lines.join("\n");
}

const EXIT_HELP = `
Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error,
3 data directory locked by another process.`;

/** Adds --config, --set and the schema's flags to a command. */
function addConfigOptions(cmd: Command): Command {
  cmd.option("--config <file>", `config TOML file (env ${CONFIG_FILE_ENV})`);
  cmd.option(
    "--set <key=value>",
    "set any config key, e.g. --set rpc.max_batch=20 (repeatable)",
    (v: string, prev: string[] = []) => [...prev, v],
  );
  for (const key of CONFIG_KEYS) {
    const f = CONFIG_SCHEMA[key];
    if (!("flag" in f) || f.flag === undefined) continue;
    const opt = new Option(`${f.flag} <value>`, `${f.doc} (config ${key})`);
    if (f.type === "enum") opt.choices([...f.values]);
    cmd.addOption(opt);
  }
  return cmd;
}

/** Turns a command's parsed options into loadConfig flags. */
function configFlags(
  cmd: Command,
): { flags: Partial<Record<ConfigKey, string>>; configFile?: string } {
  const opts = cmd.opts<Record<string, unknown>>();
  const flags: Partial<Record<ConfigKey, string>> = {};
  for (const s of (opts["set"] as string[] | undefined) ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UsageError(`Invalid --set "${s}": expected key=value`);
    const key = s.slice(0, eq);
    if (!(key in CONFIG_SCHEMA)) {
      throw new UsageError(`Invalid --set "${s}": unknown config key "${key}" (see --help)`);
    }
    flags[key as ConfigKey] = s.slice(eq + 1);
  }
  for (const option of cmd.options) {
    const key = CONFIG_KEYS.find((k) => {
      const f = CONFIG_SCHEMA[k];
      return "flag" in f && f.flag === option.long;
    });
    if (key === undefined) continue;
    const v = opts[option.attributeName()];
    if (typeof v === "string") flags[key] = v;
  }
  const file = opts["config"];
  return typeof file === "string" ? { flags, configFile: file } : { flags };
}

function seatKeyPath(loaded: LoadedConfig): string {
  const p = loaded.config["node.seat_key_file"];
  return p === "" ? `${loaded.networkDir}/keys/seat.key` : p;
}

/**
 * Builds the commander program. Actions set `state.code`; errors propagate to {@linkcode main}.
 * @param io output writers and environment
 * @param plugins engines wired by the lead
 * @param state receives the exit code of the action
 * @returns the program
 */
export function buildProgram(io: CliIo, plugins: CliPlugins, state: { code: number }): Command {
  const program = new Command("phantom-node")
    .description(
      "PhantomCoin validator / full node.\n " +
        "Runs the node (consensus, state, RPC), creates its configuration and seat key, queries a " +
        "running node, exports and imports state snapshots, and benchmarks the event caches.",
    )
    .version(`phantom-node ${VERSION}`, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help for a command")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText(
      "after",
      `
Examples:
  phantom-node init --network devnet
  phantom-node run --network devnet --log-format json
  phantom-node status --network devnet
  phantom-node CacheBench --store_dir /tmp/pcstore --populate 10000
  phantom-node CacheBench --store_dir /tmp/pcstore --mode headers --sample 1000 --iterations 5 --cache_hdr_cap 10000 --cache_pl_cap 0
${EXIT_HELP}
See docs/operations.md for the full runbook.`,
    );

  addConfigOptions(
    program.command("run")
      .summary("run the node until SIGINT/SIGTERM")
      .description(
        "Run the node until SIGINT/SIGTERM: takes the data directory lock, opens the KV store, " +
          "starts the engines and the RPC server (/rpc, /metrics, /status/node). On a signal it " +
          "stops intake, finishes the current flush, closes the store and releases the lock.",
      ),
  ).addHelpText("after", configHelp() + "\n" + EXIT_HELP)
    .action(async (_opts, cmd: Command) => {
      const loaded = loadConfig({ env: io.env, ...configFlags(cmd) });
      const cfg = loaded.config;
      await setupLogging({
        level: cfg["log.level"],
        format: cfg["log.format"],
        modules: cfg["log.modules"],
      });
      const log = nodeLogger("node");
      const keyPath = seatKeyPath(loaded);
      let seatPubkey: string | undefined;
      // With [signer] set the seat key lives in phantom-signer (ADR 0057); the key file is dev-only.
      const seatSigner = await remoteSeatSignerFromConfig(loaded);
      if (seatSigner !== null) {
        try {
          seatPubkey = bytesToHex(await seatSigner.publicKey());
          log.info("Seat key from phantom-signer", {
            signer: seatSigner.label,
            pubkey: seatPubkey,
          });
        } catch (e) {
          if (!(e instanceof NodeError)) throw e;
          // Never fatal: the validator keeps asking (with back-off) and emits no event meanwhile.
          log.error("phantom-signer does not answer yet: no events until it does", {
            signer: seatSigner.label,
            code: e.code,
            error: e.message,
          });
        }
      } else if (await exists(keyPath)) {
        seatPubkey = bytesToHex((await readSeatKey(keyPath)).publicKey);
      } else {
        log.warn("No seat key: running as a full node (create one with phantom-node init)", {
          path: keyPath,
        });
      }
      setCryptoLogger((message, fields) => nodeLogger("crypto").info(message, { ...fields }));
      let mods: PhantomNodeModules = { nativeStatus, ...(await plugins.nodeModules?.(loaded)) };
      const genesisFile = genesisPath(loaded);
      let validator: ValidatorService | null = null;
      if (await exists(genesisFile)) {
        validator = new ValidatorService({
          genesis: await readGenesis(genesisFile),
          network: networkParams(cfg["node.network"]),
          seatKey: seatSigner === null && (await exists(keyPath))
            ? await readSeatKey(keyPath)
            : null,
          seatSigner,
          dataDir: loaded.networkDir,
          eventIntervalMs: cfg["node.event_interval_ms"],
          antiEntropyMs: cfg["node.anti_entropy_ms"],
          mempoolMaxTxs: cfg["node.mempool_max_txs"],
          listen: [...cfg["p2p.listen"]],
          bootstrap: [...cfg["p2p.bootstrap"]],
        });
        mods = {
          ...mods,
          ...validator.providers(),
          components: [...(mods.components ?? []), validator],
        };
        log.info("Genesis loaded", { path: genesisFile, seat: validator.seat });
      } else {
        log.warn("No genesis file: running the RPC frame only", { path: genesisFile });
        seatSigner?.close();
      }
      const node = new PhantomNode(
        { loaded, version: VERSION },
        seatPubkey === undefined ? mods : { ...mods, seatPubkey },
      );
      if (validator !== null) {
        validator.bind({
          registry: node.metricsRegistry,
          metrics: node.metrics,
          // Crash-only: every commit is atomic and a restart recovers from disk (ADR 0063).
          onFatal: () => Deno.exit(EXIT.FAILURE),
          flush: (c) => node.flushQueue.flush(c),
          kv: () => {
            if (node.kv === null) throw new Error("The node's KV database is not open");
            return node.kv;
          },
        });
        validator.registerRpc(node.rpcMethods);
      }
      await runUntilSignal(node, log);
      state.code = EXIT.OK;
    });

  addConfigOptions(
    program.command("init")
      .summary("write the default config and the seat key")
      .description(
        "Create <data_dir>/<network>/phantom.toml (commented defaults, with the values given as " +
          "flags written in) and the seat key (BIP-340 secret, hex, mode 0600). An existing key " +
          "is never overwritten; an existing config is kept unless --force is given.",
      )
      .option("--force", "overwrite an existing config file (never the key)")
      .option(
        "--devnet-seats <n>",
        "instead: lay out a local devnet of N validators under --data-dir (node<i>/, genesis.json, " +
          "faucet.key; same as deno task devnet writes) and print the run commands",
        intArg("--devnet-seats", 1, 64),
      ),
  ).addHelpText("after", configHelp() + "\n" + EXIT_HELP)
    .action(async (opts: { force?: boolean; devnetSeats?: number }, cmd: Command) => {
      const { flags, configFile } = configFlags(cmd);
      if (opts.devnetSeats !== undefined) {
        const loaded = loadConfig({ env: io.env, flags, readFile: () => null });
        const dir = loaded.config["node.data_dir"] === ""
          ? "./data/devnet"
          : loaded.config["node.data_dir"];
        const rpcBase = loaded.config["rpc.port"];
        const layout = await initDevnet({
          dir,
          seats: opts.devnetSeats,
          rpcBasePort: rpcBase,
          p2pBasePort: rpcBase + 1000,
        });
        io.out(`Devnet written: ${layout.genesisPath} (${layout.nodes.length} seats)\n`);
        const all = layout.nodes.map((n) => `/ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}`);
        for (const n of layout.nodes) {
          const peers = all.filter((_, i) => i !== n.seat).join(",");
          io.out(
            `phantom-node run --network devnet --data-dir ${n.dataDir} --genesis ${layout.genesisPath}` +
              ` --rpc-port ${n.rpcPort} --set p2p.listen=/ip4/127.0.0.1/tcp/${n.p2pPort}` +
              (peers === "" ? "" : ` --set p2p.bootstrap=${peers}`) + "\n",
          );
        }
        state.code = EXIT.OK;
        return;
      }
      // init writes the file: reading an existing one first would make it sticky.
      const loaded = loadConfig({ env: io.env, flags, readFile: () => null });
      const dir = loaded.networkDir;
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      const path = configFile ?? `${dir}/phantom.toml`;
      const overrides: Record<string, unknown> = {};
      for (const k of Object.keys(flags)) overrides[k] = loaded.config[k as ConfigKey];
      if ((await exists(path)) && opts.force !== true) {
        io.out(`Config kept: ${path} (exists; --force rewrites it)\n`);
      } else {
        await Deno.writeTextFile(path, defaultConfigToml(overrides));
        io.out(`Config written: ${path}\n`);
      }
      const keyPath = seatKeyPath(loaded);
      if (loaded.config["signer.socket"] !== "" || loaded.config["signer.port"] !== 0) {
        // The seat key lives in phantom-signer (ADR 0057): no key file to write.
        io.out("Seat key: held by phantom-signer ([signer] is set), no key file written\n");
      } else if (await exists(keyPath)) {
        const k = await readSeatKey(keyPath);
        io.out(`Seat key kept: ${keyPath} (pubkey ${bytesToHex(k.publicKey)})\n`);
      } else {
        const k = await writeSeatKey(keyPath);
        io.out(`Seat key written: ${keyPath} (mode 0600, pubkey ${bytesToHex(k.publicKey)})\n`);
      }
      state.code = EXIT.OK;
    });

  addConfigOptions(
    program.command("status")
      .summary("query a running node's health")
      .description("Print a running node's /status/node document (JSON).")
      .option("--url <url>", "node base URL (default http://<rpc.listen>:<rpc.port> from config)"),
  ).addHelpText("after", EXIT_HELP)
    .action(async (opts: { url?: string }, cmd: Command) => {
      let base = opts.url;
      if (base === undefined) {
        const { config } = loadConfig({ env: io.env, ...configFlags(cmd) });
        const host = config["rpc.listen"].includes(":")
          ? `[${config["rpc.listen"]}]`
          : config["rpc.listen"];
        base = `http://${host}:${config["rpc.port"]}`;
      }
      let res: Response;
      try {
        res = await fetch(`${base.replace(/\/+$/, "")}/status/node`, {
          signal: AbortSignal.timeout(10_000),
        });
      } catch (e) {
        io.err(
          `phantom-node: Cannot reach node at ${base}: ${
            e instanceof Error ? e.message : String(e)
          }\n`,
        );
        state.code = EXIT.FAILURE;
        return;
      }
      const text = await res.text();
      if (!res.ok) {
        io.err(
          `phantom-node: Node at ${base} answered HTTP ${res.status}: ${text.slice(0, 200)}\n`,
        );
        state.code = EXIT.FAILURE;
        return;
      }
      io.out(JSON.stringify(JSON.parse(text), null, 2) + "\n");
      state.code = EXIT.OK;
    });

  const snapshot = program.command("snapshot")
    .description("Export or import a state snapshot (the node must not be running).");
  for (const dir of ["export", "import"] as const) {
    addConfigOptions(
      snapshot.command(dir)
        .argument(
          "<file>",
          dir === "export" ? "destination file (must not exist)" : "snapshot file",
        )
        .description(
          dir === "export"
            ? "Write a snapshot (state + consensus checkpoint) of the latest durable finalized " +
              "anchor to <file>."
            : "Verify <file> (digest, network, state root, checkpoint) and install it as this " +
              "node's state and consensus starting point; `run` then syncs the DAG after it " +
              "from peers.",
        )
        .option(
          "--trusted-root <hex>",
          "import only: refuse the snapshot unless its state root is this one",
        )
        .option(
          "--trusted-anchor <hex>",
          "import only: refuse the snapshot unless its anchor id is this one",
        ),
    ).addHelpText("after", EXIT_HELP)
      .action(
        async (
          file: string,
          opts: { trustedRoot?: string; trustedAnchor?: string },
          cmd: Command,
        ) => {
          const loaded = loadConfig({ env: io.env, ...configFlags(cmd) });
          if (plugins.snapshotter === undefined) {
            throw new NodeError({
              code: "NOT_IMPLEMENTED",
              feature: `snapshot ${dir} (the state engine provides the Snapshotter)`,
            });
          }
          const lock = await DataDirLock.acquire(loaded.networkDir);
          try {
            const s = await plugins.snapshotter(loaded);
            const trust = {
              ...(opts.trustedRoot === undefined ? {} : { stateRoot: opts.trustedRoot }),
              ...(opts.trustedAnchor === undefined ? {} : { anchorId: opts.trustedAnchor }),
            };
            const info = dir === "export"
              ? await s.exportTo(file)
              : await s.importFrom(file, trust);
            io.out(JSON.stringify(info) + "\n");
          } finally {
            await lock.release();
          }
          state.code = EXIT.OK;
        },
      );
  }

  program.command("CacheBench")
    .summary("benchmark the event caches against a KV store")
    .description(
      "Measure event cache hit rate and read latency against the Deno KV store <store_dir>/chain.kv " +
        "(a node data directory works). Pass 1 over the sample warms the cache; later passes hit " +
        "it when the capacity allows. Create a synthetic store first with --populate N.",
    )
    .requiredOption("--store_dir <dir>", "directory holding chain.kv")
    .addOption(
      new Option("--mode <mode>", "which reads to measure").choices(["headers", "payloads"])
        .default("headers"),
    )
    .option(
      "--sample <n>",
      "distinct events read per pass",
      intArg("--sample", 1, 10_000_000),
      1000,
    )
    .option("--iterations <n>", "passes over the sample", intArg("--iterations", 1, 1000), 5)
    .option(
      "--cache_hdr_cap <n>",
      "header cache capacity in entries (0 = off)",
      intArg("--cache_hdr_cap", 0, 100_000_000),
      10000,
    )
    .option(
      "--cache_pl_cap <bytes>",
      "payload cache capacity in bytes (0 = off)",
      intArg("--cache_pl_cap", 0, 68_719_476_736),
      0,
    )
    .option("--shards <n>", "LRU shards per cache (default: CPU count)", intArg("--shards", 1, 256))
    .option(
      "--seed <n>",
      "seed of the sample choice and read order",
      intArg("--seed", 0, 0xffffffff),
      1,
    )
    .option(
      "--populate <n>",
      "first write N synthetic events into the store",
      intArg("--populate", 1, 10_000_000),
    )
    .option(
      "--payload_bytes <n>",
      "mean synthetic payload size for --populate",
      intArg("--payload_bytes", 1, 4_194_304),
      4096,
    )
    .option("--json", "print one JSON summary line instead of text")
    .option("--metrics", "also print the pc_node_* metrics after the run")
    .addHelpText("after", EXIT_HELP)
    .action(async (o: {
      store_dir: string;
      mode: "headers" | "payloads";
      sample: number;
      iterations: number;
      cache_hdr_cap: number;
      cache_pl_cap: number;
      shards?: number;
      seed: number;
      populate?: number;
      payload_bytes: number;
      json?: boolean;
      metrics?: boolean;
    }) => {
      if (o.populate !== undefined) {
        const t0 = performance.now();
        await populateStore(o.store_dir, o.populate, o.payload_bytes);
        io.err(
          `Populated ${o.populate} events into ${o.store_dir}/chain.kv in ${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s\n`,
        );
      }
      const r = await runCacheBench({
        storeDir: o.store_dir,
        mode: o.mode,
        sample: o.sample,
        iterations: o.iterations,
        headerCap: o.cache_hdr_cap,
        payloadCap: o.cache_pl_cap,
        seed: o.seed,
        ...(o.shards === undefined ? {} : { shards: o.shards }),
      });
      const { metrics_text, ...summary } = r;
      if (o.json === true) {
        io.out(JSON.stringify({ bench: "CacheBench", ...summary }) + "\n");
      } else {
        const lat = (name: string, l: typeof r.read_latency) =>
          `  ${
            name.padEnd(14)
          } n=${l.count} p50=${l.p50_us}us p90=${l.p90_us}us p99=${l.p99_us}us max=${l.max_us}us\n`;
        io.out(
          `CacheBench mode=${r.mode} store_events=${r.store_events} sample=${r.sample} iterations=${r.iterations}\n` +
            `  caches         header_cap=${r.header_cap} payload_cap=${r.payload_cap} shards=${r.shards}\n` +
            `  hit rate       ${
              (r.hit_rate * 100).toFixed(1)
            }% (${r.hits} hits, ${r.misses} misses of ${r.reads} reads)\n` +
            `  per pass       ${
              r.hit_rate_per_iteration.map((h) => (h * 100).toFixed(1) + "%").join(" ")
            }\n` +
            lat("all reads", r.read_latency) + lat("cache hits", r.hit_latency) +
            lat("store reads", r.miss_latency),
        );
      }
      if (o.metrics === true) io.out(metrics_text + "\n");
      state.code = EXIT.OK;
    });

  program.command("version")
    .description("Print the version of phantom-node and its runtime.")
    .option("--json", "print JSON")
    .action((o: { json?: boolean }) => {
      const v = {
        phantom_node: VERSION,
        deno: Deno.version.deno,
        v8: Deno.version.v8,
        typescript: Deno.version.typescript,
      };
      io.out(
        o.json === true
          ? JSON.stringify(v) + "\n"
          : `phantom-node ${VERSION} (deno ${v.deno}, v8 ${v.v8}, typescript ${v.typescript})\n`,
      );
      state.code = EXIT.OK;
    });

  return program;
}

/**
 * Runs phantom-node with the given arguments and returns the exit code (does not exit).
 * @param args arguments after the program name
 * @param io writers and environment; default the process's
 * @param plugins engines wired by the lead
 * @returns the exit code: 0 ok, 1 failure, 2 usage/config error, 3 data dir locked
 * @example
 * ```ts
 * import { main } from "./node_cli.ts";
 * const out: string[] = [];
 * const code = await main(["version"], { out: (t) => out.push(t), err: () => {}, env: {} });
 * console.assert(code === 0 && out.join("").startsWith("phantom-node "));
 * ```
 */
export async function main(
  args: readonly string[],
  io: CliIo = processIo(),
  plugins: CliPlugins = {},
): Promise<number> {
  const state = { code: EXIT.OK as number };
  const program = buildProgram(io, plugins, state);
  if (args.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...args], { from: "user" });
    return state.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are "errors" under exitOverride; commander already printed them.
      if (
        e.code === "commander.helpDisplayed" || e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return EXIT.OK;
      }
      if (e.code === "commander.executeSubCommandAsync") return e.exitCode;
      return EXIT.USAGE;
    }
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.err(`phantom-node: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof NodeError) {
      io.err(`phantom-node: ${e.message}\n`);
      return e.code === "DATA_DIR_LOCKED" ? EXIT.LOCKED : EXIT.FAILURE;
    }
    io.err(`phantom-node: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.FAILURE;
  }
}
