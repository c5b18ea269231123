#!/usr/bin/env bash
# Writes through one and through two server instances on one database (see bench/README.md,
# "Several instances").
#
#   bench/instances.sh [--kind quantity|create] [--connections 64] [--writes 20000]
#   ORDERDESK_PG_DURABLE=1 scripts/postgres.sh run bench/instances.sh [--kind …]   (on PostgreSQL)
#
# Starts the release server (target/release/orderdesk, built by
# `cargo leptos build --release --precompress --split`) once alone and once as two processes on
# one fresh database, and runs the write bench (benches/writes.rs) against it: the same
# connections, spread over the instances in turn, and the same checks (zero errors, every
# instance reads the final state the acknowledged writes made). Extra arguments go to the bench.
# The database is a SQLite file, or, when ORDERDESK_TEST_POSTGRES names a PostgreSQL server
# (scripts/postgres.sh sets it), a fresh database there for each round.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${INSTANCES_PORT:-3187}"
SERVER=target/release/orderdesk
[[ -x $SERVER ]] || { echo "bench/instances.sh: $SERVER is missing; run 'cargo leptos build --release' first" >&2; exit 2; }
BENCH=$(cargo bench --features ssr --bench writes --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -1)
[[ -x $BENCH ]] || { echo "bench/instances.sh: can't build the write bench" >&2; exit 2; }

PIDS=()
WORK=""
stop_servers() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  stop_servers
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# start_instances N: N servers on one fresh database, on ports PORT, PORT+1, …; their URLs in URLS.
URLS=""
ENGINE="one SQLite file"
if [[ -n ${ORDERDESK_TEST_POSTGRES:-} ]]; then ENGINE="one PostgreSQL database"; fi
# fresh_database N: the DATABASE_URL of round N's new database.
fresh_database() {
  if [[ -z ${ORDERDESK_TEST_POSTGRES:-} ]]; then
    echo "sqlite://$WORK/orderdesk.db"
    return
  fi
  psql -q "$ORDERDESK_TEST_POSTGRES" -c "CREATE DATABASE bench_$1" >&2
  echo "${ORDERDESK_TEST_POSTGRES%/*}/bench_$1"
}
start_instances() {
  local n=$1 urls=() i port database
  WORK=$(mktemp -d)
  database=$(fresh_database "$n")
  for ((i = 0; i < n; i++)); do
    port=$((PORT + i))
    ORDERDESK_ADDRESS="127.0.0.1:$port" DATABASE_URL="$database" ORDERDESK_SEED=false \
      ORDERDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn "$SERVER" >>"$WORK/server.log" 2>&1 &
    PIDS+=($!)
    urls+=("http://127.0.0.1:$port")
  done
  for url in "${urls[@]}"; do
    for _ in $(seq 1 100); do
      curl -fsS -o /dev/null "$url/sign-in" 2>/dev/null && break
      sleep 0.1
    done
  done
  URLS=$(IFS=,; echo "${urls[*]}")
}

status=0
for n in 1 2; do
  echo
  echo "== $n instance(s) on $ENGINE"
  start_instances "$n"
  "$BENCH" --external "$URLS" "$@" || status=1
  stop_servers
  rm -rf "$WORK"
  WORK=""
done
exit $status
