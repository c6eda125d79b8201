#!/usr/bin/env -S deno run --allow-all
/**
 * phantom-node: PhantomCoin validator / full node. Thin entry point; see src/cli and
 * docs/operations.md.
 * @module
 */
import { main, processIo } from "./src/cli/mod.ts";
import { genesisPath, readGenesis, StateSnapshotter } from "./src/node/mod.ts";
import { networkParams } from "./src/params/mod.ts";

if (import.meta.main) {
  Deno.exit(
    await main(Deno.args, processIo(), {
      snapshotter: async (loaded) =>
        new StateSnapshotter({
          dataDir: loaded.networkDir,
          network: networkParams(loaded.config["node.network"]),
          // The same genesis `run` uses: the checkpoint's events are checked against its committee.
          genesis: await readGenesis(genesisPath(loaded)),
        }),
    }),
  );
}
