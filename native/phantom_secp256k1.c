/*
 * Thin FFI wrapper around libsecp256k1 (Debian libsecp256k1-dev) for BIP-340 Schnorr.
 *
 * One context is created by ps_init() and then only read: libsecp256k1 documents that a context
 * may be used from several threads at once as long as no thread modifies it, which is what lets
 * ps_verify_range() run on two Deno blocking-pool threads at the same time.
 * Lengths are validated in TypeScript before the call.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#ifndef SECP256K1_CONTEXT_NONE
#define SECP256K1_CONTEXT_NONE (SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY)
#endif

static secp256k1_context *ctx = NULL;

/*
 * libsecp256k1 aborts the process on an API misuse by default. Our TypeScript checks make that
 * unreachable, but a Deno node must never die inside FFI: with this callback the offending call
 * returns 0 instead, which every wrapper below reports as a failure.
 */
static void ps_illegal(const char *message, void *data) {
  (void)message;
  (void)data;
}

/*
 * Creates the shared context and randomizes it with 32 bytes of `seed` (side-channel blinding for
 * signing). Idempotent and safe to race: several Deno workers of one process may load the library
 * at once (deno test --parallel); the first context published wins and the others are destroyed.
 * Returns 1 on success, 0 on failure.
 */
int32_t ps_init(const uint8_t *seed32) {
  if (__atomic_load_n(&ctx, __ATOMIC_ACQUIRE) != NULL) return 1;
  secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (c == NULL) return 0;
  secp256k1_context_set_illegal_callback(c, ps_illegal, NULL);
  if (seed32 != NULL && !secp256k1_context_randomize(c, seed32)) {
    secp256k1_context_destroy(c);
    return 0;
  }
  secp256k1_context *expected = NULL;
  if (!__atomic_compare_exchange_n(&ctx, &expected, c, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    secp256k1_context_destroy(c);
  }
  return 1;
}

/* Writes the 32-byte x-only public key of `sk32` to out32. Returns 1, or 0 for an invalid key. */
int32_t ps_pubkey(const uint8_t *sk32, uint8_t *out32) {
  secp256k1_keypair kp;
  secp256k1_xonly_pubkey xpk;
  int ok = ctx != NULL && secp256k1_keypair_create(ctx, &kp, sk32) &&
           secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) &&
           secp256k1_xonly_pubkey_serialize(ctx, out32, &xpk);
  memset(&kp, 0, sizeof kp);
  return ok ? 1 : 0;
}

/*
 * BIP-340 signs `msglen` bytes at `msg` with `sk32` and 32 bytes of auxiliary randomness, writing
 * 64 bytes to sig64. The signature is verified before returning (guards against faults).
 * Returns 1, or 0 for an invalid secret key.
 */
int32_t ps_sign(const uint8_t *msg, uint32_t msglen, const uint8_t *sk32, const uint8_t *aux32,
                uint8_t *sig64) {
  secp256k1_keypair kp;
  secp256k1_xonly_pubkey xpk;
  secp256k1_schnorrsig_extraparams extra = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
  extra.ndata = (void *)aux32;
  int ok = ctx != NULL && secp256k1_keypair_create(ctx, &kp, sk32) &&
           secp256k1_schnorrsig_sign_custom(ctx, sig64, msg, msglen, &kp, &extra) &&
           secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) &&
           secp256k1_schnorrsig_verify(ctx, sig64, msg, msglen, &xpk);
  memset(&kp, 0, sizeof kp);
  if (!ok) memset(sig64, 0, 64);
  return ok ? 1 : 0;
}

/* BIP-340 verification. Returns 1 when valid, 0 otherwise (including a public key off the curve). */
int32_t ps_verify(const uint8_t *sig64, const uint8_t *msg, uint32_t msglen, const uint8_t *pk32) {
  secp256k1_xonly_pubkey xpk;
  if (ctx == NULL || !secp256k1_xonly_pubkey_parse(ctx, &xpk, pk32)) return 0;
  return secp256k1_schnorrsig_verify(ctx, sig64, msg, msglen, &xpk) ? 1 : 0;
}

/*
 * Verifies items [start, end) of a batch: signature i at sigs[64*i], public key i at pks[32*i],
 * message i at msgs[offsets[i] .. offsets[i+1]). Writes 1/0 to results[i] and returns the number
 * of valid items in the range. Disjoint ranges may run concurrently on different threads.
 */
uint32_t ps_verify_range(const uint8_t *sigs, const uint8_t *msgs, const uint32_t *offsets,
                         const uint8_t *pks, uint32_t start, uint32_t end, uint8_t *results) {
  uint32_t valid = 0;
  for (uint32_t i = start; i < end; i++) {
    const uint32_t a = offsets[i];
    const uint32_t b = offsets[i + 1];
    const uint8_t r = (uint8_t)ps_verify(sigs + (size_t)64 * i, msgs + a, b - a,
                                         pks + (size_t)32 * i);
    results[i] = r;
    valid += r;
  }
  return valid;
}
