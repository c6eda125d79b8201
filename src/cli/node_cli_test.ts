import assert from "node:assert/strict";
import { loadConfig, parseConfigToml, PhantomNode } from "../node/mod.ts";
import { EXIT, main } from "./node_cli.ts";

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

Deno.test("main(init) writes the commented config and a 0600 seat key, and never replaces the key", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture();
  const code = await main(
    ["init", "--data-dir", dir, "--network", "testnet", "--rpc-port", "9999"],
    c.io,
  );
  assert.equal(code, EXIT.OK, c.err());
  const cfg = parseConfigToml(await Deno.readTextFile(`${dir}/testnet/phantom.toml`), "x");
  assert.equal(cfg["node.network"], "testnet");
  assert.equal(cfg["rpc.port"], 9999);
  const st = await Deno.stat(`${dir}/testnet/keys/seat.key`);
  assert.equal((st.mode ?? 0) & 0o777, 0o600);
  const key = await Deno.readTextFile(`${dir}/testnet/keys/seat.key`);
  const again = capture();
  assert.equal(
    await main(["init", "--data-dir", dir, "--network", "testnet", "--force"], again.io),
    EXIT.OK,
  );
  assert.match(again.out(), /Config written/);
  assert.match(again.out(), /Seat key kept/);
  assert.equal(await Deno.readTextFile(`${dir}/testnet/keys/seat.key`), key);
  // The written file is what `run` would load for this network.
  const loaded = loadConfig({
    env: {},
    flags: { "node.data_dir": dir, "node.network": "testnet" },
  });
  assert.equal(loaded.configPath, `${dir}/testnet/phantom.toml`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main(CacheBench) says clearly when the store is empty", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture();
  assert.equal(await main(["CacheBench", "--store_dir", dir], c.io), EXIT.FAILURE);
  assert.match(c.err(), /holds no events: create one with --populate N/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main(CacheBench) populates a store and reports hit rate and latency", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture();
  const args = [
    "CacheBench",
    "--store_dir",
    dir,
    "--populate",
    "40",
    "--payload_bytes",
    "256",
    "--sample",
    "20",
  ];
  assert.equal(
    await main([...args, "--iterations", "4", "--cache_hdr_cap", "100", "--json"], c.io),
    EXIT.OK,
    c.err(),
  );
  const r = JSON.parse(c.out());
  assert.equal(r.store_events, 40);
  assert.equal(r.reads, 80);
  assert.equal(r.hit_rate, 0.75);
  assert.deepEqual(r.hit_rate_per_iteration, [0, 1, 1, 1]);
  const off = capture();
  assert.equal(
    await main([
      "CacheBench",
      "--store_dir",
      dir,
      "--mode",
      "payloads",
      "--sample",
      "10",
      "--iterations",
      "2",
      "--cache_pl_cap",
      "0",
      "--metrics",
    ], off.io),
    EXIT.OK,
  );
  assert.match(off.out(), /hit rate {7}0\.0% \(0 hits, 20 misses of 20 reads\)/);
  assert.match(off.out(), /pc_node_cache_misses_total\{cache="payload"\} 20/);
  assert.match(off.out(), /store reads {4}n=20 p50=/);
  const bad = capture();
  assert.equal(await main(["CacheBench", "--store_dir", dir, "--sample", "0"], bad.io), EXIT.USAGE);
  assert.match(bad.err(), /--sample expects an integer in 1\.\.10000000/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main(snapshot) without a snapshotter fails clearly; with one it holds the lock", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture();
  assert.equal(
    await main(["snapshot", "export", `${dir}/s.bin`, "--data-dir", dir], c.io),
    EXIT.FAILURE,
  );
  assert.match(c.err(), /Not available yet: snapshot export/);
  const ok = capture();
  let lockText = "";
  const code = await main(["snapshot", "import", `${dir}/s.bin`, "--data-dir", dir], ok.io, {
    snapshotter: (loaded) => ({
      exportTo: () => Promise.reject(new Error("unused")),
      importFrom: async (path) => {
        lockText = await Deno.readTextFile(`${loaded.networkDir}/LOCK`);
        return { anchor: "ab", height: 1, stateRoot: "cd", bytes: path.length };
      },
    }),
  });
  assert.equal(code, EXIT.OK, ok.err());
  assert.equal(lockText.trim(), String(Deno.pid));
  assert.equal(JSON.parse(ok.out()).anchor, "ab");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main(status) prints a running node's status and fails when none answers", async () => {
  const dir = await Deno.makeTempDir();
  const loaded = loadConfig({
    env: {},
    flags: { "node.data_dir": dir, "rpc.port": "0", "metrics.enabled": "false" },
  });
  const node = new PhantomNode({ loaded, version: "t" });
  await node.start();
  const port = node.rpc?.port ?? 0;
  try {
    const c = capture();
    assert.equal(
      await main(["status", "--url", `http://127.0.0.1:${port}`], c.io),
      EXIT.OK,
      c.err(),
    );
    assert.equal(JSON.parse(c.out()).network, "mainnet");
  } finally {
    await node.stop();
  }
  const down = capture();
  assert.equal(await main(["status", "--url", `http://127.0.0.1:${port}`], down.io), EXIT.FAILURE);
  assert.match(down.err(), /Cannot reach node at http:\/\/127\.0\.0\.1:\d+/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main() maps config errors to exit code 2 and a locked data dir to 3", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture({ PHANTOM_RPC_PORT: "-1" });
  assert.equal(await main(["status"], c.io), EXIT.USAGE);
  assert.match(c.err(), /env PHANTOM_RPC_PORT/);
  const set = capture();
  assert.equal(await main(["run", "--set", "rpc.nope=1"], set.io), EXIT.USAGE);
  assert.match(set.err(), /unknown config key "rpc\.nope"/);
  const loaded = loadConfig({ env: {}, flags: { "node.data_dir": dir, "rpc.enabled": "false" } });
  const node = new PhantomNode({ loaded, version: "t" });
  await node.start();
  try {
    const l = capture();
    assert.equal(
      await main(["snapshot", "export", "x", "--data-dir", dir], l.io, {
        snapshotter: () => Promise.reject(new Error("unused")),
      }),
      EXIT.LOCKED,
    );
    assert.match(l.err(), /is in use/);
  } finally {
    await node.stop();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main(init --devnet-seats) lays out a devnet once and keeps its genesis on a rerun", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture();
  const args = ["init", "--devnet-seats", "3", "--data-dir", dir, "--network", "devnet"];
  assert.equal(await main(args, c.io), EXIT.OK, c.err());
  const g1 = await Deno.readTextFile(`${dir}/genesis.json`);
  const committee = (JSON.parse(g1) as { committee: string[] }).committee;
  assert.equal(committee.length, 3);
  assert.equal(c.out().split("\n").filter((l) => l.startsWith("phantom-node run")).length, 3);
  assert.equal(await main(args, capture().io), EXIT.OK);
  assert.equal(await Deno.readTextFile(`${dir}/genesis.json`), g1, "genesis unchanged on rerun");
  assert.equal(await main([...args.slice(0, 1), "--devnet-seats", "0"], capture().io), EXIT.USAGE);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main(init) with --signer-socket writes the [signer] config and no seat key file", async () => {
  const dir = await Deno.makeTempDir();
  const c = capture();
  const code = await main(
    ["init", "--data-dir", dir, "--network", "testnet", "--signer-socket", "/run/pc/signer.sock"],
    c.io,
  );
  assert.equal(code, EXIT.OK, c.err());
  assert.match(c.out(), /held by phantom-signer/);
  const cfg = parseConfigToml(await Deno.readTextFile(`${dir}/testnet/phantom.toml`), "x");
  assert.equal(cfg["signer.socket"], "/run/pc/signer.sock");
  await assert.rejects(Deno.stat(`${dir}/testnet/keys/seat.key`), Deno.errors.NotFound);
});
