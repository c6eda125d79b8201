/**
 * Seat signer benchmarks: one own-event signature through each back end of the node's
 * `SeatSigner`: the dev-only key file (in-process BIP-340) and phantom-signer over a Unix socket
 * (JSON line, header decode, slashing check with its fsync'd mark, BIP-340 sign, verify in the
 * node). Each remote iteration signs the seat's next event, so every call pays the real fsync.
 * Figures: docs/performance.md, "Seat signer".
 * @module
 */
import { eventExtrasHash, eventId } from "../src/codec/mod.ts";
import { buildCodecHeader } from "../src/consensus/mod.ts";
import { schnorrVerify } from "../src/crypto/mod.ts";
import { KeyFileSeatSigner, RemoteSeatSigner } from "../src/node/mod.ts";
import { DEVNET } from "../src/params/mod.ts";
import {
  codecEventInspector,
  inspectDaAttestation,
  inspectSeatTx,
  Signer,
  SignerServer,
  SlashingProtection,
  SoftwareBackend,
} from "../src/signer/mod.ts";

const SEAT = { role: "seat", account: 0, index: 0 } as const;
const dir = await Deno.makeTempDir({ prefix: "pc_seat_signer_bench_" });
const backend = new SoftwareBackend({ seed: new Uint8Array(64).fill(5), network: "devnet" });
const server = new SignerServer({ listen: { transport: "unix", path: `${dir}/s.sock` } }, {
  signer: new Signer({ token: null }, {
    backend,
    slashing: await SlashingProtection.open({
      path: `${dir}/slashing.json`,
      genesisId: new Uint8Array(32).fill(1),
    }),
    inspectEvent: codecEventInspector(DEVNET.networkId),
    inspectSeatTx: (tx, spent) => inspectSeatTx(DEVNET.networkId, tx, spent),
    inspectDa: (a, h) => inspectDaAttestation(DEVNET.networkId, a, h),
  }),
  hasToken: false,
});
await server.start();
const remote = new RemoteSeatSigner({
  address: { transport: "unix", path: `${dir}/s.sock` },
  token: null,
  account: 0,
  index: 0,
  network: "devnet",
  timeoutMs: 5_000,
});
const pk = (await backend.publicKey(SEAT)).xOnly;
const sk = new Uint8Array(32).fill(7);
const local = new KeyFileSeatSigner({
  secretKey: sk,
  publicKey: (await import("../src/crypto/mod.ts")).schnorrPublicKey(sk),
});

/** Header of the seat's event at `seq` on top of `parent`, with 3 other parents. */
function next(seq: number, parent: Uint8Array | null) {
  const { header: base } = buildCodecHeader({
    network: DEVNET.networkId,
    shard: 0,
    creator: 0,
    seq,
    selfParent: parent,
    parents: [new Uint8Array(32).fill(2), new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)],
    voteMask: 0n,
    payloadRoot: new Uint8Array(32).fill(9),
    payloadTxs: 0,
    payloadBytes: 1,
  });
  const header = { ...base, extrasHash: eventExtrasHash([], []) };
  return { header, id: eventId(header) };
}

// Check the fixture once: the remote signature verifies under the signer's seat key.
let seq = 0;
let parent: Uint8Array | null = null;
{
  const e = next(seq, parent);
  if (!schnorrVerify(await remote.signEvent(e.header, e.id), e.id, pk)) {
    throw new Error("remote seat signature does not verify");
  }
  seq++;
  parent = e.id;
}
const fixed = next(0, null);

Deno.bench(
  { group: "seat signer", name: "KeyFileSeatSigner.signEvent", baseline: true },
  async () => {
    await local.signEvent(fixed.header, fixed.id);
  },
);

Deno.bench({ group: "seat signer", name: "RemoteSeatSigner.signEvent (unix socket)" }, async () => {
  const e = next(seq, parent);
  await remote.signEvent(e.header, e.id);
  seq++;
  parent = e.id;
});

globalThis.addEventListener("unload", () => {
  remote.close();
  // Best effort: the benchmark process is exiting.
  void server.stop();
});
