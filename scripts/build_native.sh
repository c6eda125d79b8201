#!/usr/bin/env bash
# Builds the native crypto libraries loaded by src/crypto with Deno.dlopen:
#   native/build/libphantom_blake3.so     official BLAKE3 C code (Debian librust-blake3-dev sources)
#                                         with its SIMD back ends + native/phantom_blake3.c
#   native/build/libphantom_secp256k1.so  native/phantom_secp256k1.c linked against -lsecp256k1
#
# - No-op (fast) when nothing that goes into the build has changed (stamp file).
# - Missing gcc / libsecp256k1-dev / librust-blake3-dev: installed with apt-get when we are root,
#   otherwise a clear message and exit 0 so the JavaScript fallbacks are used. With
#   PHANTOM_NATIVE_REQUIRED=1 (CI) anything missing or failing is an error (exit 1).
#   PHANTOM_NATIVE_NO_INSTALL=1 skips the apt-get step; BLAKE3_C_DIR overrides the BLAKE3 sources.
# - SIMD: every back end is compiled with only its own flags and the BLAKE3 dispatcher picks one
#   at run time, so the library runs on any CPU of the architecture (never -march=native).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUIRED="${PHANTOM_NATIVE_REQUIRED:-0}"
OUT_DIR="native/build"
CC="${CC:-gcc}"
ARCH="$(uname -m)"

log() { echo "build_native: $*" >&2; }
give_up() {
  if [ "$REQUIRED" = "1" ]; then
    log "error: $* (PHANTOM_NATIVE_REQUIRED=1)"
    exit 1
  fi
  log "$*; the JavaScript fallbacks will be used"
  exit 0
}

if [ "$(uname -s)" != "Linux" ]; then
  give_up "native crypto is built on Linux only (this is $(uname -s))"
fi

find_blake3_dir() {
  if [ -n "${BLAKE3_C_DIR:-}" ]; then
    echo "$BLAKE3_C_DIR"
    return
  fi
  local d
  d="$(ls -d /usr/share/cargo/registry/blake3-*/c 2>/dev/null | sort -V | tail -n 1 || true)"
  echo "$d"
}

missing_packages() {
  local need=()
  command -v "$CC" >/dev/null 2>&1 || need+=(gcc)
  { [ -f /usr/include/secp256k1_schnorrsig.h ] && [ -f /usr/include/secp256k1_extrakeys.h ]; } ||
    need+=(libsecp256k1-dev)
  local b3
  b3="$(find_blake3_dir)"
  { [ -n "$b3" ] && [ -f "$b3/blake3.h" ]; } || need+=(librust-blake3-dev)
  echo "${need[@]:-}"
}

need="$(missing_packages)"
if [ -n "$need" ]; then
  if [ "${PHANTOM_NATIVE_NO_INSTALL:-0}" != "1" ] && [ "$(id -u)" = "0" ] &&
    command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages: $need"
    apt-get update -qq || give_up "apt-get update failed"
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null ||
      give_up "apt-get install $need failed"
    need="$(missing_packages)"
  fi
  if [ -n "$need" ]; then
    give_up "missing build dependencies: $need (apt-get install $need)"
  fi
fi

B3="$(find_blake3_dir)"
COMMON_FLAGS=(-O3 -fPIC -std=c11 -D_GNU_SOURCE)
B3_SOURCES=("$B3/blake3.c" "$B3/blake3_dispatch.c" "$B3/blake3_portable.c")
B3_DEFINES=()
case "$ARCH" in
  x86_64 | amd64)
    # Assembly back ends: no -m flags needed, the dispatcher checks CPUID before calling them.
    B3_SIMD=("$B3/blake3_sse2_x86-64_unix.S" "$B3/blake3_sse41_x86-64_unix.S"
      "$B3/blake3_avx2_x86-64_unix.S" "$B3/blake3_avx512_x86-64_unix.S")
    ;;
  aarch64 | arm64)
    B3_SIMD=("$B3/blake3_neon.c")
    B3_DEFINES=(-DBLAKE3_USE_NEON=1)
    ;;
  *)
    B3_SIMD=()
    B3_DEFINES=(-DBLAKE3_USE_NEON=0 -DBLAKE3_NO_SSE2 -DBLAKE3_NO_SSE41 -DBLAKE3_NO_AVX2
      -DBLAKE3_NO_AVX512)
    ;;
esac

# Everything that goes into the build, hashed; equal stamp + both libraries present = nothing to do.
stamp="$(
  {
    echo "$ARCH $CC"
    "$CC" --version 2>/dev/null | head -n 1
    cat scripts/build_native.sh native/phantom_blake3.c native/phantom_secp256k1.c
    cat "${B3_SOURCES[@]}" "${B3_SIMD[@]}" "$B3/blake3.h" "$B3/blake3_impl.h"
    cat /usr/include/secp256k1.h /usr/include/secp256k1_schnorrsig.h
    ls -lL /usr/lib/*/libsecp256k1.so* /usr/lib/libsecp256k1.so* 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
)"
if [ -f "$OUT_DIR/.stamp" ] && [ "$(cat "$OUT_DIR/.stamp")" = "$stamp" ] &&
  [ -f "$OUT_DIR/libphantom_blake3.so" ] && [ -f "$OUT_DIR/libphantom_secp256k1.so" ]; then
  exit 0
fi

mkdir -p "$OUT_DIR"
TMP="$(mktemp -d "$OUT_DIR/.tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

log "compiling BLAKE3 ($ARCH, sources from $B3)"
objs=()
for src in "${B3_SOURCES[@]}" "${B3_SIMD[@]}"; do
  obj="$TMP/$(basename "$src").o"
  "$CC" "${COMMON_FLAGS[@]}" "${B3_DEFINES[@]}" -c "$src" -o "$obj" ||
    give_up "compiling $src failed"
  objs+=("$obj")
done
"$CC" "${COMMON_FLAGS[@]}" "${B3_DEFINES[@]}" -Wall -Wextra -I"$B3" -c native/phantom_blake3.c \
  -o "$TMP/phantom_blake3.o" || give_up "compiling native/phantom_blake3.c failed"
"$CC" -shared -Wl,-z,noexecstack -Wl,-soname,libphantom_blake3.so -o "$TMP/libphantom_blake3.so" \
  "${objs[@]}" "$TMP/phantom_blake3.o" || give_up "linking libphantom_blake3.so failed"

log "compiling secp256k1 wrapper"
"$CC" "${COMMON_FLAGS[@]}" -Wall -Wextra -shared -Wl,-z,noexecstack \
  -Wl,-soname,libphantom_secp256k1.so -o "$TMP/libphantom_secp256k1.so" \
  native/phantom_secp256k1.c -lsecp256k1 || give_up "building libphantom_secp256k1.so failed"

mv -f "$TMP/libphantom_blake3.so" "$OUT_DIR/libphantom_blake3.so"
mv -f "$TMP/libphantom_secp256k1.so" "$OUT_DIR/libphantom_secp256k1.so"
echo "$stamp" >"$OUT_DIR/.stamp"
log "built $OUT_DIR/libphantom_blake3.so and $OUT_DIR/libphantom_secp256k1.so"
