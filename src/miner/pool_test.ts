import assert from "node:assert/strict";
import {
  bigIntToHash,
  buildTemplate,
  DEVNET_MINT_PARAMS,
  hashToBigInt,
  MintChain,
  powHash,
  powJob,
  templateMint,
} from "../mint/mod.ts";
import { blake3 } from "../crypto/mod.ts";
import { MinerPool } from "./pool.ts";

function job(target: bigint, tier = 2) {
  const chain = new MintChain(DEVNET_MINT_PARAMS);
  const t = buildTemplate(chain, {
    payout: { type: "key", pubkey: new Uint8Array(32).fill(tier) },
    tier,
  });
  const m = templateMint({ ...t, target: target === 0n ? 1n : target }, 0n);
  return { mint: m, job: powJob(m) };
}

Deno.test("MinerPool.search() finds a nonce that meets a trivial target", async () => {
  const pool = new MinerPool({ threads: 2, batchSize: 16 });
  await pool.start();
  try {
    const target = (1n << 250n) - 1n;
    const { mint, job: j } = job(target);
    const s = await pool.search(j);
    assert.ok(s !== null);
    const h = powHash({ ...mint, nonce: s.nonce });
    assert.deepEqual(h, s.hash);
    assert.ok(hashToBigInt(h) <= target, `nonce ${s.nonce}`);
    assert.ok(pool.hashes() > 0n);
    assert.ok(pool.hasher === "native" || pool.hasher === "fallback");
  } finally {
    await pool.stop();
  }
});

Deno.test("MinerPool.search() with the JS hasher agrees with powHash()", async () => {
  const pool = new MinerPool({ threads: 1, batchSize: 8, hasher: "js" });
  await pool.start();
  try {
    const { mint, job: j } = job((1n << 252n) - 1n, 1);
    const s = await pool.search(j, 1000n);
    assert.ok(s !== null && s.nonce >= 1000n);
    assert.deepEqual(powHash({ ...mint, nonce: s.nonce }), s.hash);
    assert.equal(pool.hasher, "fallback");
  } finally {
    await pool.stop();
  }
});

Deno.test("MinerPool.cancel() stops an impossible search and the pool takes a new job", async () => {
  const pool = new MinerPool({ threads: 2, batchSize: 32 });
  await pool.start();
  try {
    const hard = pool.search({ ...job(0n).job, target: bigIntToHash(0n) });
    assert.equal(pool.searching, true);
    pool.cancel();
    assert.equal(await hard, null);
    assert.equal(pool.searching, false);
    const s = await pool.search(job((1n << 254n) - 1n).job);
    assert.ok(s !== null);
  } finally {
    await pool.stop();
  }
});

Deno.test("MinerPool.search() on a refreshed template supersedes the running search", async () => {
  const pool = new MinerPool({ threads: 1, batchSize: 8 });
  await pool.start();
  try {
    const old = pool.search(job(0n).job);
    const { mint, job: j } = job((1n << 253n) - 1n, 0);
    const fresh = pool.search(j);
    assert.equal(await old, null);
    const s = await fresh;
    assert.ok(s !== null);
    assert.ok(hashToBigInt(powHash({ ...mint, nonce: s.nonce })) <= hashToBigInt(mint.target));
  } finally {
    await pool.stop();
  }
});

Deno.test("MinerPool.search() returns null when the nonce space runs out", async () => {
  const pool = new MinerPool({ threads: 2, batchSize: 4 });
  await pool.start();
  try {
    const s = await pool.search(job(0n).job, (1n << 64n) - 10n);
    assert.equal(s, null);
  } finally {
    await pool.stop();
  }
});

Deno.test("MinerPool rejects bad options and searching before start()", () => {
  assert.throws(() => new MinerPool({ threads: 0 }), RangeError);
  assert.throws(() => new MinerPool({ threads: 1, batchSize: 0 }), RangeError);
  assert.throws(() => new MinerPool({ threads: 1 }).search(job(1n).job), Error);
});

Deno.test("MinerPool.search() patches big- and little-endian nonces at any offset", async () => {
  const pool = new MinerPool({ threads: 2, batchSize: 4 });
  await pool.start();
  try {
    for (const le of [true, false]) {
      const preimage = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
      const target = bigIntToHash((1n << 251n) - 1n);
      const start = 0xfffffffen; // crosses the 32-bit boundary of the nonce
      const s = await pool.search(
        { preimage, nonceOffset: 5, nonceLittleEndian: le, target },
        start,
      );
      assert.ok(s !== null && s.nonce >= start, `le=${le}`);
      const p = preimage.slice();
      new DataView(p.buffer).setBigUint64(5, s.nonce, le);
      assert.deepEqual(blake3(p), s.hash, `le=${le} nonce=${s.nonce}`);
      assert.ok(hashToBigInt(s.hash) <= hashToBigInt(target), `le=${le}`);
    }
  } finally {
    await pool.stop();
  }
});
