#!/usr/bin/env bash
# Order Desk developer commands. Every command first installs what is missing (idempotent:
# tools already present are skipped in seconds), then does its job.
#
#   ./dev.sh serve     install, build (release) and serve on the address in Leptos.toml
#   ./dev.sh test      install, then run cargo tests (on SQLite, then PostgreSQL) and Playwright
#   ./dev.sh setup     install only
#   ./dev.sh bench     install, then run the benchmarks (see bench/README.md)
#   ./dev.sh postgres  start a throwaway PostgreSQL, print its URL; Ctrl-C stops and removes it
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD

CARGO_LEPTOS_VERSION=0.3.11
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
skip() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command with ORDERDESK_TEST_POSTGRES set to a fresh throwaway PostgreSQL cluster
# (scripts/postgres.sh), which is stopped and removed afterwards; returns the command's status.
with_postgres() { scripts/postgres.sh run "$@"; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed. $2"; }

toolchain_channel() { sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml; }
locked_version() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock; }

install_toolchain() {
  local channel; channel=$(toolchain_channel)
  step "Rust toolchain $channel with wasm32-unknown-unknown"
  if rustup toolchain list | grep -q "^$channel"; then
    skip "toolchain $channel already installed"
  else
    rustup toolchain install "$channel" --profile minimal --component clippy,rustfmt
  fi
  if rustup +"$channel" target list --installed | grep -qx wasm32-unknown-unknown; then
    skip "target wasm32-unknown-unknown already installed"
  else
    rustup +"$channel" target add wasm32-unknown-unknown
  fi
}

install_cargo_leptos() {
  step "cargo-leptos $CARGO_LEPTOS_VERSION"
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    skip "cargo-leptos $CARGO_LEPTOS_VERSION already installed"
  else
    skip "building cargo-leptos from crates.io (about 20 minutes on 2 cores)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --force
  fi
}

install_wasm_bindgen() {
  local version; version=$(locked_version wasm-bindgen)
  [ -n "$version" ] || die "can't find wasm-bindgen in Cargo.lock"
  step "wasm-bindgen-cli $version (the version in Cargo.lock)"
  if wasm-bindgen --version 2>/dev/null | grep -q " $version\$"; then
    skip "wasm-bindgen $version already installed"
  else
    # No --locked: its lock file names a dependency version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$version" --force
  fi
}

install_npm_packages() {
  step "npm packages (binaryen's wasm-opt, Playwright) from package-lock.json"
  need npm "Install Node.js and npm first."
  local stamp=node_modules/.package-lock.sha
  local want; want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    skip "node_modules matches package-lock.json"
  else
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
  fi
  wasm-opt --version | sed 's/^/    /'
}

install_chromium() {
  step "Chromium from Debian (for Playwright)"
  if [ -x /usr/bin/chromium ]; then
    skip "$(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
    return
  fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "chromium is missing and installing it needs root: run 'apt-get install chromium' as root."
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
}

install_postgres() {
  step "PostgreSQL from Debian (the test suite runs a second time on a throwaway cluster)"
  scripts/postgres.sh install
}

setup() {
  need rustup "Install rustup from your package manager or rust-lang.org."
  need cargo "Install Rust with rustup."
  install_toolchain
  install_cargo_leptos
  install_wasm_bindgen
  install_npm_packages
  install_chromium
}

build_release() {
  step "Building the server and the WASM client (release, split per page, content-hashed names, brotli and gzip copies)"
  cargo leptos build --release --precompress --split
}

case "${1:-}" in
  setup)
    setup
    ;;
  serve)
    setup
    build_release
    step "Serving Order Desk (settings: Leptos.toml; Ctrl-C stops)"
    exec target/release/orderdesk
    ;;
  test)
    setup
    install_postgres
    step "cargo test (unit and integration tests, on SQLite)"
    cargo test --features ssr
    step "cargo test again, on a throwaway PostgreSQL (scripts/postgres.sh)"
    with_postgres cargo test --features ssr
    build_release
    step "Playwright end-to-end suite (headless Chromium)"
    (cd end2end && npx playwright test)
    ;;
  bench)
    setup
    shift
    exec bench/run.sh "$@"
    ;;
  postgres)
    exec scripts/postgres.sh serve
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
