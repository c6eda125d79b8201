/**
 * phantom-signer: holds the keys, enforces slashing protection, serves signatures on a local
 * socket (docs/spec/keys.md). Thin entry point: parses flags and calls into src/signer.
 *
 *   phantom-signer init --keystore PATH --network testnet [--mnemonic-file F]
 *   phantom-signer run --keystore PATH --slashing PATH --genesis-id HEX (--socket PATH | --port N)
 *                      [--token-file F]
 *   phantom-signer slashing-export --slashing PATH --genesis-id HEX
 *   phantom-signer slashing-import --slashing PATH --genesis-id HEX --file F
 *   phantom-signer wallet create|restore|address|balance|history|send|pspt ...  (src/cli/wallet_cli.ts)
 *
 * The passphrase comes from $PHANTOM_SIGNER_PASSPHRASE or --passphrase-file (wallet commands:
 * $PHANTOM_WALLET_PASSPHRASE, --passphrase-file or --passphrase-stdin).
 * @module
 */
import { Command } from "commander";
import { hexToBytes } from "@noble/hashes/utils.js";
import {
  createKeystore,
  generateMnemonic,
  mnemonicToSeed,
  type Network,
  SignerService,
  SlashingProtection,
} from "./src/signer/mod.ts";
// The wallet CLI file itself, not src/cli/mod.ts: that would load the whole node (libp2p, KV)
// into the signer process.
import { walletMain } from "./src/cli/wallet_cli.ts";

async function passphrase(file: string | undefined): Promise<string> {
  if (file !== undefined) return (await Deno.readTextFile(file)).replace(/\r?\n$/, "");
  const env = Deno.env.get("PHANTOM_SIGNER_PASSPHRASE");
  if (env === undefined || env === "") {
    throw new RangeError("Missing passphrase: set PHANTOM_SIGNER_PASSPHRASE or --passphrase-file");
  }
  return env;
}

function genesis(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError(`Invalid --genesis-id: "${hex}"`);
  return hexToBytes(hex);
}

const program = new Command("phantom-signer").description("PhantomCoin key holder and signer");

program.command("init")
  .requiredOption("--keystore <path>")
  .requiredOption("--network <name>")
  .option("--mnemonic-file <path>", "restore from this BIP-39 mnemonic instead of a new one")
  .option("--passphrase-file <path>")
  .action(
    async (
      o: { keystore: string; network: Network; mnemonicFile?: string; passphraseFile?: string },
    ) => {
      const mnemonic = o.mnemonicFile !== undefined
        ? (await Deno.readTextFile(o.mnemonicFile)).trim()
        : generateMnemonic();
      await createKeystore(
        o.keystore,
        mnemonicToSeed(mnemonic),
        await passphrase(o.passphraseFile),
        {
          network: o.network,
        },
      );
      if (o.mnemonicFile === undefined) console.log(mnemonic);
    },
  );

program.command("run")
  .requiredOption("--keystore <path>")
  .requiredOption("--slashing <path>")
  .requiredOption("--genesis-id <hex>")
  .option("--socket <path>")
  .option("--port <n>")
  .option("--token-file <path>")
  .option("--passphrase-file <path>")
  .action(async (o: {
    keystore: string;
    slashing: string;
    genesisId: string;
    socket?: string;
    port?: string;
    tokenFile?: string;
    passphraseFile?: string;
  }) => {
    const token = o.tokenFile !== undefined ? (await Deno.readTextFile(o.tokenFile)).trim() : null;
    const listen = o.socket !== undefined
      ? { transport: "unix" as const, path: o.socket }
      : { transport: "tcp" as const, port: Number(o.port ?? "0") };
    const svc = new SignerService({
      keystorePath: o.keystore,
      passphrase: await passphrase(o.passphraseFile),
      slashingPath: o.slashing,
      genesisId: genesis(o.genesisId),
      listen,
      token,
    });
    const { network } = await svc.start();
    console.log(
      JSON.stringify({ msg: "Signer ready", network, port: svc.port, socket: o.socket ?? null }),
    );
    const stop = () => {
      svc.stop().then(() => Deno.exit(0));
    };
    Deno.addSignalListener("SIGTERM", stop);
    Deno.addSignalListener("SIGINT", stop);
  });

program.command("slashing-export")
  .requiredOption("--slashing <path>")
  .requiredOption("--genesis-id <hex>")
  .action(async (o: { slashing: string; genesisId: string }) => {
    const sp = await SlashingProtection.open({ path: o.slashing, genesisId: genesis(o.genesisId) });
    console.log(JSON.stringify(sp.exportInterchange(), null, 2));
  });

program.command("slashing-import")
  .requiredOption("--slashing <path>")
  .requiredOption("--genesis-id <hex>")
  .requiredOption("--file <path>")
  .action(async (o: { slashing: string; genesisId: string; file: string }) => {
    const sp = await SlashingProtection.open({ path: o.slashing, genesisId: genesis(o.genesisId) });
    const n = await sp.importInterchange(JSON.parse(await Deno.readTextFile(o.file)));
    console.log(JSON.stringify({ msg: "Interchange imported", changed: n }));
  });

// Listed for --help only: `wallet` is dispatched to the wallet CLI before commander runs, so it
// keeps its own exit codes and error messages (ADR 0055).
program.command("wallet")
  .description(
    "wallet: create|restore|address|balance|history|send|pspt (phantom-signer wallet --help)",
  )
  .allowUnknownOption()
  .helpOption(false);

if (import.meta.main) {
  if (Deno.args[0] === "wallet") Deno.exit(await walletMain(Deno.args.slice(1)));
  await program.parseAsync(Deno.args, { from: "user" });
}
