import assert from "node:assert/strict";
import { schnorr } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { decodeTx, encodePredicate, sighash, txId } from "../codec/mod.ts";
import { generateMnemonic, validateMnemonic } from "../signer/mod.ts";
import {
  buildTransfer,
  psptFromBase64,
  psptFromTransfer,
  psptToBase64,
  type SpendableCoin,
  WalletAccount,
  type WalletKey,
} from "../wallet/mod.ts";
import { formatPc, parsePcAmount, WALLET_EXIT, walletMain } from "./wallet_cli.ts";

const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const PASS = "cli-test-passphrase";
/** Cheap scrypt (2^10) so that each keystore costs milliseconds, not a second. */
const FAST = ["--scrypt-log-n", "10"];

function capture(env: Record<string, string> = {}, stdin = "") {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (t: string) => void out.push(t),
      err: (t: string) => void err.push(t),
      env,
      stdin: () => Promise.resolve(stdin),
    },
    out: () => out.join(""),
    err: () => err.join(""),
    json: () => out.join("").trim().split("\n").map((l) => JSON.parse(l)),
  };
}

async function run(args: string[], env: Record<string, string> = {}, stdin = "") {
  const c = capture(env, stdin);
  const code = await walletMain(args, c.io);
  return { code, out: c.out(), err: c.err(), json: c.json };
}

/** A restored devnet wallet (BIP-39 vector 1 unless `mnemonic`) in a fresh directory. */
async function restored(mnemonic = MNEMONIC): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pc_wallet_cli_" });
  const r = await run(
    ["restore", "--network", "devnet", "--wallet-dir", dir, "--mnemonic-stdin", ...FAST],
    { PHANTOM_WALLET_PASSPHRASE: PASS },
    mnemonic + "\n",
  );
  assert.equal(r.code, WALLET_EXIT.OK, r.err);
  return dir;
}

Deno.test("parsePcAmount() takes PC with up to 8 decimals and refuses everything else", () => {
  assert.equal(parsePcAmount("1"), 100_000_000n);
  assert.equal(parsePcAmount("0.00000001"), 1n);
  assert.equal(parsePcAmount("12.5"), 1_250_000_000n);
  for (
    const bad of ["0", "0.0", "-1", "+1", "1e3", " 1", "1.", ".5", "1.000000001", "0x10", "01"]
  ) {
    assert.throws(() => parsePcAmount(bad), /--amount/, bad);
  }
  assert.equal(formatPc(150_000_001n), "1.50000001");
  assert.equal(formatPc(-5n), "-0.00000005");
});

Deno.test("walletMain(create) writes a 0600 keystore and wallet.json, prints the mnemonic once, never overwrites", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pc_wallet_cli_" });
  const pf = `${dir}/pass.txt`;
  await Deno.writeTextFile(pf, PASS + "\n");
  const args = [
    "create",
    "--network",
    "testnet",
    "--wallet-dir",
    `${dir}/w`,
    "--passphrase-file",
    pf,
  ];
  const r = await run([...args, ...FAST]);
  assert.equal(r.code, WALLET_EXIT.OK, r.err);
  const [mnemonicLine, summary] = r.out.trim().split("\n");
  assert.ok(validateMnemonic(mnemonicLine!), "a valid BIP-39 mnemonic is printed");
  assert.equal(mnemonicLine!.split(" ").length, 24);
  assert.match(r.err, /shown once/);
  const s = JSON.parse(summary!);
  assert.equal(
    s.address,
    WalletAccount.fromMnemonic(mnemonicLine!, "testnet").receiveKey(0).address,
  );
  assert.ok(s.address.startsWith("tpc1"));
  const st = await Deno.stat(`${dir}/w/keystore.json`);
  assert.equal((st.mode ?? 0) & 0o777, 0o600);
  const wf = JSON.parse(await Deno.readTextFile(`${dir}/w/wallet.json`));
  assert.equal(wf.network, "testnet");
  assert.equal(wf.next_receive, 1);
  // Neither file holds the mnemonic in clear.
  for (const f of ["wallet.json", "keystore.json"]) {
    const text = await Deno.readTextFile(`${dir}/w/${f}`);
    assert.ok(!text.includes(mnemonicLine!.split(" ").slice(0, 3).join(" ")), f);
  }
  const again = await run([...args, ...FAST]);
  assert.equal(again.code, WALLET_EXIT.KEYSTORE);
  assert.match(again.err, /exists/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("walletMain(restore, address) derives the BIP-39 vector's addresses and hands out new ones", async () => {
  const dir = await restored();
  const acct = WalletAccount.fromMnemonic(MNEMONIC, "devnet");
  const a0 = await run(["address", "--wallet-dir", dir]);
  assert.equal(a0.code, WALLET_EXIT.OK, a0.err);
  assert.deepEqual(a0.json()[0], {
    address: acct.receiveKey(0).address,
    index: 0,
    network: "devnet",
  });
  assert.match(a0.json()[0].address, /^dpc1q/, "devnet has its own prefix (ADR 0059)");
  const a1 = await run(["address", "--new", "--wallet-dir", dir]);
  assert.equal(a1.json()[0].address, acct.receiveKey(1).address);
  assert.equal((await run(["address", "--wallet-dir", dir])).json()[0].index, 1, "persisted");
  // Mnemonic and passphrase both on stdin, one per line.
  const d2 = await Deno.makeTempDir({ prefix: "pc_wallet_cli_" });
  const r = await run(
    [
      "restore",
      "--network",
      "devnet",
      "--wallet-dir",
      d2,
      "--mnemonic-stdin",
      "--passphrase-stdin",
      ...FAST,
    ],
    {},
    `${MNEMONIC}\n${PASS}\n`,
  );
  assert.equal(r.code, WALLET_EXIT.OK, r.err);
  assert.equal(r.json()[0].address, acct.receiveKey(0).address);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(d2, { recursive: true });
});

Deno.test("walletMain() refuses missing and garbage flags with exit 2 and a clear message", async () => {
  const dir = await restored();
  const cases: [string[], RegExp][] = [
    [[], /Usage/],
    [["frobnicate"], /unknown command/],
    [["create", "--wallet-dir", dir], /required option '--network/],
    [["create", "--network", "moonnet", "--wallet-dir", dir], /--network expects one of/],
    [["create", "--network", "devnet", "--passphrase", "hunter2"], /unknown option '--passphrase'/],
    [["restore", "--network", "devnet", "--wallet-dir", `${dir}/x`], /exactly one of --mnemonic/],
    [["balance", "--wallet-dir", dir, "--node", "ftp://x"], /--node expects an http/],
    [["history", "--wallet-dir", dir, "--limit", "0"], /--limit expects an integer/],
    [["send", "--wallet-dir", dir, "--amount", "1"], /required option '--to/],
    [["send", "--wallet-dir", dir, "--to", "x", "--amount", "1e3"], /--amount expects PC/],
    [["send", "--wallet-dir", dir, "--to", "x", "--amount", "-1"], /--amount expects PC/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, WALLET_EXIT.USAGE, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re, args.join(" "));
  }
  // A mnemonic with a bad checksum is refused before anything is written.
  const bad = await run(
    ["restore", "--network", "devnet", "--wallet-dir", `${dir}/y`, "--mnemonic-stdin", ...FAST],
    { PHANTOM_WALLET_PASSPHRASE: PASS },
    MNEMONIC.replace(/about$/, "abandon"),
  );
  assert.equal(bad.code, WALLET_EXIT.USAGE);
  assert.match(bad.err, /Invalid mnemonic/);
  await assert.rejects(Deno.stat(`${dir}/y`), Deno.errors.NotFound);
  // A missing passphrase is a usage error naming the three sources.
  const nopass = await run(["send", "--wallet-dir", dir, "--to", "x", "--amount", "1"]);
  assert.equal(nopass.code, WALLET_EXIT.USAGE);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("walletMain(send) refuses a bad address, a wrong passphrase and a missing wallet without touching the node", async () => {
  const dir = await restored();
  // The node URL points nowhere: each refusal below must come before any RPC.
  const node = ["--node", "http://127.0.0.1:1"];
  // Mainnet (pc1…) or testnet (tpc1…) on a devnet wallet (dpc1…): the wrong network.
  const other = WalletAccount.fromMnemonic(MNEMONIC, "mainnet").receiveKey(0).address;
  const testnet = WalletAccount.fromMnemonic(MNEMONIC, "testnet", 1).receiveKey(0).address;
  assert.match(testnet, /^tpc1/);
  for (const to of ["pc1notanaddress", other, testnet, "x".repeat(300)]) {
    const r = await run(["send", "--wallet-dir", dir, "--to", to, "--amount", "1", ...node], {
      PHANTOM_WALLET_PASSPHRASE: PASS,
    });
    assert.equal(r.code, WALLET_EXIT.USAGE, `${to}: ${r.err}`);
    assert.match(r.err, /Invalid address/);
  }
  const wrongNet = await run(
    ["send", "--wallet-dir", dir, "--to", testnet, "--amount", "1", ...node],
    { PHANTOM_WALLET_PASSPHRASE: PASS },
  );
  assert.match(wrongNet.err, /prefix "tpc" \(testnet\), expected "dpc" \(devnet\)/);
  const to = WalletAccount.fromMnemonic(MNEMONIC, "devnet", 1).receiveKey(0).address;
  const wrong = await run(["send", "--wallet-dir", dir, "--to", to, "--amount", "1", ...node], {
    PHANTOM_WALLET_PASSPHRASE: "not the passphrase",
  });
  assert.equal(wrong.code, WALLET_EXIT.KEYSTORE, wrong.err);
  assert.match(wrong.err, /wrong passphrase/);
  // A wallet.json whose xpub is not the keystore's is refused before signing anything.
  const wf = JSON.parse(await Deno.readTextFile(`${dir}/wallet.json`));
  await Deno.writeTextFile(
    `${dir}/wallet.json`,
    JSON.stringify({ ...wf, xpub: WalletAccount.fromMnemonic(MNEMONIC, "devnet", 5).xpub }),
  );
  const swapped = await run(["send", "--wallet-dir", dir, "--to", to, "--amount", "1", ...node], {
    PHANTOM_WALLET_PASSPHRASE: PASS,
  });
  assert.equal(swapped.code, WALLET_EXIT.KEYSTORE, swapped.err);
  assert.match(swapped.err, /do not match/);
  const none = await run(["balance", "--wallet-dir", `${dir}/none`, ...node]);
  assert.equal(none.code, WALLET_EXIT.KEYSTORE);
  assert.match(none.err, /No wallet in/);
  await Deno.writeTextFile(`${dir}/wallet.json`, "{ not json");
  const corrupt = await run(["balance", "--wallet-dir", dir, ...node]);
  assert.equal(corrupt.code, WALLET_EXIT.KEYSTORE);
  assert.match(corrupt.err, /Invalid wallet file/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("walletMain(send, balance) against a fake node: insufficient funds is exit 4, a refusal keeps the node's code", async () => {
  const dir = await restored();
  const acct = WalletAccount.fromMnemonic(MNEMONIC, "devnet");
  const mine = acct.receiveKey(0);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const ok = (result: unknown) => Response.json({ jsonrpc: "2.0", id: body.id, result });
    switch (body.method) {
      case "get_fee_floor":
        return ok({ units_per_byte: "1", min_fee: "1000" });
      case "get_balance":
        return ok({
          confirmed: body.params.address === mine.address ? "50000" : "0",
          pending: "0",
        });
      case "get_utxos":
        return ok({
          utxos: body.params.address === mine.address
            ? [{
              txid: "11".repeat(32),
              index: 0,
              amount: "50000",
              predicate: bytesToHex(
                encodePredicate({ type: "commit", commitment: mine.commitment }),
              ),
              anchor: "3",
            }]
            : [],
          next_cursor: null,
        });
      case "submit_tx":
        return Response.json({
          jsonrpc: "2.0",
          id: body.id,
          error: {
            code: -32004,
            message: "Input is immature",
            data: { code: "TX_IMMATURE", spendableAt: 53 },
          },
        });
      default:
        return Response.json({
          jsonrpc: "2.0",
          id: body.id,
          error: { code: -32601, message: "Method not found" },
        });
    }
  });
  const node = ["--node", `http://127.0.0.1:${server.addr.port}`];
  const env = { PHANTOM_WALLET_PASSPHRASE: PASS };
  try {
    const bal = await run(["balance", "--wallet-dir", dir, ...node]);
    assert.equal(bal.code, WALLET_EXIT.OK, bal.err);
    assert.equal(bal.json()[0].confirmed, "50000");
    assert.equal(bal.json()[0].confirmed_pc, "0.00050000");
    const to = WalletAccount.fromMnemonic(MNEMONIC, "devnet", 1).receiveKey(0).address;
    const poor = await run(
      ["send", "--wallet-dir", dir, "--to", to, "--amount", "1", ...node],
      env,
    );
    assert.equal(poor.code, WALLET_EXIT.FUNDS, poor.err);
    assert.match(poor.err, /Insufficient funds: need 1\.0000\d{4} PC, have 0\.00050000 PC/);
    const refused = await run(
      ["send", "--wallet-dir", dir, "--to", to, "--amount", "0.0002", ...node],
      env,
    );
    assert.equal(refused.code, WALLET_EXIT.FAILURE);
    assert.match(refused.err, /\(TX_IMMATURE\)/);
    assert.match(refused.err, /"spendableAt":53/);
    const dry = await run(
      ["send", "--wallet-dir", dir, "--to", to, "--amount", "0.0002", "--dry-run", ...node],
    );
    assert.equal(dry.code, WALLET_EXIT.OK, dry.err);
    assert.equal(dry.json()[0].inputs, 1);
    assert.ok(dry.json()[0].pspt.length > 100);
    // Offline signing: the unsigned PSPT of the dry run, signed by `pspt sign`, submitted by
    // `pspt submit` (which reaches the fake node's refusal).
    const unsignedFile = `${dir}/unsigned.pspt`;
    await Deno.writeTextFile(unsignedFile, dry.json()[0].pspt + "\n");
    const early = await run(["pspt", "submit", unsignedFile, "--wallet-dir", dir, ...node]);
    assert.equal(early.code, WALLET_EXIT.FAILURE);
    assert.match(early.err, /not all inputs are signed/);
    const signedFile = `${dir}/signed.pspt`;
    const signed = await run(
      ["pspt", "sign", unsignedFile, "--wallet-dir", dir, "--out", signedFile],
      env,
    );
    assert.equal(signed.code, WALLET_EXIT.OK, signed.err);
    assert.deepEqual(signed.json()[0], { signed: 1, complete: true, out: signedFile });
    const submitted = await run(["pspt", "submit", signedFile, "--wallet-dir", dir, ...node]);
    assert.equal(submitted.code, WALLET_EXIT.FAILURE);
    assert.match(submitted.err, /\(TX_IMMATURE\)/);
    await Deno.writeTextFile(`${dir}/junk.pspt`, "aGVsbG8=");
    const junk = await run(["pspt", "sign", `${dir}/junk.pspt`, "--wallet-dir", dir], env);
    assert.equal(junk.code, WALLET_EXIT.USAGE);
    assert.match(junk.err, /Invalid PSPT/);
    const hist = await run(["history", "--wallet-dir", dir, ...node]);
    assert.equal(hist.code, WALLET_EXIT.FAILURE, "a node without get_history is a runtime failure");
    assert.match(hist.err, /get_history/);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A coin of `amount` paying `key`'s address (a commit output) at a txId made from `n`. */
function coinOf(key: WalletKey, amount: bigint, n: number): SpendableCoin {
  return {
    utxo: {
      outpoint: { txId: new Uint8Array(32).fill(n), index: 0 },
      output: { amount, predicate: { type: "commit", commitment: key.commitment } },
      anchor: 1n,
    },
    key,
  };
}

Deno.test("walletMain(pspt sign, combine, finalize, extract) signs a two-wallet transaction in turns", async () => {
  const otherMnemonic = generateMnemonic();
  const [dirA, dirB] = [await restored(), await restored(otherMnemonic)];
  const env = { PHANTOM_WALLET_PASSPHRASE: PASS };
  const a = WalletAccount.fromMnemonic(MNEMONIC, "devnet");
  const b = WalletAccount.fromMnemonic(otherMnemonic, "devnet");
  // One input from each wallet: neither can complete the transaction alone.
  const t = buildTransfer(
    [coinOf(a.receiveKey(0), 40_000n, 1), coinOf(b.receiveKey(0), 30_000n, 2)],
    [{
      to: WalletAccount.fromMnemonic(MNEMONIC, "devnet", 3).receiveKey(0).address,
      amount: 60_000n,
    }],
    { network: "devnet", feeFloor: { unitsPerByte: 1n, minFee: 100n }, change: a.changeKey(0) },
  );
  const f = (n: string) => `${dirA}/${n}.pspt`;
  await Deno.writeTextFile(f("unsigned"), psptToBase64(psptFromTransfer(t)) + "\n");
  try {
    const sa = await run(
      ["pspt", "sign", f("unsigned"), "--wallet-dir", dirA, "--out", f("a")],
      env,
    );
    assert.equal(sa.code, WALLET_EXIT.OK, sa.err);
    assert.deepEqual(sa.json()[0], { signed: 1, complete: false, out: f("a") });
    const sb = await run(["pspt", "sign", f("unsigned"), "--wallet-dir", dirB], env);
    assert.equal(sb.code, WALLET_EXIT.OK, sb.err);
    assert.deepEqual([sb.json()[0].signed, sb.json()[0].complete], [1, false]);
    await Deno.writeTextFile(f("b"), sb.json()[0].pspt + "\n");
    // Half-signed: finalize and extract refuse (exit 1) naming the unsigned input.
    for (const cmd of ["finalize", "extract"]) {
      const r = await run(["pspt", cmd, f("a")]);
      assert.equal(r.code, WALLET_EXIT.FAILURE, cmd);
      assert.match(r.err, /"inputs\/\d": not all inputs are signed/, cmd);
    }
    const c = await run(["pspt", "combine", f("a"), f("b"), "--out", f("c")]);
    assert.equal(c.code, WALLET_EXIT.OK, c.err);
    assert.deepEqual(c.json()[0], { combined: 2, complete: true, out: f("c") });
    const fin = await run(["pspt", "finalize", f("c")]);
    assert.equal(fin.code, WALLET_EXIT.OK, fin.err);
    const finalized = psptFromBase64(fin.json()[0].pspt);
    assert.ok(finalized.inputs.every((i) => i.finalSigs !== undefined && i.partialSigs.size === 0));
    await Deno.writeTextFile(f("final"), fin.json()[0].pspt + "\n");
    // Extract works on the combined and on the finalized form alike, and gives a valid spend.
    for (const src of [f("c"), f("final")]) {
      const x = await run(["pspt", "extract", src]);
      assert.equal(x.code, WALLET_EXIT.OK, x.err);
      const { txid, tx: hex, bytes } = x.json()[0];
      const tx = decodeTx(hexToBytes(hex));
      assert.equal(bytes, hex.length / 2);
      assert.equal(txid, bytesToHex(txId(t.tx)), "the extracted tx is the PSPT's tx");
      tx.witnesses.forEach((w, i) => {
        const key = w.reveal?.type === "key" ? w.reveal.pubkey : null;
        assert.ok(key !== null, `input ${i} reveals its key`);
        assert.ok(schnorr.verify(w.sigs[0]!, sighash(tx, i, t.spent), key), `input ${i} sig`);
      });
    }
    // Bad input: one file, a PSPT of another transaction, garbage.
    const one = await run(["pspt", "combine", f("a")]);
    assert.equal(one.code, WALLET_EXIT.USAGE);
    const otherTx = buildTransfer(
      [coinOf(a.receiveKey(0), 40_000n, 1)],
      [{ to: b.receiveKey(0).address, amount: 1_000n }],
      { network: "devnet", feeFloor: { unitsPerByte: 1n, minFee: 100n }, change: a.changeKey(0) },
    );
    await Deno.writeTextFile(f("other"), psptToBase64(psptFromTransfer(otherTx)) + "\n");
    const conflict = await run(["pspt", "combine", f("a"), f("other")]);
    assert.equal(conflict.code, WALLET_EXIT.USAGE);
    assert.match(conflict.err, /global\/unsigned_tx/);
    await Deno.writeTextFile(f("junk"), "aGVsbG8=\n");
    for (
      const cmd of [["combine", f("a"), f("junk")], ["finalize", f("junk")], ["extract", f("junk")]]
    ) {
      const r = await run(["pspt", ...cmd]);
      assert.equal(r.code, WALLET_EXIT.USAGE, cmd.join(" "));
      assert.match(r.err, /Invalid PSPT|PSPT/, cmd.join(" "));
    }
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});

Deno.test("walletMain(address --unused, pspt create) ask the node: first address without use, fee floor", async () => {
  const dir = await restored();
  const acct = WalletAccount.fromMnemonic(MNEMONIC, "devnet");
  const k = (i: number) => acct.receiveKey(i).address;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const ok = (result: unknown) => Response.json({ jsonrpc: "2.0", id: body.id, result });
    const addr = body.params?.address;
    switch (body.method) {
      case "get_history":
        // Index 0 has finalized history; index 1 only a pending credit; index 2 is unused.
        return ok({
          entries: addr === k(0)
            ? [{
              txid: "22".repeat(32),
              anchor: "4",
              kind: "mint",
              credit: "50000",
              debit: "0",
              delta: "50000",
            }]
            : [],
          next_cursor: null,
          truncated: false,
        });
      case "get_balance":
        return ok({
          confirmed: addr === k(0) ? "50000" : "0",
          pending: addr === k(1) ? "700" : "0",
        });
      case "get_fee_floor":
        return ok({ units_per_byte: "2", min_fee: "1000" });
      case "get_utxos":
        return ok({
          utxos: addr === k(0)
            ? [{
              txid: "22".repeat(32),
              index: 0,
              amount: "50000",
              predicate: bytesToHex(
                encodePredicate({ type: "commit", commitment: acct.receiveKey(0).commitment }),
              ),
              anchor: "4",
            }]
            : [],
          next_cursor: null,
        });
      default:
        return Response.json({
          jsonrpc: "2.0",
          id: body.id,
          error: { code: -32601, message: "Method not found" },
        });
    }
  });
  const node = ["--node", `http://127.0.0.1:${server.addr.port}`];
  try {
    const u = await run(["address", "--unused", "--wallet-dir", dir, ...node]);
    assert.equal(u.code, WALLET_EXIT.OK, u.err);
    assert.deepEqual(u.json()[0], { address: k(2), index: 2, network: "devnet", unused: true });
    // Handing out index 2 moves the current address there (the scan covers it).
    assert.equal((await run(["address", "--wallet-dir", dir])).json()[0].index, 2);
    const both = await run(["address", "--unused", "--new", "--wallet-dir", dir, ...node]);
    assert.equal(both.code, WALLET_EXIT.USAGE);
    // pspt create: watch-only, pays at least the node's fee floor for the signed size.
    const to = WalletAccount.fromMnemonic(MNEMONIC, "devnet", 1).receiveKey(0).address;
    const c = await run([
      "pspt",
      "create",
      "--to",
      to,
      "--amount",
      "0.0002",
      "--wallet-dir",
      dir,
      ...node,
    ]);
    assert.equal(c.code, WALLET_EXIT.OK, c.err);
    const { fee, inputs, pspt } = c.json()[0];
    assert.equal(inputs, 1);
    const p = psptFromBase64(pspt);
    assert.equal(p.tx.fee.toString(), fee);
    assert.ok(BigInt(fee) >= 1000n, "at least the node's min_fee");
    assert.ok(p.inputs[0]!.spentOutput !== undefined && p.inputs[0]!.keyOrigins.size === 1);
    const bad = await run([
      "pspt",
      "create",
      "--to",
      "pc1garbage",
      "--amount",
      "1",
      "--wallet-dir",
      dir,
      ...node,
    ]);
    assert.equal(bad.code, WALLET_EXIT.USAGE);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
