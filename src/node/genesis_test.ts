import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeAddress } from "../codec/mod.ts";
import { genesisAnchor } from "../consensus/mod.ts";
import { NodeError } from "./errors.ts";
import { genesisStateAnchor, parseGenesis, readGenesis, writeGenesis } from "./genesis.ts";

const KEY = "11".repeat(32);
const ADDR = encodeAddress({ type: "key", pubkey: new Uint8Array(32).fill(2) }, "devnet");

function expectInvalid(json: unknown, detail: RegExp): void {
  assert.throws(() => parseGenesis(json, "g.json"), (e: unknown) => {
    assert.ok(e instanceof NodeError && e.code === "GENESIS_INVALID", String(e));
    assert.match(e.message, detail);
    return true;
  });
}

Deno.test("parseGenesis() derives the A0 id from network, k and note", () => {
  const g = parseGenesis({
    network: "devnet",
    committee: [KEY, "22".repeat(32)],
    genesis_note: "note",
    allocations: [{ address: ADDR, amount: "5" }],
  }, "g.json");
  assert.equal(g.networkId, 3);
  assert.deepEqual(g.genesisId, genesisAnchor(3, 2, "note").id);
  assert.equal(g.committee[1]![0], 0x22);
});

Deno.test("parseGenesis() rejects bad committees, notes, networks and allocations", () => {
  const ok = { network: "devnet", committee: [KEY], genesis_note: "n", allocations: [] };
  expectInvalid(null, /not a JSON object/);
  expectInvalid({ ...ok, network: "moon" }, /unknown network/);
  expectInvalid({ ...ok, committee: [] }, /committee must list/);
  expectInvalid({ ...ok, committee: ["AB".repeat(32)] }, /committee\/0/);
  expectInvalid({ ...ok, committee: [KEY, KEY] }, /duplicate/);
  expectInvalid({ ...ok, genesis_note: 5 }, /genesis_note/);
  expectInvalid({ ...ok, allocations: [{ address: ADDR, amount: "0" }] }, /amount/);
  expectInvalid({ ...ok, allocations: [{ address: "pc1xyz", amount: "1" }] }, /address/);
  // A devnet genesis written before devnet had its own prefix (tpc1…, ADR 0059) is refused with
  // what to do; so is a devnet address in a testnet genesis.
  const pk = { type: "key" as const, pubkey: new Uint8Array(32).fill(2) };
  expectInvalid(
    { ...ok, allocations: [{ address: encodeAddress(pk, "testnet"), amount: "1" }] },
    /allocations\/0\/address: .*prefix "tpc" \(testnet\), expected "dpc" \(devnet\).*remove the devnet/,
  );
  expectInvalid(
    { ...ok, network: "testnet", allocations: [{ address: ADDR, amount: "1" }] },
    /prefix "dpc" \(devnet\), expected "tpc" \(testnet\)/,
  );
});

Deno.test("genesisStateAnchor() gives each allocation a distinct tier-0 output", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), (n) => {
      const g = parseGenesis({
        network: "devnet",
        committee: [KEY],
        genesis_note: "x",
        allocations: Array.from({ length: n }, () => ({ address: ADDR, amount: "7" })),
      }, "g");
      const a = genesisStateAnchor(g);
      assert.equal(a.index, 0);
      const mints = a.events[0]!.mints;
      assert.equal(mints.length, n);
      assert.equal(new Set(mints.map((m) => m.mintId.join())).size, n, `distinct ids for n=${n}`);
      assert.ok(mints.every((m) => m.tier === 0 && m.amount === 7n));
    }),
    { seed: 7, numRuns: 20 },
  );
});

Deno.test("writeGenesis() and readGenesis() round-trip and refuse invalid files", async () => {
  const dir = await Deno.makeTempDir();
  const file = { network: "devnet" as const, committee: [KEY], genesis_note: "r", allocations: [] };
  await writeGenesis(`${dir}/g.json`, file);
  assert.deepEqual((await readGenesis(`${dir}/g.json`)).file, file);
  await Deno.writeTextFile(`${dir}/bad.json`, "{");
  await assert.rejects(readGenesis(`${dir}/bad.json`), NodeError);
  await assert.rejects(readGenesis(`${dir}/missing.json`), NodeError);
  await Deno.remove(dir, { recursive: true });
});
