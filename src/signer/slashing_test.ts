import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesToHex } from "@noble/hashes/utils.js";
import { checkEventAgainst, type EventClaim, SlashingProtection } from "./slashing.ts";
import { SlashingError } from "./errors.ts";

const GENESIS = new Uint8Array(32).fill(9);
const SEAT_KEY = new Uint8Array(32).fill(5);
const id = (n: number) => new Uint8Array(32).fill(n);
const ev = (
  seq: bigint,
  n: number,
  parent: number | null,
  epoch = 0n,
  creator = 3,
): EventClaim => ({
  shard: 1,
  creator,
  epoch,
  seq,
  id: id(n),
  selfParent: parent === null ? null : id(parent),
});

async function rejectsCode(p: Promise<unknown>, c: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof SlashingError && e.code === c);
}

Deno.test("checkEventAgainst() enforces the high-water-mark rules", () => {
  const hw = { epoch: 2n, seq: 5n, eventId: id(1) };
  const cases: [typeof hw | null, EventClaim, string][] = [
    [null, ev(0n, 1, null), "new"],
    [null, ev(0n, 1, 2), "SLASHING_SELF_PARENT_CONFLICT"],
    [null, ev(3n, 1, null), "SLASHING_SELF_PARENT_CONFLICT"],
    [null, ev(3n, 1, 2), "new"],
    [hw, ev(5n, 1, 3, 2n), "same"],
    [hw, ev(5n, 2, 3, 2n), "SLASHING_CONFLICTING_EVENT"],
    [hw, ev(4n, 2, 3, 2n), "SLASHING_SEQ_BELOW_HWM"],
    [hw, ev(7n, 2, 1, 2n), "SLASHING_SEQ_GAP"],
    [hw, ev(6n, 2, 3, 2n), "SLASHING_SELF_PARENT_CONFLICT"],
    [hw, ev(6n, 2, null, 2n), "SLASHING_SELF_PARENT_CONFLICT"],
    [hw, ev(6n, 2, 1, 2n), "new"],
    [hw, ev(9n, 2, 1, 1n), "SLASHING_EPOCH_BELOW_HWM"],
    [hw, ev(0n, 2, null, 3n), "new"],
    [hw, ev(0n, 2, 1, 3n), "SLASHING_SELF_PARENT_CONFLICT"],
  ];
  for (const [h, e, want] of cases) {
    let got: string;
    try {
      got = checkEventAgainst(h, e);
    } catch (err) {
      assert.ok(err instanceof SlashingError);
      got = err.code;
    }
    assert.equal(
      got,
      want,
      `epoch ${e.epoch} seq ${e.seq} id ${e.id[0]} against ${h?.seq ?? "none"}`,
    );
  }
});

Deno.test("checkEventAgainst() never approves two different ids at one (epoch, seq) (property)", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          epoch: fc.bigInt({ min: 0n, max: 2n }),
          seq: fc.bigInt({ min: 0n, max: 5n }),
          a: fc.integer({ min: 0, max: 2 }),
          p: fc.integer({ min: 0, max: 2 }),
        }),
        { maxLength: 60 },
      ),
      (reqs) => {
        let hw: { epoch: bigint; seq: bigint; eventId: Uint8Array } | null = null;
        const signed = new Map<string, string>();
        let maxEpoch = -1n;
        for (const r of reqs) {
          const tag = (s: bigint, x: number) => x + 3 * Number(s) + 20 * Number(r.epoch);
          const e: EventClaim = {
            shard: 0,
            creator: 0,
            epoch: r.epoch,
            seq: r.seq,
            id: id(tag(r.seq, r.a)),
            selfParent: r.seq === 0n ? null : id(tag(r.seq - 1n, r.p)),
          };
          let v: string;
          try {
            v = checkEventAgainst(hw, e);
          } catch (err) {
            assert.ok(err instanceof SlashingError);
            continue;
          }
          const slot = `${e.epoch}/${e.seq}`;
          const prev = signed.get(slot);
          assert.ok(prev === undefined || prev === bytesToHex(e.id), `double sign at ${slot}`);
          assert.ok(e.epoch >= maxEpoch, `signed epoch ${e.epoch} after ${maxEpoch}`);
          maxEpoch = e.epoch;
          signed.set(slot, bytesToHex(e.id));
          if (v === "new") hw = { epoch: e.epoch, seq: e.seq, eventId: e.id };
        }
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

Deno.test("SlashingProtection.approve() persists marks that survive re-opening the store", async () => {
  const path = `${await Deno.makeTempDir()}/slashing.json`;
  const a = await SlashingProtection.open({ path, genesisId: GENESIS });
  await a.approve(SEAT_KEY, ev(0n, 1, null));
  await a.approve(SEAT_KEY, ev(1n, 2, 1));
  const b = await SlashingProtection.open({ path, genesisId: GENESIS });
  assert.deepEqual(b.highWater(SEAT_KEY, 1, 3), { epoch: 0n, seq: 1n, eventId: id(2) });
  assert.equal(b.highWater(SEAT_KEY, 1, 4), null);
  await rejectsCode(b.approve(SEAT_KEY, ev(1n, 3, 1)), "SLASHING_CONFLICTING_EVENT");
  await rejectsCode(b.approve(SEAT_KEY, ev(0n, 1, null)), "SLASHING_SEQ_BELOW_HWM");
  await b.approve(SEAT_KEY, ev(1n, 2, 1));
  // Another slot of the same key is independent.
  await b.approve(SEAT_KEY, ev(0n, 9, null, 0n, 4));
});

Deno.test("SlashingProtection.approve() serializes concurrent conflicting requests", async () => {
  const path = `${await Deno.makeTempDir()}/slashing.json`;
  const sp = await SlashingProtection.open({ path, genesisId: GENESIS });
  const results = await Promise.allSettled(
    [1, 2, 3, 4].map((n) => sp.approve(SEAT_KEY, ev(0n, n, null))),
  );
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
});

Deno.test("SlashingProtection.approve() rejects malformed claims with TypeError or RangeError", async () => {
  const sp = await SlashingProtection.open({
    path: `${await Deno.makeTempDir()}/s.json`,
    genesisId: GENESIS,
  });
  await assert.rejects(sp.approve(new Uint8Array(31), ev(0n, 1, null)), RangeError);
  await assert.rejects(sp.approve(SEAT_KEY, { ...ev(0n, 1, null), shard: 64 }), RangeError);
  await assert.rejects(sp.approve(SEAT_KEY, { ...ev(0n, 1, null), creator: 1.5 }), TypeError);
  await assert.rejects(sp.approve(SEAT_KEY, { ...ev(0n, 1, null), seq: 1 as never }), TypeError);
  await assert.rejects(sp.approve(SEAT_KEY, { ...ev(0n, 1, null), epoch: 1n << 64n }), RangeError);
  await assert.rejects(
    sp.approve(SEAT_KEY, { ...ev(0n, 1, null), id: new Uint8Array(3) }),
    RangeError,
  );
});

Deno.test("SlashingProtection.open() rejects corrupt stores and other genesis ids", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.json`;
  const sp = await SlashingProtection.open({ path, genesisId: GENESIS });
  await sp.approve(SEAT_KEY, ev(0n, 1, null));
  await assert.rejects(
    SlashingProtection.open({ path, genesisId: id(8) }),
    (e: unknown) =>
      e instanceof SlashingError && e.code === "SLASHING_STORE_CORRUPT" &&
      e.data.field === "genesis_id",
  );
  const good = JSON.parse(await Deno.readTextFile(path));
  type Doc = { version: unknown; data: Record<string, Record<string, unknown>>[] };
  const cases: [string, (j: Doc) => void][] = [
    ["version", (j) => (j.version = 2)],
    ["data", (j) => (j.data = {} as never)],
    ["data/0/shard", (j) => (j.data[0]!.shard = 64 as never)],
    ["data/0/creator", (j) => (j.data[0]!.creator = "1" as never)],
    ["data/0/last_signed_event/seq", (j) => (j.data[0]!.last_signed_event!.seq = "-1")],
    [
      "data/0/last_signed_event/seq",
      (j) => (j.data[0]!.last_signed_event!.seq = "18446744073709551616"),
    ],
    ["data/0/last_signed_event/epoch", (j) => (j.data[0]!.last_signed_event!.epoch = "01")],
    ["data/0/last_signed_event/event_id", (j) => (j.data[0]!.last_signed_event!.event_id = "ab")],
    ["data/0/seat_pubkey", (j) => (j.data[0]!.seat_pubkey = "zz" as never)],
    ["data/1/seat_pubkey", (j) => j.data.push(structuredClone(j.data[0]!))],
  ];
  for (const [field, mutate] of cases) {
    const j = structuredClone(good);
    mutate(j);
    await Deno.writeTextFile(path, JSON.stringify(j));
    await assert.rejects(
      SlashingProtection.open({ path, genesisId: GENESIS }),
      (e: unknown) =>
        e instanceof SlashingError && e.code === "SLASHING_STORE_CORRUPT" && e.data.field === field,
      `case ${field}`,
    );
  }
  await Deno.writeTextFile(path, "nope");
  await rejectsCode(
    SlashingProtection.open({ path, genesisId: GENESIS }),
    "SLASHING_STORE_CORRUPT",
  );
});

Deno.test("SlashingProtection interchange moves a seat to another machine", async () => {
  const a = await SlashingProtection.open({
    path: `${await Deno.makeTempDir()}/a.json`,
    genesisId: GENESIS,
  });
  await a.approve(SEAT_KEY, ev(0n, 1, null));
  await a.approve(SEAT_KEY, ev(1n, 2, 1));
  const doc = JSON.parse(JSON.stringify(a.exportInterchange()));
  assert.equal(doc.metadata.interchange_format_version, "1");
  const bPath = `${await Deno.makeTempDir()}/b.json`;
  const b = await SlashingProtection.open({ path: bPath, genesisId: GENESIS });
  assert.equal(await b.importInterchange(doc), 1);
  assert.equal(await b.importInterchange(doc), 0);
  await rejectsCode(b.approve(SEAT_KEY, ev(1n, 3, 1)), "SLASHING_CONFLICTING_EVENT");
  await b.approve(SEAT_KEY, ev(2n, 3, 2));
  // A lower mark never lowers the store.
  assert.equal(await b.importInterchange(doc), 0);
  const c = await SlashingProtection.open({ path: bPath, genesisId: GENESIS });
  assert.equal(c.highWater(SEAT_KEY, 1, 3)?.seq, 2n);
});

Deno.test("SlashingProtection.importInterchange() names the bad field and stores nothing", async () => {
  const sp = await SlashingProtection.open({
    path: `${await Deno.makeTempDir()}/a.json`,
    genesisId: GENESIS,
  });
  await sp.approve(SEAT_KEY, ev(4n, 1, 0));
  const k = bytesToHex(SEAT_KEY);
  const entry = (pk: string, seq: string, n: number) => ({
    seat_pubkey: pk,
    shard: 1,
    creator: 3,
    last_signed_event: { epoch: "0", seq, event_id: bytesToHex(id(n)) },
  });
  const base = () => ({
    metadata: { interchange_format_version: "1", genesis_id: bytesToHex(GENESIS) },
    data: [entry(bytesToHex(id(6)), "1", 2)] as Record<string, unknown>[],
  });
  const cases: [string, (d: ReturnType<typeof base>) => unknown][] = [
    ["$", () => null],
    ["extra", (d) => ({ ...d, extra: 1 })],
    ["metadata", (d) => ({ data: d.data })],
    [
      "metadata/interchange_format_version",
      (d) => ((d.metadata.interchange_format_version = "2"), d),
    ],
    ["metadata/genesis_id", (d) => ((d.metadata.genesis_id = bytesToHex(id(1))), d)],
    ["data", (d) => ({ metadata: d.metadata, data: {} })],
    ["data/1", (d) => (d.data.push(7 as never), d)],
    ["data/0/seat_pubkey", (d) => ((d.data[0]!.seat_pubkey = "xy"), d)],
    ["data/0/shard", (d) => ((d.data[0]!.shard = -1), d)],
    ["data/1/seat_pubkey", (d) => (d.data.push(d.data[0]!), d)],
    ["data/0/last_signed_event", (d) => ((d.data[0]!.last_signed_event = 1), d)],
    [
      "data/0/last_signed_event/seq",
      (
        d,
      ) => ((d.data[0]!.last_signed_event = { epoch: "0", seq: 1, event_id: bytesToHex(id(2)) }),
        d),
    ],
    [
      "data/0/last_signed_event/event_id",
      (d) => ((d.data[0]!.last_signed_event = { epoch: "0", seq: "1", event_id: "00" }), d),
    ],
    ["data/1/last_signed_event/event_id", (d) => (d.data.push(entry(k, "4", 9)), d)],
  ];
  for (const [field, make] of cases) {
    await assert.rejects(
      sp.importInterchange(make(base())),
      (e: unknown) =>
        e instanceof SlashingError && e.code === "SLASHING_INTERCHANGE_INVALID" &&
        e.data.field === field,
      `case ${field}`,
    );
  }
  assert.equal(sp.highWater(id(6), 1, 3), null);
});
