#!/usr/bin/env bash
# Write-path load benchmark for Order Desk (see bench/README.md).
#
#   bench/run.sh [--kind quantity|create] [--connections 64] [--writes 20000] [--external URL] [--max-secs 300]
#
# Builds benches/writes.rs with the bench (release) profile and runs it: an in-process server
# on a fresh temporary SQLite file (or the server at --external URL), C keep-alive
# connections, N versioned idempotent quantity writes (or, with --kind create, N new drafts). Exits non-zero on any failed request
# or a final state that differs from the acknowledged writes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo bench --features ssr --bench writes -- "$@"
