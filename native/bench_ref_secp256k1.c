/*
 * Hardware reference for docs/performance.md: BIP-340 verifications per second calling
 * libsecp256k1 directly from C with 1 and 2 pthreads (no Deno, no FFI). Not part of the build:
 *
 *   gcc -O2 native/bench_ref_secp256k1.c -o /tmp/secp_ref -lsecp256k1 -lpthread && /tmp/secp_ref
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#define N 4000

static unsigned char sigs[N][64];
static unsigned char msgs[N][32];
static secp256k1_xonly_pubkey pks[N];
static secp256k1_context *ctx;

typedef struct {
  int start;
  int end;
} range_t;

static void *verify_range(void *arg) {
  const range_t *r = arg;
  int ok = 0;
  for (int i = r->start; i < r->end; i++) {
    ok += secp256k1_schnorrsig_verify(ctx, sigs[i], msgs[i], 32, &pks[i]);
  }
  if (ok != r->end - r->start) fprintf(stderr, "unexpected invalid signature\n");
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
  ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
  for (int i = 0; i < N; i++) {
    unsigned char sk[32];
    secp256k1_keypair kp;
    memset(sk, 1, sizeof sk);
    sk[0] = (unsigned char)(i >> 8);
    sk[31] = (unsigned char)i;
    memset(msgs[i], i & 0xff, 32);
    if (!secp256k1_keypair_create(ctx, &kp, sk) ||
        !secp256k1_schnorrsig_sign32(ctx, sigs[i], msgs[i], &kp, NULL) ||
        !secp256k1_keypair_xonly_pub(ctx, &pks[i], NULL, &kp)) {
      fprintf(stderr, "fixture %d failed\n", i);
      return 1;
    }
  }
  for (int rep = 0; rep < 3; rep++) {
    range_t all = {0, N};
    double t = now();
    verify_range(&all);
    const double one = now() - t;
    pthread_t th[2];
    range_t halves[2] = {{0, N / 2}, {N / 2, N}};
    t = now();
    for (int k = 0; k < 2; k++) pthread_create(&th[k], NULL, verify_range, &halves[k]);
    for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
    const double two = now() - t;
    printf("1 thread: %.0f/s   2 threads: %.0f/s\n", N / one, N / two);
  }
  secp256k1_context_destroy(ctx);
  return 0;
}
