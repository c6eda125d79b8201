#!/usr/bin/env -S deno run --allow-all
/**
 * phantom-node: PhantomCoin validator / full node. Thin entry point; see src/cli and
 * docs/operations.md.
 * @module
 */
import { main } from "./src/cli/mod.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
