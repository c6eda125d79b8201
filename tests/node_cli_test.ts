import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * Runs phantom-node to completion.
 * @param args phantom-node arguments
 * @param env extra environment variables
 * @returns exit code, stdout and stderr
 */
async function runNode(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}phantom-node.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("phantom-node --help lists every subcommand and exits 0", async () => {
  const r = await runNode(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const cmd of ["run", "init", "status", "snapshot", "CacheBench", "version"]) {
    assert.match(r.stdout, new RegExp(`^  ${cmd}\\b`, "m"), cmd);
  }
  assert.match(r.stdout, /Exit codes: 0 success/);
});

Deno.test("phantom-node run --help documents config keys, env names and flags", async () => {
  const r = await runNode(["run", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /node\.cache\.header_cap {2}PHANTOM_NODE_CACHE_HEADER_CAP {2}--cache_hdr_cap/,
  );
  assert.match(r.stdout, /--cache_pl_cap/);
});

Deno.test("phantom-node version prints the version from deno.json", async () => {
  const version =
    JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))).version;
  const r = await runNode(["version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^phantom-node ${version.replaceAll(".", "\\.")} \\(deno `));
  const v = await runNode(["--version"]);
  assert.equal(v.stdout.trim(), `phantom-node ${version}`);
});

Deno.test("phantom-node rejects bad flags and bad values with exit code 2", async () => {
  const unknown = await runNode(["run", "--no-such-flag"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--no-such-flag'/);
  const badValue = await runNode(["run", "--cache_hdr_cap", "lots"]);
  assert.equal(badValue.code, 2);
  assert.match(
    badValue.stderr,
    /Invalid config value for "node\.cache\.header_cap" \(flag --cache_hdr_cap\): "lots" is not an integer/,
  );
  const badChoice = await runNode(["run", "--network", "moonnet"]);
  assert.equal(badChoice.code, 2);
  assert.match(badChoice.stderr, /Allowed choices are mainnet, testnet, devnet/);
  const noCommand = await runNode([]);
  assert.equal(noCommand.code, 2);
});
