/**
 * Test helpers: a stand-in event encoding and a signer wired to temporary files.
 * @module
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { TESTNET } from "../params/mod.ts";
import { SoftwareBackend } from "./backend.ts";
import type { Network } from "./derive.ts";
import { SlashingProtection } from "./slashing.ts";
import { type EventInspector, Signer } from "./signer.ts";
import { inspectDaAttestation, inspectSeatTx } from "./event.ts";

/** Network id used by signer tests (testnet). */
export const TEST_NETWORK_ID: number = TESTNET.networkId;

/** Fake unsigned event: seat u8 | seq u64 BE | has_parent u8 | [parent 32] | payload. */
export function fakeEvent(
  seat: number,
  seq: bigint,
  selfParent: Uint8Array | null,
  payload = "x",
): Uint8Array {
  const p = new TextEncoder().encode(payload);
  const out = new Uint8Array(1 + 8 + 1 + (selfParent ? 32 : 0) + p.length);
  out[0] = seat;
  new DataView(out.buffer).setBigUint64(1, seq);
  out[9] = selfParent ? 1 : 0;
  if (selfParent) out.set(selfParent, 10);
  out.set(p, 10 + (selfParent ? 32 : 0));
  return out;
}

/** Inspector for {@linkcode fakeEvent}. */
export const fakeInspector: EventInspector = (b) => {
  if (b.length < 10) throw new Error("event too short");
  const has = b[9];
  if (has !== 0 && has !== 1) throw new Error("bad parent flag");
  if (has === 1 && b.length < 42) throw new Error("truncated parent");
  const id = blake3(b);
  return {
    shard: 0,
    creator: b[0]!,
    epoch: 0n,
    seq: new DataView(b.buffer, b.byteOffset).getBigUint64(1),
    selfParent: has === 1 ? b.slice(10, 42) : null,
    id,
    signingHash: id,
  };
};

/** Id the fake inspector computes. */
export function fakeId(b: Uint8Array): Uint8Array {
  return fakeInspector(b).id;
}

/** A signer over a fresh seed-derived back end and a slashing file in `dir`. */
export async function makeSigner(
  dir: string,
  opts: { seed?: Uint8Array; token?: string | null; network?: Network } = {},
): Promise<{ signer: Signer; backend: SoftwareBackend; slashing: SlashingProtection }> {
  const backend = new SoftwareBackend({
    seed: opts.seed ?? new Uint8Array(64).fill(42),
    network: opts.network ?? "testnet",
  });
  const slashing = await SlashingProtection.open({
    path: `${dir}/slashing.json`,
    genesisId: new Uint8Array(32).fill(9),
  });
  const signer = new Signer({ token: opts.token ?? null }, {
    backend,
    slashing,
    inspectEvent: fakeInspector,
    inspectSeatTx: (tx, spent) => inspectSeatTx(TEST_NETWORK_ID, tx, spent),
    inspectDa: (a, h) => inspectDaAttestation(TEST_NETWORK_ID, a, h),
  });
  return { signer, backend, slashing };
}
