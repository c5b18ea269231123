#!/usr/bin/env bash
# How /orders and the writes scale with the number of orders (see bench/README.md, "The list at
# 100, 10,000 and 100,000 orders").
#
#   bench/list.sh                      # sizes 100 10000 100000
#   LIST_SIZES="100 10000" bench/list.sh
#
# For each size: starts the release server (target/release/orderdesk, built by
# `cargo leptos build --release`) on a fresh SQLite file, creates the orders through the real
# write endpoint (the write bench with --kind create, 64 connections), then measures `/orders`
# (time to first byte, median of up to 20 requests, and HTML bytes), the list read server
# function (every order) and the paged read (`orders/page`, the first page and one from the
# middle), medians of up to 20, and quantity and create writes per second at 64 connections.
# A request that takes longer than 2 s is sampled 3 times only, and the server's own request
# timeout (408) is reported as it comes. Prints one table at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SIZES="${LIST_SIZES:-100 10000 100000}"
PORT="${LIST_PORT:-3197}"
SERVER=target/release/orderdesk
[[ -x $SERVER ]] || { echo "bench/list.sh: $SERVER is missing; run 'cargo leptos build --release' first" >&2; exit 2; }
BENCH=$(cargo bench --features ssr --bench writes --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -1)
[[ -x $BENCH ]] || { echo "bench/list.sh: can't build the write bench" >&2; exit 2; }

BASE="http://127.0.0.1:$PORT"
ROWS=()
SERVER_PID=""
WORK=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)] }'; }

# Times `curl "$@"` up to 20 times (3 when one takes over 2 s); prints "median_ms status bytes".
sample() {
  local times=() status bytes n=20 i=0
  while (( i < n )); do
    read -r t status bytes < <(curl -s -o /dev/null -H 'accept-encoding: identity' -w '%{time_starttransfer} %{http_code} %{size_download}\n' --max-time 120 "$@" || echo "120 000 0")
    times+=("$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')")
    (( i == 0 )) && awk -v t="$t" 'BEGIN { exit !(t > 2) }' && n=3
    i=$((i + 1))
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $status $bytes"
}

# Quantity or create writes at 64 connections: "writes/s, p99 ms", and what failed if anything did.
writes_per_sec() { # kind
  local out
  out=$("$BENCH" --bench --external "$BASE" --kind "$1" --writes 20000 2>&1) || true
  printf '%s\n' "$out" >> "$WORK/writes.log"
  printf '%s\n' "$out" | sed -n 's/^throughput: \([0-9]*\) writes\/s.*/\1/p; s/^latency ms: .* p99 \([0-9.]*\) .*/p99 \1/p' | paste -sd' '
  printf '%s\n' "$out" | grep -E '^(errors: [1-9]|final state: FAIL)' | paste -sd' ' || true
}

for size in $SIZES; do
  WORK=$(mktemp -d)
  DATABASE_URL="sqlite://$WORK/list.db" ORDERDESK_ADDRESS="127.0.0.1:$PORT" ORDERDESK_SEED=false RUST_LOG=error \
    "$SERVER" > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$BASE/orders" && break; sleep 0.1; done
  echo "== $size orders: creating them through the write endpoint"
  # The write bench makes one setup draft per connection, then the rest.
  "$BENCH" --bench --external "$BASE" --kind create --connections 64 --writes $(( size > 64 ? size - 64 : 1 )) > "$WORK/seed.log" 2>&1 \
    || { echo "seeding failed:"; tail -5 "$WORK/seed.log"; }
  echo "== $size orders: /orders and the list read"
  read -r page_ms page_status page_bytes < <(sample "$BASE/orders")
  read -r list_ms list_status list_bytes < <(sample -X POST -H 'sec-fetch-site: same-origin' \
    -H 'content-type: application/x-www-form-urlencoded' --data '' "$BASE/api/orders/list")
  # The paged read, at the top and from the middle of the list.
  read -r page_top_ms _ page_top_bytes < <(sample -X POST -H 'sec-fetch-site: same-origin' \
    -H 'content-type: application/x-www-form-urlencoded' --data '' "$BASE/api/orders/page")
  middle=$(curl -s -X POST -H 'sec-fetch-site: same-origin' -H 'content-type: application/x-www-form-urlencoded' --data '' "$BASE/api/orders/list" \
    | node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => { const l = JSON.parse(s), o = l[l.length >> 1]; console.log(`${o.position}.${o.number}`); })')
  read -r page_mid_ms _ _ < <(sample -X POST -H 'sec-fetch-site: same-origin' \
    -H 'content-type: application/x-www-form-urlencoded' --data "after=$middle" "$BASE/api/orders/page")
  echo "== $size orders: writes at 64 connections"
  quantity=$(writes_per_sec quantity)
  create=$(writes_per_sec create)
  ROWS+=("$(printf '| %s | %s ms (%s) | %s | %s ms (%s, %s bytes) | %s / %s ms (%s bytes) | %s | %s |' \
    "$size" "$page_ms" "$page_status" "$page_bytes" "$list_ms" "$list_status" "$list_bytes" \
    "$page_top_ms" "$page_mid_ms" "$page_top_bytes" "${quantity:-failed}" "${create:-failed}")")
  cleanup
  SERVER_PID=""
  WORK=""
done

echo
echo "| orders | /orders first byte (status) | /orders HTML bytes | list read (all orders) | page read: top / middle | quantity writes/s, p99 ms | create writes/s, p99 ms |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
