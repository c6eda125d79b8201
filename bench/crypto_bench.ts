/**
 * Crypto benchmarks: native vs fallback for each primitive, in one run so ratios are comparable.
 * Results and the machine go into docs/performance.md ("Crypto").
 *
 *   deno task native && deno bench -A bench/crypto_bench.ts
 *
 * Run as a script (`deno run -A bench/crypto_bench.ts`) it measures the same cases itself and
 * prints medians, throughput per item and the native/fallback ratio per group, then one JSON
 * summary line: the figures quoted in docs/performance.md.
 */
import assert from "node:assert/strict";
import { fallbackBlake3, fallbackBls, fallbackSchnorr } from "../src/crypto/_fallback.ts";
import { native } from "../src/crypto/_select.ts";
import type { SchnorrBatchItem } from "../src/crypto/_types.ts";

const nb3 = native.blake3;
const nsch = native.schnorr;
const nbls = native.bls;
if (!nb3 || !nsch || !nbls) {
  console.error("crypto_bench: native back ends missing, only fallbacks measured:", native.errors);
}

// ---- fixtures, built and checked once ----
const SMALL_N = 4096;
const small = Array.from(
  { length: SMALL_N },
  (_, i) => new Uint8Array(32).fill(i & 0xff).map((b, j) => b ^ j),
);
const mib = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
const expectSmall = fallbackBlake3.blake3Batch(small);
if (nb3) {
  assert.deepEqual(nb3.blake3Batch(small), expectSmall);
  assert.deepEqual(nb3.blake3(mib), fallbackBlake3.blake3(mib));
}

const SIG_N = 1024;
const items: SchnorrBatchItem[] = Array.from({ length: SIG_N }, (_, i) => {
  const sk = new Uint8Array(32).fill(1 + (i % 250));
  sk[0] = i >> 8;
  sk[31] = i & 0xff;
  const message = new Uint8Array(32).fill(i & 0xff);
  const signer = nsch ?? fallbackSchnorr;
  return {
    signature: signer.schnorrSign(message, sk, new Uint8Array(32)),
    message,
    publicKey: signer.schnorrPublicKey(sk),
  };
});
const FALLBACK_SIG_N = 128;
const fewItems = items.slice(0, FALLBACK_SIG_N);
assert.ok(fallbackSchnorr.schnorrVerifyBatchSync(fewItems).every((v) => v));
if (nsch) assert.ok((await nsch.schnorrVerifyBatch(items)).every((v) => v));

const COMMITTEE = 21;
const blsSks = Array.from(
  { length: COMMITTEE },
  (_, i) => fallbackBls.blsKeyGen(new Uint8Array(32).fill(i + 1)),
);
const blsPks = blsSks.map((sk) => fallbackBls.blsSecretKeyToPublicKey(sk));
const vote = new TextEncoder().encode("vote: anchor 123456, event 0xabc");
const blsAgg = fallbackBls.blsAggregateSignatures(
  blsSks.map((sk) => (nbls ?? fallbackBls).blsSign(vote, sk)),
);
assert.ok(fallbackBls.blsFastAggregateVerify(blsAgg, vote, blsPks));
if (nbls) assert.ok(nbls.blsFastAggregateVerify(blsAgg, vote, blsPks));
const oneSig = fallbackBls.blsSign(vote, blsSks[0]!);

// ---- cases: group, implementation, work per call (items it processes) ----
interface Case {
  group: string;
  name: string;
  items: number;
  fn: () => unknown;
}
const cases: Case[] = [];
function add(group: string, name: string, items: number, fn: () => unknown): void {
  cases.push({ group, name, items, fn });
}

if (nb3) add("blake3.batch32x4096", "native", SMALL_N, () => nb3.blake3Batch(small));
add("blake3.batch32x4096", "fallback", SMALL_N, () => fallbackBlake3.blake3Batch(small));
if (nb3) add("blake3.single32", "native", 1, () => nb3.blake3(small[7]!));
add("blake3.single32", "fallback", 1, () => fallbackBlake3.blake3(small[7]!));
if (nb3) add("blake3.1MiB", "native", 1, () => nb3.blake3(mib));
add("blake3.1MiB", "fallback", 1, () => fallbackBlake3.blake3(mib));

const it3 = items[3]!;
if (nsch) {
  add(
    "schnorr.verify",
    "native",
    1,
    () => nsch.schnorrVerify(it3.signature, it3.message, it3.publicKey),
  );
}
add(
  "schnorr.verify",
  "fallback",
  1,
  () => fallbackSchnorr.schnorrVerify(it3.signature, it3.message, it3.publicKey),
);
if (nsch) {
  add("schnorr.verifyBatch", "native all cores", SIG_N, () => nsch.schnorrVerifyBatch(items));
  add("schnorr.verifyBatch", "native one core", SIG_N, () => nsch.schnorrVerifyBatchSync(items));
}
// The fallback verifies 128 items per call (8x fewer) to keep the run short; compare per item.
add(
  "schnorr.verifyBatch",
  "fallback",
  FALLBACK_SIG_N,
  () => fallbackSchnorr.schnorrVerifyBatchSync(fewItems),
);
const z32 = new Uint8Array(32);
if (nsch) add("schnorr.sign", "native", 1, () => nsch.schnorrSign(it3.message, blsSks[0]!, z32));
add("schnorr.sign", "fallback", 1, () => fallbackSchnorr.schnorrSign(it3.message, blsSks[0]!, z32));

if (nbls) {
  add(
    "bls.fastAggregateVerify21",
    "native",
    1,
    () => nbls.blsFastAggregateVerify(blsAgg, vote, blsPks),
  );
}
add(
  "bls.fastAggregateVerify21",
  "fallback",
  1,
  () => fallbackBls.blsFastAggregateVerify(blsAgg, vote, blsPks),
);
if (nbls) add("bls.verify", "native", 1, () => nbls.blsVerify(oneSig, vote, blsPks[0]!));
add("bls.verify", "fallback", 1, () => fallbackBls.blsVerify(oneSig, vote, blsPks[0]!));
if (nbls) add("bls.sign", "native", 1, () => nbls.blsSign(vote, blsSks[0]!));
add("bls.sign", "fallback", 1, () => fallbackBls.blsSign(vote, blsSks[0]!));

for (const c of cases) {
  Deno.bench({
    group: c.group,
    name: c.name,
    baseline: c.name.startsWith("native"),
    fn: async () => void (await c.fn()),
  });
}

/** Median seconds per call over `samples` samples of at least `minMs` each. */
async function medianSeconds(fn: () => unknown, samples: number, minMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) await fn();
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < minMs) {
      await fn();
      calls++;
      now = performance.now();
    }
    per.push((now - start) / 1000 / calls);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)]!;
}

if (import.meta.main) {
  const rows: { group: string; name: string; median_us: number; per_second: number }[] = [];
  for (const c of cases) {
    const sec = await medianSeconds(c.fn, 15, c.group.startsWith("bls") ? 120 : 40);
    rows.push({ group: c.group, name: c.name, median_us: sec * 1e6, per_second: c.items / sec });
  }
  for (const r of rows) {
    const fb = rows.find((x) => x.group === r.group && x.name === "fallback");
    const ratio = fb && r !== fb ? ` (${(r.per_second / fb.per_second).toFixed(1)}x fallback)` : "";
    console.log(
      `${r.group.padEnd(26)} ${r.name.padEnd(17)} median ${
        r.median_us.toFixed(2).padStart(10)
      } us/call ` +
        `${Math.round(r.per_second).toLocaleString("en-US").padStart(12)} items/s${ratio}`,
    );
  }
  console.log(JSON.stringify({ bench: "crypto", cpu: navigator.hardwareConcurrency, rows }));
}
