/*
 * Thin FFI wrapper around the official BLAKE3 C implementation (Debian librust-blake3-dev sources).
 *
 * Every entry point takes plain pointers and 32-bit lengths so that Deno.dlopen can call it without
 * structs or BigInt conversions. Argument validation (lengths, modes) happens in TypeScript before the call; the checks
 * here only guard against a NULL pointer and an unknown mode, never against short buffers.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "blake3.h"
#include "blake3_impl.h"

#define PB3_MODE_HASH 0u
#define PB3_MODE_KEYED 1u
#define PB3_MODE_DERIVE 2u

/* Initializes `h` for `mode` (see pb3_hash). Returns 0, or -1 on an unknown mode or NULL key. */
static int32_t pb3_init(blake3_hasher *h, uint32_t mode, const uint8_t *aux, uint32_t aux_len) {
  switch (mode) {
    case PB3_MODE_HASH:
      blake3_hasher_init(h);
      return 0;
    case PB3_MODE_KEYED:
      if (aux == NULL) return -1;
      blake3_hasher_init_keyed(h, aux);
      return 0;
    case PB3_MODE_DERIVE:
      if (aux == NULL && aux_len != 0) return -1;
      blake3_hasher_init_derive_key_raw(h, aux, aux_len);
      return 0;
    default:
      return -1;
  }
}

/*
 * Hashes `len` bytes at `in` into `out_len` bytes at `out` (extended output when above 32).
 * mode 0: plain hash (aux ignored); mode 1: keyed hash, aux is the 32-byte key; mode 2:
 * derive_key, aux is the raw context string of `aux_len` bytes.
 * Returns 0 on success, -1 on an unknown mode or a NULL pointer.
 */
int32_t pb3_hash(const uint8_t *in, uint32_t len, uint32_t mode, const uint8_t *aux,
                 uint32_t aux_len, uint8_t *out, uint32_t out_len) {
  blake3_hasher h;
  if ((in == NULL && len != 0) || (out == NULL && out_len != 0)) return -1;
  if (pb3_init(&h, mode, aux, aux_len) != 0) return -1;
  if (len != 0) blake3_hasher_update(&h, in, len);
  blake3_hasher_finalize(&h, out, out_len);
  return 0;
}

/* Messages of one group for blake3_hash_many: same number of full blocks before the final one. */
typedef struct {
  const uint8_t *in[MAX_SIMD_DEGREE];
  uint32_t len[MAX_SIMD_DEGREE];
  uint8_t *out[MAX_SIMD_DEGREE];
  size_t n;
} pb3_group;

/*
 * Finishes a group: blake3_hash_many compresses the `blocks` leading full blocks of up to
 * MAX_SIMD_DEGREE messages side by side (SIMD lanes, CHUNK_START on the first block, no end flag),
 * giving each message's chaining value; the final 1..64-byte block of each is then compressed
 * alone with CHUNK_END | ROOT. Digests are the same as blake3_hasher's for any single-chunk input
 * (BLAKE3 spec, section 2.5: root of a one-chunk input).
 */
static void pb3_flush(pb3_group *g, size_t blocks, const uint32_t key[8], uint8_t mode_flags) {
  uint8_t cvs[MAX_SIMD_DEGREE * BLAKE3_OUT_LEN];
  if (g->n == 0) return;
  blake3_hash_many(g->in, g->n, blocks, key, 0, false, mode_flags, CHUNK_START, 0, cvs);
  for (size_t j = 0; j < g->n; j++) {
    uint32_t cv[8];
    uint8_t block[BLAKE3_BLOCK_LEN] = {0};
    const uint32_t last = g->len[j] - (uint32_t)(BLAKE3_BLOCK_LEN * blocks);
    memcpy(block, g->in[j] + BLAKE3_BLOCK_LEN * blocks, last);
    load_key_words(cvs + BLAKE3_OUT_LEN * j, cv);
    blake3_compress_in_place(cv, block, (uint8_t)last, 0, mode_flags | CHUNK_END | ROOT);
    store_cv_words(g->out[j], cv);
  }
  g->n = 0;
}

/* Full blocks before the final one that a message may have to go through pb3_flush (one chunk). */
#define PB3_GROUPS (BLAKE3_CHUNK_LEN / BLAKE3_BLOCK_LEN)

/*
 * Hashes `n` messages in one call, all in the same mode (as pb3_hash; for derive_key the context
 * key is computed once): message i is packed[offsets[i] .. offsets[i+1]) and its 32-byte digest
 * goes to out[32*i]. `offsets` holds n+1 non-decreasing entries (checked by the caller).
 * Messages of one block are one compression each; messages of 2..16 blocks (one chunk) are
 * grouped by block count and hashed MAX_SIMD_DEGREE at a time with blake3_hash_many (the state
 * commitment's bucket and node messages are 500-1000 bytes: 8-16x fewer serial compressions on
 * AVX-512); longer messages go through the incremental hasher.
 * Returns 0, or -1 on an unknown mode or a NULL pointer.
 */
int32_t pb3_hash_batch(const uint8_t *packed, const uint32_t *offsets, uint32_t n, uint32_t mode,
                       const uint8_t *aux, uint32_t aux_len, uint8_t *out) {
  blake3_hasher h;
  /* Groups by number of leading full blocks (1..15); index 0 unused. */
  pb3_group groups[PB3_GROUPS];
  if (offsets == NULL || (out == NULL && n != 0)) return -1;
  if (pb3_init(&h, mode, aux, aux_len) != 0) return -1;
  /* After init, h.key holds the IV, the key, or the derived context key, and h.chunk.flags the
   * mode flag (0, KEYED_HASH or DERIVE_KEY_MATERIAL). */
  const uint8_t mode_flags = h.chunk.flags;
  for (size_t b = 0; b < PB3_GROUPS; b++) groups[b].n = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t start = offsets[i];
    const uint32_t end = offsets[i + 1];
    const uint32_t len = end - start;
    if (len <= BLAKE3_BLOCK_LEN) {
      /* One-block input: the root output is a single compression of the key words with the
       * block flagged CHUNK_START | CHUNK_END | ROOT (BLAKE3 spec, section 2.5), which skips the
       * hasher set-up that dominates for ids and 32-byte keys. */
      uint8_t block[BLAKE3_BLOCK_LEN] = {0};
      uint32_t cv[8];
      if (len != 0) memcpy(block, packed + start, len);
      memcpy(cv, h.key, sizeof cv);
      blake3_compress_in_place(cv, block, (uint8_t)len, 0,
                               mode_flags | CHUNK_START | CHUNK_END | ROOT);
      store_cv_words(out + (size_t)32 * i, cv);
      continue;
    }
    if (len <= BLAKE3_CHUNK_LEN) {
      const size_t blocks = (len - 1) / BLAKE3_BLOCK_LEN;
      pb3_group *g = &groups[blocks];
      g->in[g->n] = packed + start;
      g->len[g->n] = len;
      g->out[g->n] = out + (size_t)32 * i;
      if (++g->n == MAX_SIMD_DEGREE) pb3_flush(g, blocks, h.key, mode_flags);
      continue;
    }
    blake3_hasher_reset(&h);
    blake3_hasher_update(&h, packed + start, len);
    blake3_hasher_finalize(&h, out + (size_t)32 * i, 32);
  }
  for (size_t b = 1; b < PB3_GROUPS; b++) pb3_flush(&groups[b], b, h.key, mode_flags);
  return 0;
}

/*
 * Which SIMD back end the run-time dispatcher uses on this CPU:
 * 0 portable, 1 sse2, 2 sse41, 3 avx2, 4 avx512, 5 neon.
 */
int32_t pb3_backend(void) {
  const size_t degree = blake3_simd_degree();
#if defined(__x86_64__) || defined(_M_X64)
  if (degree == 16) return 4;
  if (degree == 8) return 3;
  if (degree == 4) {
#if defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.1") ? 2 : 1;
#else
    return 2;
#endif
  }
  return 0;
#elif defined(__aarch64__)
  return degree == 4 ? 5 : 0;
#else
  (void)degree;
  return 0;
#endif
}
