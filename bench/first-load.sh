#!/usr/bin/env bash
# First load and static delivery for Order Desk (see bench/README.md).
#
#   bench/first-load.sh
#
# Needs a release build with content-hashed, precompressed files:
# `cargo leptos build --release --precompress --split` (./dev.sh serve makes one).
#   1. bench/first-load.mjs: per route, the bytes transferred until hydrated (cold cache), the
#      raw/gzip/brotli size of each built file, and time to interactive on /orders at 4x CPU
#      throttling over 20 loads;
#   2. benches/static_files.rs: requests/s for the stylesheet at 64 keep-alive connections.
# Exits non-zero when /orders misses its byte budget or a static request fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
node bench/first-load.mjs || status=$?
cargo bench --features ssr --bench static_files -- --file stylesheet --connections 64 --secs 10 || status=$?
exit $status
