/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * Hashing worker of the {@linkcode MinerPool}: patches nonces into a fixed PoW preimage, hashes a
 * batch per call (one FFI crossing on the native BLAKE3 path) and compares each digest with the
 * target. Cancellation is a generation counter in shared memory, checked after every batch, so a
 * new template stops the search within one batch without waiting for the message queue.
 * @module
 */
import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { blake3Batch, nativeStatus } from "../crypto/mod.ts";
import type { InitMessage, JobMessage, WorkerReply } from "./_protocol.ts";

const U64_END = 1n << 64n;

let control: Int32Array | undefined;
let counters: BigInt64Array | undefined;
let index = 0;
let batchSize = 256;
let hashBatch: (m: readonly Uint8Array[]) => Uint8Array[] = blake3Batch;
let hasherName: "native" | "fallback" = "fallback";

function post(m: WorkerReply): void {
  self.postMessage(m);
}

/** Big-endian `hash <= target`. */
function meets(hash: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const h = hash[i]!;
    const t = target[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

const TWO32 = 0x1_0000_0000;

/** Writes the u64 `hi * 2^32 + lo` as 8 bytes; plain numbers keep BigInt off the hot loop. */
function writeNonce(buf: Uint8Array, off: number, le: boolean, hi: number, lo: number): void {
  for (let i = 0; i < 4; i++) {
    buf[off + (le ? i : 7 - i)] = lo & 0xff;
    buf[off + (le ? i + 4 : 3 - i)] = hi & 0xff;
    lo >>>= 8;
    hi >>>= 8;
  }
}

function run(job: JobMessage): void {
  const ctl = control!;
  const cnt = counters!;
  const bufs: Uint8Array[] = [];
  for (let i = 0; i < batchSize; i++) bufs.push(job.preimage.slice());
  if (job.stride < 1n || job.stride >= BigInt(TWO32) || job.start < 0n || job.start >= U64_END) {
    post({ type: "error", message: `Job out of range: start ${job.start}, stride ${job.stride}` });
    return;
  }
  const step = Number(job.stride);
  const nonceHi = new Float64Array(batchSize);
  const nonceLo = new Float64Array(batchSize);
  let hi = Number(job.start >> 32n);
  let lo = Number(job.start & 0xffffffffn);
  while (Atomics.load(ctl, 0) === job.generation) {
    let n = 0;
    for (; n < batchSize && hi < TWO32; n++) {
      writeNonce(bufs[n]!, job.nonceOffset, job.nonceLittleEndian, hi, lo);
      nonceHi[n] = hi;
      nonceLo[n] = lo;
      lo += step;
      if (lo >= TWO32) {
        lo -= TWO32;
        hi += 1;
      }
    }
    if (n === 0) {
      post({ type: "exhausted", generation: job.generation });
      return;
    }
    const hashes = hashBatch(n === batchSize ? bufs : bufs.slice(0, n));
    Atomics.add(cnt, index, BigInt(n));
    for (let i = 0; i < n; i++) {
      const h = hashes[i]!;
      if (meets(h, job.target)) {
        post({
          type: "found",
          generation: job.generation,
          nonce: (BigInt(nonceHi[i]!) << 32n) | BigInt(nonceLo[i]!),
          hash: h.slice(),
        });
        return;
      }
    }
  }
}

self.onmessage = (ev: MessageEvent<InitMessage | JobMessage>) => {
  const m = ev.data;
  try {
    if (m.type === "init") {
      control = new Int32Array(m.control);
      counters = new BigInt64Array(m.counters);
      index = m.workerIndex;
      batchSize = m.batchSize;
      if (m.hasher === "js") {
        hashBatch = (msgs) => msgs.map((x) => nobleBlake3(x));
        hasherName = "fallback";
      } else {
        hasherName = nativeStatus().blake3;
      }
      post({ type: "ready", hasher: hasherName });
    } else if (m.type === "job") {
      run(m);
    }
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
