#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for Order Desk's tests and benchmarks, from Debian's packages.
#
#   scripts/postgres.sh run COMMAND [ARGS...]   start one, run COMMAND with ORDERDESK_TEST_POSTGRES
#                                               set, stop it, exit with COMMAND's status
#   scripts/postgres.sh serve                   start one, print its URL, wait for Ctrl-C
#   scripts/postgres.sh install                 only make sure PostgreSQL is installed
#
# ORDERDESK_TEST_POSTGRES is postgres://orderdesk@127.0.0.1:PORT/postgres: superuser orderdesk,
# no password (trust, over TCP from 127.0.0.1 only; no Unix socket), pg_trgm created in template1
# (so in every database created afterwards) and in postgres.
#
# Each cluster is new: its own folder from mktemp -d and a free port, so runs never share state
# and can run side by side. It is always stopped and its folder removed afterwards (on exit, on
# Ctrl-C, on TERM). initdb and postgres refuse to run as root, so as root the cluster runs as the
# user nobody. Tuned for speed, not safety: fsync, synchronous_commit and full_page_writes are off
# unless ORDERDESK_PG_DURABLE=1 (for benchmarks that should pay for durability). When PostgreSQL
# is missing, root (or a user with sudo) installs Debian's postgresql package.
set -euo pipefail

SUPERUSER=orderdesk

say() { printf '    %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# The newest server in /usr/lib/postgresql/*/bin (Debian's layout), else pg_config's.
find_bindir() {
  local dir best
  best=$(for dir in /usr/lib/postgresql/*/bin; do
           if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
         done | sort -V | tail -n 1)
  if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then best=$dir; fi
  fi
  printf '%s' "$best"
}

install_postgres() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 \
      || die "PostgreSQL is missing and installing it needs root: run 'apt-get install postgresql' as root."
    sudo=sudo
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is missing: install it ('apt-get install postgresql' on Debian)."
  say "installing PostgreSQL from Debian (apt-get install postgresql)"
  $sudo apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# Runs a command as the cluster's owner: ourselves, or nobody when we are root.
as_owner() {
  if [ -n "$OWNER" ]; then
    (cd / && setpriv --reuid="$OWNER" --regid="$OWNER_GROUP" --clear-groups -- "$@")
  else
    "$@"
  fi
}

make_data_dir() {
  local base
  for base in "${TMPDIR:-/tmp}" /tmp; do
    DATA=$(mktemp -d "$base/orderdesk-pg.XXXXXXXX" 2>/dev/null) || continue
    chmod 700 "$DATA"
    [ -n "$OWNER" ] || return 0
    chown "$OWNER:$OWNER_GROUP" "$DATA"
    if as_owner test -w "$DATA"; then return 0; fi
    rm -rf "$DATA"   # nobody can't reach $TMPDIR: try /tmp
  done
  DATA=""
  die "can't make a folder for the cluster with mktemp -d in \$TMPDIR or /tmp that ${OWNER:+user nobody }can write to"
}

free_port() {
  if command -v node >/dev/null 2>&1; then
    node -e 'const s = require("net").createServer();
             s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
  else
    echo $((20000 + RANDOM % 20000))
  fi
}

init_cluster() {
  local locale=C out
  # C.UTF-8 rather than C, so that lower() and pg_trgm's word splitting know non-ASCII letters.
  if locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8'; then locale=C.UTF-8; fi
  out=$(as_owner "$BIN/initdb" -D "$DATA" -U "$SUPERUSER" -A trust -E UTF8 --locale="$locale" -N 2>&1) \
    || { printf '%s\n' "$out" >&2; die "initdb failed (above)"; }

  local fast=off
  if [ "${ORDERDESK_PG_DURABLE:-}" = 1 ]; then fast=on; fi
  cat >> "$DATA/postgresql.conf" <<EOF

# scripts/postgres.sh: a throwaway cluster for tests and benchmarks
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 400
shared_buffers = 128MB
fsync = $fast
synchronous_commit = $fast
full_page_writes = $fast
EOF
  cat > "$DATA/pg_hba.conf" <<EOF
# scripts/postgres.sh: anyone on 127.0.0.1 may connect as any role, without a password
host all all 127.0.0.1/32 trust
EOF
}

start_cluster() {
  local attempt out
  for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    rm -f "$DATA/log"
    if out=$(as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/log" -o "-p $PORT" -w -t 30 -s start 2>&1); then
      return 0
    fi
    # Another process took the port between free_port and the bind: take another one.
    if [ "$attempt" -lt 5 ] && grep -qE 'could not bind|could not create any TCP/IP sockets' "$DATA/log" 2>/dev/null; then
      continue
    fi
    printf '%s\n' "$out" >&2
    if [ -f "$DATA/log" ]; then
      printf -- '--- last lines of the server log:\n' >&2
      tail -n 30 "$DATA/log" >&2
    fi
    die "PostgreSQL did not start"
  done
}

sql() {
  local db=$1; shift
  "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -d "postgres://$SUPERUSER@127.0.0.1:$PORT/$db" "$@"
}

start() {
  make_data_dir
  init_cluster
  start_cluster
  URL="postgres://$SUPERUSER@127.0.0.1:$PORT/postgres"
  local version db
  version=$(sql postgres -c 'show server_version') || die "PostgreSQL started but psql can't connect to $URL"
  for db in template1 postgres; do
    sql "$db" -c 'create extension if not exists pg_trgm' \
      || die "can't create the pg_trgm extension (Debian ships it with the server package, postgresql-NN)"
  done
  say "PostgreSQL ${version%% *} on 127.0.0.1:$PORT (throwaway, removed afterwards)"
}

# Stops the cluster and removes its folder, whatever happened before.
cleanup() {
  local status=$?
  trap '' INT TERM
  if [ -n "${SLEEPER:-}" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
  if [ -n "${DATA:-}" ] && [ -d "$DATA" ]; then
    if [ -f "$DATA/postmaster.pid" ] \
       && ! as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 -s stop >/dev/null 2>&1; then
      # pg_ctl made the postmaster a process group leader: take its backends along.
      local pid; pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)
      if [ -n "$pid" ]; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -rf "$DATA"
  fi
  exit "$status"
}

[ $# -ge 1 ] || usage
MODE=$1; shift
case "$MODE" in
  run) [ $# -ge 1 ] || usage ;;
  serve|install) [ $# -eq 0 ] || usage ;;
  *) usage ;;
esac

BIN=$(find_bindir)
if [ -z "$BIN" ]; then
  install_postgres
  BIN=$(find_bindir)
  [ -n "$BIN" ] || die "PostgreSQL's server programs (initdb, pg_ctl) are still missing after installing postgresql."
fi
if [ "$MODE" = install ]; then
  say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') in $BIN"
  exit 0
fi
PSQL=$BIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql) || die "psql is missing: run 'apt-get install postgresql-client'."

OWNER="" OWNER_GROUP=""
if [ "$(id -u)" = 0 ]; then
  OWNER=$(id -u nobody 2>/dev/null) || die "running as root, and there is no user nobody to run PostgreSQL as (initdb refuses root)"
  OWNER_GROUP=$(id -g nobody)
fi

DATA="" SLEEPER="" PORT="" URL=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start
case "$MODE" in
  run)
    export ORDERDESK_TEST_POSTGRES=$URL
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  serve)
    echo "export ORDERDESK_TEST_POSTGRES=$URL"
    say "server log: $DATA/log"
    say "Ctrl-C stops it and removes its folder"
    sleep infinity &
    SLEEPER=$!
    wait "$SLEEPER"
    ;;
esac
