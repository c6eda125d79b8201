/**
 * Mint benchmarks (docs/performance.md `## Mint`): PoW hashing per thread on the native BLAKE3
 * path against the JavaScript fallback in the same run, the worker pool end to end, and the cost
 * of verifying one solution.
 *
 *   deno bench -A bench/mint_bench.ts
 *   deno run -A bench/mint_bench.ts --medians   # interleaved medians, one JSON summary line
 *
 * The machine is shared and noisy: `--medians` alternates native and fallback rounds so both see
 * the same load, and reports medians (the figures in docs/performance.md).
 * @module
 */
import assert from "node:assert/strict";
import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { encodeMint } from "../src/codec/mod.ts";
import { blake3Batch, nativeStatus } from "../src/crypto/mod.ts";
import {
  bigIntToHash,
  buildTemplate,
  checkSolution,
  DEVNET_MINT_PARAMS,
  hashToBigInt,
  MintChain,
  powHash,
  powJob,
  templateMint,
} from "../src/mint/mod.ts";
import { MinerPool } from "../src/miner/mod.ts";

const BATCH = 256;
const chain = new MintChain(DEVNET_MINT_PARAMS);
const template = buildTemplate(chain, {
  payout: { type: "commit", commitment: new Uint8Array(32).fill(7) },
  tier: 2,
});
const job = powJob(templateMint(template, 0n));
const preimages = Array.from({ length: BATCH }, (_, i) => {
  const b = job.preimage.slice();
  new DataView(b.buffer).setBigUint64(job.nonceOffset, BigInt(i), true);
  return b;
});

// Fixtures checked once: both paths give the PoW hash of the mint with that nonce.
const native = blake3Batch(preimages);
for (let i = 0; i < BATCH; i += 37) {
  const h = powHash(templateMint(template, BigInt(i)));
  assert.deepEqual(native[i], h, `native nonce ${i}`);
  assert.deepEqual(nobleBlake3(preimages[i]!), h, `fallback nonce ${i}`);
}
let solved = templateMint(template, 0n);
for (let n = 0n; hashToBigInt(powHash(solved)) > template.target; n++) {
  solved = templateMint(template, n);
}
const solvedBytes = encodeMint(solved);
checkSolution(chain, solvedBytes);
console.error(
  `mint_bench: blake3 ${nativeStatus().blake3} (${nativeStatus().blake3Backend ?? "-"}), ` +
    `preimage ${job.preimage.length} bytes, ${navigator.hardwareConcurrency} CPUs`,
);

Deno.bench({
  group: "pow-hash-256",
  name: "blake3Batch (native) x256",
  baseline: true,
  fn: () => {
    blake3Batch(preimages);
  },
});

Deno.bench({
  group: "pow-hash-256",
  name: "noble blake3 (fallback) x256",
  fn: () => {
    for (const p of preimages) nobleBlake3(p);
  },
});

// End to end through one worker: 2^16 nonces up to the top of the u64 space at an impossible
// target, so the search ends by exhausting the range (includes nonce patching and target checks).
const SPAN = 1n << 16n;
const impossible = { ...job, target: bigIntToHash(0n) };
const poolNative = new MinerPool({ threads: 1, batchSize: BATCH });
const poolJs = new MinerPool({ threads: 1, batchSize: BATCH, hasher: "js" });
await poolNative.start();
await poolJs.start();

Deno.bench({
  group: "pool-65536-nonces",
  name: "MinerPool 1 thread auto hasher, 65536 nonces",
  baseline: true,
  fn: async () => {
    assert.equal(await poolNative.search(impossible, (1n << 64n) - SPAN), null);
  },
});

Deno.bench({
  group: "pool-65536-nonces",
  name: "MinerPool 1 thread js hasher, 65536 nonces",
  fn: async () => {
    assert.equal(await poolJs.search(impossible, (1n << 64n) - SPAN), null);
  },
});

Deno.bench({
  group: "verify",
  name: "powHash (encode + blake3)",
  baseline: true,
  fn: () => {
    powHash(solved);
  },
});

Deno.bench({
  group: "verify",
  name: "checkSolution (decode + validate, one solution)",
  fn: () => {
    checkSolution(chain, solvedBytes);
  },
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Interleaved rounds of each pair, medians of per-hash (or per-verify) milliseconds. */
async function medians(): Promise<Record<string, unknown>> {
  const nat: number[] = [];
  const js: number[] = [];
  for (let r = 0; r < 300; r++) {
    let t = performance.now();
    for (let k = 0; k < 10; k++) blake3Batch(preimages);
    nat.push((performance.now() - t) / (10 * BATCH));
    t = performance.now();
    for (const p of preimages) nobleBlake3(p);
    js.push((performance.now() - t) / BATCH);
  }
  const vNat: number[] = [];
  const vJs: number[] = [];
  const vChk: number[] = [];
  for (let r = 0; r < 300; r++) {
    let t = performance.now();
    for (let k = 0; k < 100; k++) powHash(solved);
    vNat.push((performance.now() - t) / 100);
    t = performance.now();
    for (let k = 0; k < 100; k++) nobleBlake3(encodeMint(solved));
    vJs.push((performance.now() - t) / 100);
    t = performance.now();
    for (let k = 0; k < 100; k++) checkSolution(chain, solvedBytes);
    vChk.push((performance.now() - t) / 100);
  }
  const poolN: number[] = [];
  const poolJ: number[] = [];
  for (let r = 0; r < 9; r++) {
    let t = performance.now();
    await poolNative.search(impossible, (1n << 64n) - (1n << 18n));
    poolN.push((performance.now() - t) / (1 << 18));
    t = performance.now();
    await poolJs.search(impossible, (1n << 64n) - (1n << 15n));
    poolJ.push((performance.now() - t) / (1 << 15));
  }
  const threads = navigator.hardwareConcurrency || 1;
  const poolAll = new MinerPool({ threads, batchSize: BATCH });
  await poolAll.start();
  const all: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = performance.now();
    await poolAll.search(impossible, (1n << 64n) - (1n << 19n));
    all.push((performance.now() - t) / (1 << 19));
  }
  await poolAll.stop();
  const hps = (ms: number) => Math.round(1000 / ms);
  const us = (ms: number) => Number((ms * 1000).toFixed(2));
  return {
    bench: "mint",
    blake3: nativeStatus().blake3,
    simd: nativeStatus().blake3Backend ?? null,
    cpus: threads,
    preimageBytes: job.preimage.length,
    inThreadNativeHps: hps(median(nat)),
    inThreadFallbackHps: hps(median(js)),
    inThreadRatio: Number((median(js) / median(nat)).toFixed(1)),
    pool1NativeHps: hps(median(poolN)),
    pool1FallbackHps: hps(median(poolJ)),
    pool1Ratio: Number((median(poolJ) / median(poolN)).toFixed(1)),
    poolAllThreadsNativeHps: hps(median(all)),
    verifyPowHashNativeUs: us(median(vNat)),
    verifyPowHashFallbackUs: us(median(vJs)),
    checkSolutionUs: us(median(vChk)),
  };
}

if (Deno.args.includes("--medians")) {
  console.log(JSON.stringify(await medians()));
  await poolNative.stop();
  await poolJs.stop();
}
