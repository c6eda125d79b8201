/**
 * Test helpers: a local signer, coins paying wallet keys, and a witness verifier that applies
 * the spending rules of docs/spec/transactions.md section 2 to a signed transaction.
 * @module
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import {
  hashlockHash,
  type Predicate,
  predicateCommitment,
  sighash,
  type Tx,
  type TxOutput,
} from "../codec/mod.ts";
import {
  LocalSignerApi,
  type Network,
  Signer,
  SlashingProtection,
  SoftwareBackend,
} from "../signer/mod.ts";
import type { WalletKey } from "./account.ts";
import type { SpendableCoin } from "./build.ts";

/** A BIP-39 test mnemonic (BIP-39 vector 1). */
export const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

/** An in-process signer over `seed`. */
export async function localSigner(
  seed: Uint8Array,
  network: Network = "testnet",
): Promise<LocalSignerApi> {
  const backend = new SoftwareBackend({ seed, network });
  const slashing = await SlashingProtection.open({
    path: `${await Deno.makeTempDir()}/s.json`,
    genesisId: new Uint8Array(32),
  });
  const never = () => {
    throw new Error("not used in wallet tests");
  };
  return new LocalSignerApi(
    new Signer({ token: null }, {
      backend,
      slashing,
      inspectEvent: never,
      inspectSeatTx: never,
      inspectDa: never,
    }),
  );
}

/** A coin of `amount` paying `key`'s address (a commit output), at a txId made from `n`. */
export function coin(key: WalletKey, amount: bigint, n: number, index = 0): SpendableCoin {
  return {
    utxo: {
      outpoint: { txId: new Uint8Array(32).fill(n), index },
      output: { amount, predicate: { type: "commit", commitment: key.commitment } },
      anchor: 1n,
    },
    key,
  };
}

/** Checks every witness of `tx` against the predicates of `spent` (signatures verify). */
export function verifyWitnesses(tx: Tx, spent: readonly TxOutput[]): void {
  tx.inputs.forEach((_, i) => {
    const w = tx.witnesses[i]!;
    let p: Predicate = spent[i]!.predicate;
    const msg = sighash(tx, i, spent);
    if (p.type === "commit") {
      if (w.reveal === null) throw new Error(`input ${i}: no reveal`);
      const c = predicateCommitment(w.reveal);
      if (!c.every((b, j) => b === (p as { commitment: Uint8Array }).commitment[j])) {
        throw new Error(`input ${i}: reveal does not match`);
      }
      p = w.reveal;
    }
    const inner = p.type === "after" ? p.inner : p;
    switch (inner.type) {
      case "key":
        if (w.sigs.length !== 1 || !schnorr.verify(w.sigs[0]!, msg, inner.pubkey)) {
          throw new Error(`input ${i}: bad key signature`);
        }
        break;
      case "musig":
        if (w.sigs.length !== 1 || !schnorr.verify(w.sigs[0]!, msg, inner.key)) {
          throw new Error(`input ${i}: bad musig signature`);
        }
        break;
      case "hashlock":
        if (w.preimage === null || !hashlockHash(w.preimage).every((b, j) => b === inner.hash[j])) {
          throw new Error(`input ${i}: bad preimage`);
        }
        if (w.sigs.length !== 1 || !schnorr.verify(w.sigs[0]!, msg, inner.pubkey)) {
          throw new Error(`input ${i}: bad hashlock signature`);
        }
        break;
      case "multi": {
        let k = 0;
        inner.pubkeys.forEach((pub, j) => {
          if ((w.signers >> j) & 1) {
            if (!schnorr.verify(w.sigs[k]!, msg, pub)) {
              throw new Error(`input ${i}: bad multi sig ${j}`);
            }
            k++;
          }
        });
        if (k < inner.threshold || k !== w.sigs.length) {
          throw new Error(`input ${i}: multi threshold`);
        }
        break;
      }
      default:
        throw new Error(`input ${i}: cannot verify ${inner.type}`);
    }
  });
}
