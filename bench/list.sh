#!/usr/bin/env bash
# How /orders and the writes scale with the number of orders (see bench/README.md, "The list at
# 100, 10,000 and 100,000 orders").
#
#   bench/list.sh                      # sizes 100 10000 100000
#   LIST_SIZES="100 10000" bench/list.sh
#
# For each size: starts the release server (target/release/orderdesk, built by
# `cargo leptos build --release --precompress --split`) on a fresh SQLite file seeded through the store with that many
# orders (`ORDERDESK_DEMO_ORDERS`), then measures `/orders` (time to first byte, median of up to
# 20 requests, and HTML bytes), the list read server function (`orders/page`: the first page and
# one from the middle), medians of up to 20, and quantity and create writes per second at 64
# connections through the real write endpoint. A request that takes longer than 2 s is sampled 3
# times only. Prints one table, then each figure at the largest size against the smallest.
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
FIGURES=()
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
  echo "== $size orders: seeding them through the store"
  DATABASE_URL="sqlite://$WORK/list.db" ORDERDESK_ADDRESS="127.0.0.1:$PORT" ORDERDESK_DEMO_ORDERS="$size" RUST_LOG=error \
    "$SERVER" > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do curl -s -o /dev/null "$BASE/orders" && break; sleep 0.1; done
  echo "== $size orders: /orders and the list read"
  read -r page_ms page_status page_bytes < <(sample "$BASE/orders")
  # The paged read, at the top and from the middle of the list (the seed's order i, from 0, is
  # at position (i + 1) * 1024 with number 1000 + size - i).
  read -r page_top_ms _ page_top_bytes < <(sample -X POST -H 'sec-fetch-site: same-origin' \
    -H 'content-type: application/x-www-form-urlencoded' --data '' "$BASE/api/orders/page")
  half=$(( size / 2 ))
  middle="$(( (half + 1) * 1024 )).$(( 1000 + size - half ))"
  read -r page_mid_ms _ _ < <(sample -X POST -H 'sec-fetch-site: same-origin' \
    -H 'content-type: application/x-www-form-urlencoded' --data "after=$middle" "$BASE/api/orders/page")
  echo "== $size orders: writes at 64 connections"
  quantity=$(writes_per_sec quantity)
  create=$(writes_per_sec create)
  ROWS+=("$(printf '| %s | %s ms (%s) | %s | %s / %s ms (%s bytes) | %s | %s |' \
    "$size" "$page_ms" "$page_status" "$page_bytes" \
    "$page_top_ms" "$page_mid_ms" "$page_top_bytes" "${quantity:-failed}" "${create:-failed}")")
  FIGURES+=("$page_ms $page_bytes $page_top_ms $page_mid_ms ${quantity%% *} ${create%% *}")
  cleanup
  SERVER_PID=""
  WORK=""
done

echo
echo "| orders | /orders first byte (status) | /orders HTML bytes | list read (orders/page): top / middle | quantity writes/s, p99 ms | create writes/s, p99 ms |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
# Largest size against the smallest: times and bytes should stay within 1.5x, writes at or above 1/1.5.
read -r -a small <<< "${FIGURES[0]}"
read -r -a large <<< "${FIGURES[${#FIGURES[@]}-1]}"
names=("/orders first byte" "/orders HTML bytes" "page read, top" "page read, middle" "quantity writes/s" "create writes/s")
for i in "${!names[@]}"; do
  awk -v n="${names[$i]}" -v a="${small[$i]}" -v b="${large[$i]}" -v up="$(( i < 4 ))" 'BEGIN {
    if (a + 0 == 0 || b + 0 == 0) { printf "%-20s n/a\n", n; exit }
    r = b / a; ok = up ? (r <= 1.5) : (r >= 1 / 1.5)
    printf "%-20s %s -> %s: %.2fx %s\n", n, a, b, r, ok ? "within 1.5x" : "NOT within 1.5x" }'
done
