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

/*
 * Hashes `n` messages in one call, all in the same mode (as pb3_hash; for derive_key the context
 * key is computed once): message i is packed[offsets[i] .. offsets[i+1]) and its 32-byte digest
 * goes to out[32*i]. `offsets` holds n+1 non-decreasing entries (checked by the caller).
 * Returns 0, or -1 on an unknown mode or a NULL pointer.
 */
int32_t pb3_hash_batch(const uint8_t *packed, const uint32_t *offsets, uint32_t n, uint32_t mode,
                       const uint8_t *aux, uint32_t aux_len, uint8_t *out) {
  blake3_hasher h;
  if (offsets == NULL || (out == NULL && n != 0)) return -1;
  if (pb3_init(&h, mode, aux, aux_len) != 0) return -1;
  /* After init, h.key holds the IV, the key, or the derived context key, and h.chunk.flags the
   * mode flag (0, KEYED_HASH or DERIVE_KEY_MATERIAL). */
  const uint8_t mode_flags = h.chunk.flags;
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
    blake3_hasher_reset(&h);
    blake3_hasher_update(&h, packed + start, len);
    blake3_hasher_finalize(&h, out + (size_t)32 * i, 32);
  }
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
