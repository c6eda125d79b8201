import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  encodeAddress,
  encodeTx,
  encodeTxOutput,
  type OutPoint,
  type Predicate,
  predicateCommitment,
  type Tx,
  txId,
  type TxOutput,
} from "../codec/mod.ts";
import { TESTNET } from "../params/mod.ts";
import { StateEngine } from "../state/mod.ts";
import {
  type KeyRef,
  type LocalSignerApi,
  mnemonicToSeed,
  musigAggregateKey,
  musigSortKeys,
} from "../signer/mod.ts";
import { WalletAccount } from "./account.ts";
import { buildTransfer } from "./build.ts";
import { PsptError } from "./errors.ts";
import {
  combinePspt,
  createPspt,
  decodePspt,
  encodePspt,
  extractTx,
  finalizePspt,
  type Pspt,
  psptFromBase64,
  psptFromTransfer,
  psptMusigNonce,
  psptMusigSign,
  psptSighash,
  psptToBase64,
  signPspt,
} from "./pspt.ts";
import { coin, localSigner, MNEMONIC, verifyWitnesses } from "./_testing.ts";

const acct = WalletAccount.fromMnemonic(MNEMONIC, "testnet");
const FLOOR = { unitsPerByte: 1n, minFee: 100n };
const dest = WalletAccount.fromMnemonic(MNEMONIC, "testnet", 9).receiveKey(0).address;

function transfer() {
  const coins = [coin(acct.receiveKey(0), 40_000n, 1), coin(acct.receiveKey(1), 30_000n, 2)];
  return buildTransfer(coins, [{ to: dest, amount: 60_000n }], {
    network: "testnet",
    feeFloor: FLOOR,
    change: acct.changeKey(0),
  });
}

function psptErr(f: () => unknown, code: string, field?: string | RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof PsptError, `expected PsptError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (typeof field === "string") assert.equal(e.field, field, e.message);
    else if (field) assert.match(e.field, field, e.message);
    return true;
  });
}

Deno.test("PSPT create, sign, finalize and extract a wallet transfer", async () => {
  const api = await localSigner(mnemonicToSeed(MNEMONIC));
  const t = transfer();
  const p = psptFromTransfer(t);
  assert.equal(await signPspt(p, api), 2);
  assert.equal(await signPspt(p, api), 0);
  assert.ok(finalizePspt(p));
  const tx = extractTx(p);
  verifyWitnesses(tx, t.spent);
  assert.equal(tx.witnesses.length, 2);
  // Change output carries its key origin.
  assert.equal(p.outputs[t.changeIndex!]!.keyOrigins.size, 1);
});

Deno.test("PSPT binary and base64 forms round-trip at every stage", async () => {
  const api = await localSigner(mnemonicToSeed(MNEMONIC));
  const p = psptFromTransfer(transfer());
  const check = (q: Pspt) => {
    const b = encodePspt(q);
    assert.deepEqual(encodePspt(decodePspt(b)), b);
    assert.deepEqual(encodePspt(psptFromBase64(psptToBase64(q))), b);
  };
  check(createPspt(p.tx));
  check(p);
  await signPspt(p, api);
  check(p);
  finalizePspt(p);
  check(p);
});

Deno.test("combinePspt() merges signatures from two signers of a 2-input transaction", async () => {
  const other = WalletAccount.fromMnemonic(MNEMONIC, "testnet", 0, "second");
  const apiA = await localSigner(mnemonicToSeed(MNEMONIC));
  const apiB = await localSigner(mnemonicToSeed(MNEMONIC, "second"));
  const coins = [coin(acct.receiveKey(0), 40_000n, 1), coin(other.receiveKey(0), 30_000n, 2)];
  const t = buildTransfer(coins, [{ to: dest, amount: 60_000n }], {
    network: "testnet",
    feeFloor: FLOOR,
    change: acct.changeKey(0),
  });
  const base = psptToBase64(psptFromTransfer(t));
  const a = psptFromBase64(base);
  const b = psptFromBase64(base);
  // Each signer only has its own key: without a filter the other's key origin makes it refuse;
  // with `only` (the keys its wallet derives) it skips the other's input.
  await assert.rejects(
    signPspt(psptFromBase64(base), apiA),
    (e: unknown) => e instanceof PsptError && e.code === "PSPT_CONFLICT",
  );
  const mine = (acc: WalletAccount) => {
    const keys = new Set([...acc.keysByCommitment(5).values()].map((k) => bytesToHex(k.xOnly)));
    return { only: (x: string) => keys.has(x) };
  };
  assert.equal(await signPspt(a, apiA, mine(acct)), 1);
  assert.equal(await signPspt(b, apiB, mine(other)), 1);
  assert.equal(finalizePspt(decodePspt(encodePspt(a))), false);
  const c = combinePspt(a, b);
  assert.ok(finalizePspt(c));
  verifyWitnesses(extractTx(c), t.spent);
  // Conflicts are refused.
  const d = decodePspt(encodePspt(b));
  d.inputs[1]!.partialSigs.set(bytesToHex(other.receiveKey(0).xOnly), new Uint8Array(64).fill(1));
  psptErr(() => combinePspt(b, d), "PSPT_CONFLICT", /^inputs\/1\/partial_sig\//);
  // Same transaction, different claim about what input 1 spends.
  psptErr(
    () => combinePspt(a, psptFromTransfer(transfer())),
    "PSPT_CONFLICT",
    "inputs/1/spent_output",
  );
  const otherTx = buildTransfer(coins, [{ to: dest, amount: 50_000n }], {
    network: "testnet",
    feeFloor: FLOOR,
    change: acct.changeKey(0),
  });
  psptErr(() => combinePspt(a, psptFromTransfer(otherTx)), "PSPT_CONFLICT", "global/unsigned_tx");
});

Deno.test("signPspt() refuses a key origin that names another key", async () => {
  const api = await localSigner(mnemonicToSeed(MNEMONIC));
  const p = psptFromTransfer(transfer());
  const [x] = [...p.inputs[0]!.keyOrigins.keys()];
  p.inputs[0]!.keyOrigins.set(x!, { role: "wallet", account: 0, chain: 0, index: 77 });
  await assert.rejects(
    signPspt(p, api),
    (e: unknown) => e instanceof PsptError && e.code === "PSPT_CONFLICT",
  );
});

function spendOf(
  pred: Predicate,
  amount = 50_000n,
  prevout: OutPoint = { txId: new Uint8Array(32).fill(5), index: 1 },
): { tx: Tx; spent: TxOutput[] } {
  const spent: TxOutput[] = [{ amount, predicate: pred }];
  const tx: Tx = {
    version: 1,
    networkId: TESTNET.networkId,
    kind: { type: "transfer" },
    inputs: [{ prevout }],
    outputs: [{
      amount: amount - 1000n,
      predicate: { type: "key", pubkey: new Uint8Array(32).fill(3) },
    }],
    fee: 1000n,
    witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
  };
  return { tx, spent };
}

async function musigSpend(n: number, prevout?: OutPoint) {
  const apis: LocalSignerApi[] = [];
  for (let i = 0; i < n; i++) apis.push(await localSigner(new Uint8Array(64).fill(50 + i)));
  const ref: KeyRef = { role: "wallet", account: 0, chain: 0, index: 0 };
  const keys = musigSortKeys(
    await Promise.all(apis.map(async (a) => (await a.getPublicKey(ref)).compressed)),
  );
  const agg = musigAggregateKey(keys);
  const { tx, spent } = spendOf({ type: "musig", key: agg, signers: n }, 50_000n, prevout);
  // Each participant works on its own copy; copies travel as base64 and are combined.
  let p = createPspt(tx);
  p.inputs[0]!.spentOutput = spent[0]!;
  const copies = apis.map(() => psptFromBase64(psptToBase64(p)));
  const sessions = await Promise.all(
    apis.map((a, i) => psptMusigNonce(copies[i]!, 0, keys, a, ref)),
  );
  p = copies.reduce((x, y) => combinePspt(x, y));
  const round2 = apis.map(() => psptFromBase64(psptToBase64(p)));
  await Promise.all(apis.map((a, i) => psptMusigSign(round2[i]!, 0, agg, a, ref, sessions[i]!)));
  p = round2.reduce((x, y) => combinePspt(x, y));
  assert.ok(finalizePspt(p), `${n}-of-${n} finalizes`);
  const signed = extractTx(p);
  verifyWitnesses(signed, spent);
  // A second signing round with the same sessions is refused by the signers.
  await assert.rejects(psptMusigSign(round2[0]!, 0, agg, apis[0]!, ref, sessions[0]!));
  return { signed, spent };
}

Deno.test("PSPT MuSig2 2-of-2 spend through the signer", async () => {
  await musigSpend(2);
});

Deno.test("PSPT MuSig2 n-of-n (5) spend through the signer", async () => {
  await musigSpend(5);
});

Deno.test("StateEngine accepts MuSig2 2-of-2 and n-of-n spends made through PSPT and the signer", async () => {
  // Testnet rules with a one-anchor tier-0 maturity, so that the mint is spendable at anchor 1.
  const network = { ...TESTNET, maturityAnchors: [1n, 2n, 3n] as const };
  for (const n of [2, 5]) {
    const engine = new StateEngine({ network });
    const mintId = new Uint8Array(32).fill(60 + n);
    const { signed, spent } = await musigSpend(n, { txId: mintId, index: 0 });
    const ev = (i: number) => new Uint8Array(32).fill(i);
    await engine.applyAnchor({
      index: 0,
      events: [{
        eventId: ev(1),
        mints: [{ mintId, amount: spent[0]!.amount, tier: 0, payout: spent[0]!.predicate }],
        txs: [],
      }],
    });
    // A forged aggregate signature is refused by the engine; the real one is applied.
    const forged: Tx = {
      ...signed,
      witnesses: [{
        ...signed.witnesses[0]!,
        sigs: [signed.witnesses[0]!.sigs[0]!.map((b) => b ^ 1)],
      }],
    };
    const r = await engine.applyAnchor({
      index: 1,
      events: [{
        eventId: ev(2),
        mints: [],
        txs: [{ tx: forged, txId: txId(forged) }, { tx: signed, txId: txId(signed) }],
      }],
    });
    assert.deepEqual(r.skipped.map((x) => x.code), ["TX_BAD_SIGNATURE"], `${n}-of-${n}`);
    assert.equal(engine.getUtxo({ txId: mintId, index: 0 }), undefined, "the mint is spent");
    assert.equal(
      engine.getUtxo({ txId: txId(signed), index: 0 })?.amount,
      signed.outputs[0]!.amount,
      "the spend's output exists",
    );
  }
});

Deno.test("a mint paid to a payout key stays immature, then is spent through sign_payout", async () => {
  // Mint -> maturity -> spend with the signer's payout role (payout keys spend reward claims,
  // docs/spec/keys.md §1; the multi-node devnet version with a wallet key is
  // tests/wallet_e2e_test.ts).
  const api = await localSigner(new Uint8Array(64).fill(21));
  const ref: KeyRef = { role: "payout", account: 0, index: 0 };
  const pk = (await api.getPublicKey(ref)).xOnly;
  const reveal: Predicate = { type: "key", pubkey: pk };
  const payout: Predicate = { type: "commit", commitment: predicateCommitment(reveal) };
  assert.match(encodeAddress(payout, "testnet"), /^tpc1/);
  const network = { ...TESTNET, maturityAnchors: [2n, 3n, 4n] as const };
  const engine = new StateEngine({ network });
  const mintId = new Uint8Array(32).fill(33);
  await engine.applyAnchor({
    index: 0,
    events: [{
      eventId: new Uint8Array(32).fill(1),
      mints: [{ mintId, amount: 80_000n, tier: 0, payout }],
      txs: [],
    }],
  });
  const { tx, spent } = spendOf(payout, 80_000n, { txId: mintId, index: 0 });
  const p = createPspt(tx);
  p.inputs[0]!.spentOutput = spent[0]!;
  p.inputs[0]!.reveal = reveal;
  p.inputs[0]!.keyOrigins.set(bytesToHex(pk), ref);
  // The signer answers sign_payout for a payout-role origin (SignerApi.signSighash by role).
  assert.equal(await signPspt(decodePspt(encodePspt(p)), api), 1);
  assert.equal(await signPspt(p, api), 1);
  assert.ok(finalizePspt(p));
  const signed = extractTx(p);
  const item = { tx: signed, txId: txId(signed) };
  const ev = (i: number) => new Uint8Array(32).fill(i + 1);
  const early = await engine.applyAnchor({
    index: 1,
    events: [{ eventId: ev(1), mints: [], txs: [item] }],
  });
  assert.deepEqual(early.skipped.map((x) => x.code), ["TX_IMMATURE"]);
  const late = await engine.applyAnchor({
    index: 2,
    events: [{ eventId: ev(2), mints: [], txs: [item] }],
  });
  assert.deepEqual(late.skipped, []);
  assert.equal(engine.getUtxo({ txId: mintId, index: 0 }), undefined);
  assert.equal(engine.getUtxo({ txId: item.txId, index: 0 })?.amount, signed.outputs[0]!.amount);
});

Deno.test("PSPT multi 2-of-3 spend sets the signer bitmask", async () => {
  const apis = await Promise.all([1, 2, 3].map((i) => localSigner(new Uint8Array(64).fill(i))));
  const ref: KeyRef = { role: "wallet", account: 0, chain: 0, index: 0 };
  const xs = await Promise.all(apis.map(async (a) => (await a.getPublicKey(ref)).xOnly));
  const sorted = [...xs].sort((a, b) => bytesToHex(a) < bytesToHex(b) ? -1 : 1);
  const { tx, spent } = spendOf({ type: "multi", threshold: 2, pubkeys: sorted });
  const p = createPspt(tx);
  p.inputs[0]!.spentOutput = spent[0]!;
  assert.equal(finalizePspt(p), false);
  // Signers 0 and 2 (by sorted position) sign.
  for (const j of [0, 2]) {
    const who = xs.findIndex((x) => bytesToHex(x) === bytesToHex(sorted[j]!));
    p.inputs[0]!.keyOrigins.set(bytesToHex(sorted[j]!), ref);
    await signPspt(p, apis[who]!);
    p.inputs[0]!.keyOrigins.clear();
  }
  assert.ok(finalizePspt(p));
  assert.equal(p.inputs[0]!.finalSigners, 0b101);
  verifyWitnesses(extractTx(p), spent);
});

Deno.test("finalizePspt() refuses a reveal that does not match the commitment", () => {
  const t = transfer();
  const p = psptFromTransfer(t);
  p.inputs[0]!.reveal = { type: "key", pubkey: new Uint8Array(32).fill(1) };
  psptErr(() => finalizePspt(p), "PSPT_CONFLICT", "inputs/0/reveal");
  psptErr(() => extractTx(psptFromTransfer(t)), "PSPT_NOT_FINAL", "inputs/0/final_sigs");
});

Deno.test("psptSighash() needs every spent output", () => {
  const p = createPspt(transfer().tx);
  psptErr(() => psptSighash(p, 0), "PSPT_MISSING", "inputs/0/spent_output");
});

// ---------------------------------------------------------------------------------------------
// Strict parsing: a negative case for every field.

function entry(key: number[], value: Uint8Array | number[]): number[] {
  const v = [...value];
  return [...leb(key.length), ...key, ...leb(v.length), ...v];
}
function leb(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const MAGIC = [0x70, 0x73, 0x70, 0x74, 0xff];

/** A one-input transfer PSPT built by hand: global map, one input map, one output map. */
function raw(
  opts: { global?: number[][]; input?: number[][]; output?: number[][]; tail?: number[]; tx?: Tx } =
    {},
): Uint8Array {
  const { tx } = spendOf({ type: "key", pubkey: new Uint8Array(32).fill(4) });
  const g = opts.global ?? [entry([0x00], encodeTx(opts.tx ?? tx)), entry([0x01], [0])];
  const i = opts.input ?? [];
  const o = opts.output ?? [];
  return new Uint8Array([
    ...MAGIC,
    ...g.flat(),
    0,
    ...i.flat(),
    0,
    ...o.flat(),
    0,
    ...(opts.tail ?? []),
  ]);
}

const X = new Array(32).fill(7);
const SO = [
  ...encodeTxOutput({ amount: 5n, predicate: { type: "key", pubkey: new Uint8Array(32).fill(4) } }),
];
const ORIGIN = [0, 0, 0, 0, 0, 0, 1, 0, 0, 0];

Deno.test("decodePspt() accepts the hand-built baseline", () => {
  const p = decodePspt(
    raw({
      input: [entry([0x00], SO), entry([0x02, ...X], ORIGIN)],
      output: [entry([0x00, ...X], [2, 0, 0, 0, 0, 0xff, 0, 0, 0, 0])],
    }),
  );
  assert.equal(p.inputs[0]!.keyOrigins.size, 1);
  assert.equal(p.outputs[0]!.keyOrigins.get(bytesToHex(new Uint8Array(X)))!.role, "bond");
});

Deno.test("decodePspt() rejects malformed framing", () => {
  psptErr(() => decodePspt(new Uint8Array([0x70, 0x73, 0x70, 0x74])), "PSPT_BAD_MAGIC", "$");
  psptErr(
    () => decodePspt(new Uint8Array([0x70, 0x73, 0x62, 0x74, 0xff, 0])),
    "PSPT_BAD_MAGIC",
    "$",
  );
  psptErr(() => decodePspt(new Uint8Array(MAGIC)), "PSPT_TRUNCATED", "global/key_length");
  psptErr(() => decodePspt(raw({ tail: [0] })), "PSPT_TRAILING_BYTES", "$");
  const full = raw();
  psptErr(
    () => decodePspt(full.subarray(0, full.length - 1)),
    "PSPT_TRUNCATED",
    "outputs/0/key_length",
  );
  psptErr(() => decodePspt(new Uint8Array(1024 * 1024 + 1)), "PSPT_TOO_LARGE", "$");
  psptErr(() => psptFromBase64("!!!"), "PSPT_BAD_MAGIC", "$");
  assert.throws(() => decodePspt("x" as never), TypeError);
});

Deno.test("decodePspt() rejects non-canonical maps and lengths", () => {
  const { tx } = spendOf({ type: "key", pubkey: new Uint8Array(32).fill(4) });
  const txe = entry([0x00], encodeTx(tx));
  // Keys out of order, duplicated, non-minimal length, over-long key.
  psptErr(
    () => decodePspt(raw({ global: [entry([0x01], [0]), txe] })),
    "PSPT_NOT_CANONICAL",
    "global/0",
  );
  psptErr(
    () => decodePspt(raw({ input: [entry([0x00], SO), entry([0x00], SO)] })),
    "PSPT_NOT_CANONICAL",
    "inputs/0/0",
  );
  psptErr(
    () => decodePspt(raw({ input: [[0x81, 0x00, 0x00, ...leb(SO.length), ...SO]] })),
    "PSPT_NOT_CANONICAL",
    "inputs/0/key_length",
  );
  psptErr(
    () => decodePspt(raw({ input: [[...leb(67), ...new Array(67).fill(2)]] })),
    "PSPT_TOO_LARGE",
    "inputs/0/key_length",
  );
  psptErr(
    () => decodePspt(raw({ input: [[1, 0x00, 0xff, 0xff, 0xff, 0xff, 0x7f]] })),
    "PSPT_TOO_LARGE",
    "inputs/0/0/value_length",
  );
});

Deno.test("decodePspt() rejects bad global fields", () => {
  const { tx } = spendOf({ type: "key", pubkey: new Uint8Array(32).fill(4) });
  const txe = entry([0x00], encodeTx(tx));
  psptErr(
    () => decodePspt(raw({ global: [entry([0x01], [0])] })),
    "PSPT_MISSING",
    "global/unsigned_tx",
  );
  psptErr(() => decodePspt(raw({ global: [txe] })), "PSPT_MISSING", "global/version");
  psptErr(
    () => decodePspt(raw({ global: [txe, entry([0x01], [1])] })),
    "PSPT_BAD_VALUE",
    "global/version",
  );
  psptErr(
    () => decodePspt(raw({ global: [txe, entry([0x01], [0, 0])] })),
    "PSPT_BAD_VALUE",
    "global/version",
  );
  psptErr(
    () => decodePspt(raw({ global: [txe, entry([0x01, 5], [0])] })),
    "PSPT_BAD_VALUE",
    "global/version",
  );
  psptErr(
    () => decodePspt(raw({ global: [entry([0x00], [1, 2, 3]), entry([0x01], [0])] })),
    "PSPT_BAD_VALUE",
    "global/unsigned_tx",
  );
  psptErr(
    () => decodePspt(raw({ global: [entry([0x00, 1], encodeTx(tx)), entry([0x01], [0])] })),
    "PSPT_BAD_VALUE",
    "global/unsigned_tx",
  );
  psptErr(
    () => decodePspt(raw({ global: [txe, entry([0x01], [0]), entry([0x02], [])] })),
    "PSPT_UNKNOWN_KEY",
    "global/2",
  );
  const signed = {
    ...tx,
    witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
  };
  psptErr(
    () => decodePspt(raw({ tx: signed })),
    "PSPT_BAD_VALUE",
    "global/unsigned_tx/witnesses/0",
  );
});

Deno.test("decodePspt() rejects bad input fields, naming each", () => {
  const AGG = new Array(32).fill(9);
  const P33 = [2, ...new Array(32).fill(1)];
  const cases: [number[][], string, string | RegExp][] = [
    [[entry([0x00], [1, 2])], "PSPT_BAD_VALUE", "inputs/0/spent_output"],
    [[entry([0x00, 1], SO)], "PSPT_BAD_VALUE", "inputs/0/spent_output"],
    [[entry([0x01], [0, 9])], "PSPT_BAD_VALUE", "inputs/0/reveal"],
    [[entry([0x02, 1, 2], ORIGIN)], "PSPT_BAD_VALUE", "inputs/0/key_origin"],
    [[entry([0x02, ...X], [0, 0])], "PSPT_BAD_VALUE", /^inputs\/0\/key_origin\//],
    [
      [entry([0x02, ...X], [9, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/key_origin\//,
    ],
    [
      [entry([0x02, ...X], [0, 0, 0, 0, 0, 2, 0, 0, 0, 0])],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/key_origin\//,
    ],
    [
      [entry([0x02, ...X], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/key_origin\//,
    ],
    [
      [entry([0x02, ...X], [0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0])],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/key_origin\//,
    ],
    [[entry([0x03, ...X], new Array(63).fill(0))], "PSPT_BAD_VALUE", /^inputs\/0\/partial_sig\//],
    [[entry([0x03], new Array(64).fill(0))], "PSPT_BAD_VALUE", "inputs/0/partial_sig"],
    [[entry([0x04, ...AGG], P33)], "PSPT_BAD_VALUE", /^inputs\/0\/musig_participants\//],
    [
      [entry([0x04, ...AGG], [...P33, ...P33])],
      "PSPT_NOT_CANONICAL",
      /^inputs\/0\/musig_participants\//,
    ],
    [
      [entry([0x04, ...AGG], [...P33, ...P33.slice(0, 32)])],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/musig_participants\//,
    ],
    [
      [entry([0x05, ...P33, ...AGG], new Array(66).fill(2))],
      "PSPT_MISSING",
      /^inputs\/0\/musig_participants\//,
    ],
    [
      [entry([0x05, ...P33, ...AGG], new Array(65).fill(2))],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/musig_pubnonce\//,
    ],
    [[entry([0x05, ...P33], new Array(66).fill(2))], "PSPT_BAD_VALUE", "inputs/0/musig_pubnonce"],
    [
      [entry([0x06, ...P33, ...AGG], new Array(31).fill(2))],
      "PSPT_BAD_VALUE",
      /^inputs\/0\/musig_partial_sig\//,
    ],
    [
      [entry([0x06, ...P33, ...AGG], new Array(32).fill(2))],
      "PSPT_MISSING",
      /^inputs\/0\/musig_participants\//,
    ],
    [[entry([0x07], [])], "PSPT_BAD_VALUE", "inputs/0/preimage"],
    [[entry([0x07], new Array(65).fill(1))], "PSPT_BAD_VALUE", "inputs/0/preimage"],
    [[entry([0x08], new Array(63).fill(1))], "PSPT_BAD_VALUE", "inputs/0/final_sigs"],
    [[entry([0x08], new Array(64 * 17).fill(1))], "PSPT_BAD_VALUE", "inputs/0/final_sigs"],
    [[entry([0x08], [])], "PSPT_BAD_VALUE", "inputs/0/final_sigs"],
    [[entry([0x09], [1])], "PSPT_BAD_VALUE", "inputs/0/final_signers"],
    [[entry([0x09], [1, 0])], "PSPT_MISSING", "inputs/0/final_sigs"],
    [[entry([0x0a], [])], "PSPT_UNKNOWN_KEY", "inputs/0/10"],
  ];
  for (const [input, code, field] of cases) psptErr(() => decodePspt(raw({ input })), code, field);
});

Deno.test("decodePspt() rejects MuSig participants that do not aggregate to the key", async () => {
  const apis = await Promise.all([1, 2].map((i) => localSigner(new Uint8Array(64).fill(i))));
  const ref: KeyRef = { role: "wallet", account: 0, chain: 0, index: 0 };
  const keys = musigSortKeys(
    await Promise.all(apis.map(async (a) => (await a.getPublicKey(ref)).compressed)),
  );
  const agg = [...musigAggregateKey(keys)];
  const parts = [...keys[0]!, ...keys[1]!];
  decodePspt(raw({ input: [entry([0x04, ...agg], parts)] }));
  const wrong = agg.map((b, i) => (i === 31 ? b ^ 1 : b));
  psptErr(
    () => decodePspt(raw({ input: [entry([0x04, ...wrong], parts)] })),
    "PSPT_CONFLICT",
    /^inputs\/0\/musig_participants\//,
  );
  const stranger = [3, ...new Array(32).fill(5)];
  psptErr(
    () =>
      decodePspt(
        raw({
          input: [
            entry([0x04, ...agg], parts),
            entry([0x05, ...stranger, ...agg], new Array(66).fill(2)),
          ],
        }),
      ),
    "PSPT_CONFLICT",
    /^inputs\/0\/musig_pubnonce\//,
  );
});

Deno.test("decodePspt() rejects bad output fields and map counts", () => {
  psptErr(
    () => decodePspt(raw({ output: [entry([0x01, ...X], ORIGIN)] })),
    "PSPT_UNKNOWN_KEY",
    "outputs/0/1",
  );
  psptErr(
    () => decodePspt(raw({ output: [entry([0x00, 1], ORIGIN)] })),
    "PSPT_BAD_VALUE",
    "outputs/0/key_origin",
  );
  psptErr(
    () => decodePspt(raw({ output: [entry([0x00, ...X], [0])] })),
    "PSPT_BAD_VALUE",
    /^outputs\/0\/key_origin\//,
  );
  // A spent output on the extra witness of a bond is refused.
  const { tx } = spendOf({ type: "key", pubkey: new Uint8Array(32).fill(4) });
  const bond: Tx = {
    ...tx,
    kind: {
      type: "bond",
      seatKey: new Uint8Array(32).fill(1),
      blsKey: new Uint8Array(48),
      blsPop: new Uint8Array(96),
      amount: 1n,
    },
    witnesses: [0, 1].map(() => ({ sigs: [], signers: 0, preimage: null, reveal: null })),
    fee: 999n,
  };
  const b = encodePspt(createPspt(bond));
  assert.equal(decodePspt(b).inputs.length, 2);
  const g = [entry([0x00], encodeTx(bond)), entry([0x01], [0])];
  psptErr(
    () => decodePspt(new Uint8Array([...MAGIC, ...g.flat(), 0, 0, ...entry([0x00], SO), 0, 0])),
    "PSPT_BAD_VALUE",
    "inputs/1/spent_output",
  );
});

Deno.test("decodePspt() never throws anything but PsptError on mutated encodings (property)", async () => {
  const api = await localSigner(mnemonicToSeed(MNEMONIC));
  const p = psptFromTransfer(transfer());
  await signPspt(p, api);
  const good = encodePspt(p);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: good.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      (pos, byte, cut) => {
        const b = cut ? good.slice(0, pos) : good.slice();
        if (!cut) b[pos] = byte;
        try {
          const q = decodePspt(b);
          assert.deepEqual(encodePspt(q), b, "accepted a non-canonical encoding");
        } catch (e) {
          assert.ok(e instanceof PsptError, `non-PsptError ${e}`);
        }
      },
    ),
    { numRuns: 400, seed: 3 },
  );
});
