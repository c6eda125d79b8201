#!/usr/bin/env bash
# Builds the three self-contained binaries with `deno compile`.
#
# IMPORTANT: `deno compile` downloads a "denort" runtime for the target from Deno's download servers
# (dl.deno.land). Those servers are NOT reachable from the development and CI machines of this
# project, so this script cannot succeed there; it is correct for a release machine with internet
# access (or with DENORT_BIN pointing at a pre-fetched denort binary, which deno compile honours).
# The native crypto libraries (native/build/*.so) are NOT embedded: ship them next to the binary
# (set PHANTOM_NATIVE_DIR), otherwise the binaries run on the pure-JS fallbacks.
set -euo pipefail
cd "$(dirname "$0")/.."
DENO="${DENO:-npx --yes deno@$(cat .deno-version)}"
targets=("${@:-x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu}")
mkdir -p dist
for target in ${targets[*]}; do
  for entry in phantom-node phantom-miner phantom-signer; do
    echo "build: ${entry} for ${target}"
    if ! $DENO compile --allow-all --target "${target}" --output "dist/${target}/${entry}" "${entry}.ts"; then
      echo "build: deno compile failed for ${entry} (${target}). If the error mentions downloading" >&2
      echo "       denort, this machine cannot reach Deno's download servers: set DENORT_BIN to a" >&2
      echo "       local denort binary for ${target} or build on a machine with internet access." >&2
      exit 1
    fi
  done
  mkdir -p "dist/${target}/native"
  cp native/build/*.so "dist/${target}/native/" 2>/dev/null || echo "build: no native libraries to ship for ${target} (run deno task native on that architecture)"
done
