import assert from "node:assert/strict";
import fc from "fast-check";
import { bucketOf, StateCommitment, verifyStateProof } from "./commitment.ts";

const key = (seed: number, idx = 0): Uint8Array => {
  const k = new Uint8Array(37);
  k[0] = 0;
  new DataView(k.buffer).setUint32(1, Math.imul(seed, 2654435761) >>> 0);
  new DataView(k.buffer).setUint32(5, seed);
  new DataView(k.buffer).setUint32(33, idx);
  return k;
};

Deno.test("StateCommitment.root() is independent of insertion order", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }),
      fc.integer(),
      (seeds, salt) => {
        const a = new StateCommitment(), b = new StateCommitment();
        for (const s of seeds) a.set(key(s), new Uint8Array([s & 255, salt & 255]));
        for (const s of [...seeds].reverse()) b.set(key(s), new Uint8Array([s & 255, salt & 255]));
        assert.deepEqual(a.root(), b.root());
      },
    ),
    { seed: 42, numRuns: 50 },
  );
});

Deno.test("StateCommitment.root() after delete equals root of a map never holding the key", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { minLength: 2, maxLength: 30 }),
      (seeds) => {
        const a = new StateCommitment(), b = new StateCommitment();
        for (const s of seeds) a.set(key(s), new Uint8Array([1]));
        a.root(); // incremental path: hash, then delete
        a.delete(key(seeds[0]!));
        for (const s of seeds.slice(1)) b.set(key(s), new Uint8Array([1]));
        assert.deepEqual(a.root(), b.root());
      },
    ),
    { seed: 7, numRuns: 50 },
  );
});

Deno.test("StateCommitment.root() changes when a value changes", () => {
  const c = new StateCommitment();
  c.set(key(1), new Uint8Array([1]));
  const r1 = c.root();
  c.set(key(1), new Uint8Array([2]));
  assert.notDeepEqual(c.root(), r1);
  c.set(key(1), new Uint8Array([1]));
  assert.deepEqual(c.root(), r1);
});

Deno.test("StateCommitment.prove() inclusion and non-inclusion proofs verify, tampered ones fail", () => {
  const c = new StateCommitment();
  // Force a crowded bucket: same id prefix, consecutive indexes land in consecutive buckets,
  // so use ids that collide on the bucket instead.
  const ks: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) ks.push(key(i, i % 3));
  for (const [i, k] of ks.entries()) c.set(k, new Uint8Array([i & 255, 1]));
  const root = c.root();
  for (const [i, k] of ks.entries()) {
    const p = c.prove(k);
    assert.ok(verifyStateProof(root, k, new Uint8Array([i & 255, 1]), p), `inclusion ${i}`);
    assert.ok(!verifyStateProof(root, k, new Uint8Array([i & 255, 2]), p), `wrong value ${i}`);
    assert.ok(!verifyStateProof(root, k, null, p), `inclusion proof is no exclusion ${i}`);
  }
  const absent = key(100000);
  const pa = c.prove(absent);
  assert.ok(verifyStateProof(root, absent, null, pa));
  assert.ok(!verifyStateProof(root, absent, new Uint8Array([0]), pa));
  const bad = { ...pa, siblings: pa.siblings.map((s, i) => (i === 3 ? new Uint8Array(32) : s)) };
  assert.ok(!verifyStateProof(root, absent, null, bad));
  // Hiding an entry of the bucket from a non-inclusion proof is caught.
  const k0 = ks[0]!;
  const p0 = c.prove(k0);
  c.delete(k0);
  const hidden = c.prove(k0); // proof of absence against the new root...
  assert.ok(!verifyStateProof(root, k0, null, hidden), "...does not verify against the old root");
  assert.ok(verifyStateProof(c.root(), k0, null, hidden));
  assert.ok(!verifyStateProof(c.root(), k0, new Uint8Array([0, 1]), p0));
});

Deno.test("bucketOf() spreads the outputs of one transaction over consecutive buckets", () => {
  const k = key(3, 0);
  const b0 = bucketOf(k);
  assert.equal(bucketOf(key(3, 1)), (b0 + 1) % 65536);
  assert.throws(() => bucketOf(new Uint8Array(36)), TypeError);
});

Deno.test("StateCommitment.root() is right after many rewrites and deletes between two roots", () => {
  // Far more writes than entries between roots: the rehash recounts its pending leaves exactly.
  const a = new StateCommitment(), b = new StateCommitment();
  for (let i = 0; i < 50; i++) a.set(key(i), new Uint8Array([i]));
  a.root();
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 50; i++) a.set(key(i), new Uint8Array(1 + (round % 5)).fill(round));
    a.delete(key(round));
    a.set(key(100 + round), new Uint8Array([round, 1]));
  }
  // Every round rewrites keys 0..49, then deletes key(round): only key(39) stays deleted.
  for (let i = 0; i < 50; i++) if (i !== 39) b.set(key(i), new Uint8Array(1 + (39 % 5)).fill(39));
  for (let r = 0; r < 40; r++) b.set(key(100 + r), new Uint8Array([r, 1]));
  assert.deepEqual(a.root(), b.root());
  assert.equal(a.size, b.size);
  // Only values changed, no new keys: the leaves of the changed entries are rehashed.
  a.set(key(45), new Uint8Array([7]));
  b.set(key(45), new Uint8Array([7]));
  assert.deepEqual(a.root(), b.root());
});

Deno.test("StateCommitment keeps every bucket in byte order of its keys, whatever their leading bytes (property)", () => {
  // Keys forced into two buckets with mixed tags and ids, so that they differ in their first
  // bytes as well as later ones (the bucket search compares 6-byte prefixes first).
  const inBucket = (bucket: number, tag: number, id: Uint8Array): Uint8Array => {
    const k = new Uint8Array(37);
    k[0] = tag;
    k.set(id, 1);
    const index = (bucket - ((id[0]! << 8) | id[1]!) + 65536) % 65536;
    new DataView(k.buffer).setUint32(33, index);
    return k;
  };
  const arbKey = fc.record({
    bucket: fc.constantFrom(0x1200, 0xffff),
    tag: fc.integer({ min: 0, max: 3 }),
    id: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  }).map(({ bucket, tag, id }) => inBucket(bucket, tag, id));
  fc.assert(
    fc.property(fc.array(arbKey, { minLength: 1, maxLength: 60 }), fc.nat(), (keys, drop) => {
      const c = new StateCommitment();
      keys.forEach((k, i) => c.set(k, new Uint8Array([i & 255])));
      const gone = keys[drop % keys.length]!;
      c.delete(gone);
      const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      const seen = [...c.entries()].map(([k]) => ({ b: bucketOf(k), h: hex(k) }));
      for (let i = 1; i < seen.length; i++) {
        const [p, q] = [seen[i - 1]!, seen[i]!];
        assert.ok(p.b < q.b || (p.b === q.b && p.h < q.h), `order at ${i}: ${p.h} ${q.h}`);
      }
      for (const k of keys) {
        assert.equal(c.get(k) !== undefined, hex(k) !== hex(gone), hex(k));
        const proof = c.prove(k);
        const v = c.get(k);
        assert.ok(verifyStateProof(c.root(), k, v ?? null, proof), hex(k));
      }
    }),
    { numRuns: 150 },
  );
});

Deno.test("StateCommitment arena: random sets, resizes and deletes in crowded buckets match a plain map (property)", () => {
  // Few buckets, shared 6-byte prefixes (prefix ties), values of changing lengths (holes and
  // slab compaction), buckets emptied and refilled, roots taken at random points: every read and
  // the root must equal a commitment built from scratch from a plain Map of the same entries.
  const keyOf = (n: number): Uint8Array => {
    const k = new Uint8Array(37);
    k[1] = 0x42; // same leading bytes: ties on the prefix, order decided by later bytes
    k[20] = n >> 3;
    k[32] = n & 7;
    const index = (0x10 + (n % 3) - ((k[1]! << 8) | k[2]!) + 65536) % 65536;
    new DataView(k.buffer).setUint32(33, index);
    return k;
  };
  const op = fc.record({
    n: fc.integer({ min: 0, max: 40 }),
    del: fc.boolean(),
    len: fc.integer({ min: 0, max: 300 }),
    fill: fc.integer({ min: 0, max: 255 }),
    root: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
      const c = new StateCommitment();
      const m = new Map<number, Uint8Array>();
      for (const o of ops) {
        if (o.del) {
          assert.equal(c.delete(keyOf(o.n)), m.delete(o.n));
        } else {
          const v = new Uint8Array(o.len).fill(o.fill);
          c.set(keyOf(o.n), v);
          m.set(o.n, v);
        }
        if (o.root) c.root();
      }
      const fresh = new StateCommitment();
      for (const [n, v] of m) fresh.set(keyOf(n), v);
      assert.equal(c.size, m.size);
      assert.deepEqual(c.root(), fresh.root());
      assert.deepEqual([...c.entries()], [...fresh.entries()]);
      for (let n = 0; n <= 40; n++) {
        assert.deepEqual(c.get(keyOf(n)), m.get(n));
      }
    }),
    { seed: 11, numRuns: 200 },
  );
});

Deno.test("StateCommitment arena: rebuilds of the arena (growth, garbage) keep every entry and the root", () => {
  // ~30,000 entries of ~100 bytes each outgrow the first 1 MiB arena several times, and the
  // churn (values resized, half the keys deleted, roots in between) leaves abandoned blocks
  // that each rebuild drops.
  const a = new StateCommitment();
  const m = new Map<number, Uint8Array>();
  const v = (i: number, len: number) => new Uint8Array(len).fill(i & 255);
  for (let i = 0; i < 30_000; i++) {
    a.set(key(i, i % 7), v(i, 60));
    m.set(i, v(i, 60));
    if (i % 5000 === 0) a.root();
  }
  for (let i = 0; i < 30_000; i += 2) {
    a.delete(key(i, i % 7));
    m.delete(i);
  }
  for (let i = 1; i < 30_000; i += 4) {
    a.set(key(i, i % 7), v(i + 1, 10 + (i % 90)));
    m.set(i, v(i + 1, 10 + (i % 90)));
  }
  const b = new StateCommitment();
  for (const [i, val] of [...m].reverse()) b.set(key(i, i % 7), val);
  assert.equal(a.size, m.size);
  assert.deepEqual(a.root(), b.root());
  for (let i = 0; i < 30_000; i++) assert.deepEqual(a.get(key(i, i % 7)), m.get(i), `entry ${i}`);
});
