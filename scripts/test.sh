#!/usr/bin/env bash
# Runs every test of hubgen: unit tests, integration tests on fixture sites,
# and the doc tests. Installs whatever the tests need first, so it works on a
# fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== test dependencies"
# Debian's Chromium for the browser tests (never a downloaded browser), and
# playwright-core from the lockfile.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 2
  fi
fi
# Java for the Nu Html Checker (the vnu-jar npm package brings the checker itself).
if ! command -v java >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "the HTML tests need Java: sudo apt-get install default-jre-headless" >&2
    exit 2
  fi
fi
# Node 20 or later: the browser and search.js tests use node's test runner.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "the tests need Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 2
fi
npm ci --no-audit --no-fund --loglevel=error
# The S3-compatible server the deploy tests run on 127.0.0.1: moto from PyPI,
# every package pinned, in a virtual environment of its own under target/.
if ! target/s3-server/bin/python -c 'import moto.server' 2>/dev/null \
  || ! cmp -s tests/s3/requirements.txt target/s3-server/requirements.txt; then
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
      echo "the deploy tests need Python's venv: sudo apt-get install python3-venv" >&2
      exit 2
    fi
  fi
  python3 -m venv target/s3-server
  target/s3-server/bin/pip install --quiet --disable-pip-version-check -r tests/s3/requirements.txt
  cp tests/s3/requirements.txt target/s3-server/requirements.txt
fi

echo "== formatting and lints"
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings

echo "== tests"
cargo test --locked --all-targets
cargo test --locked --doc

# The binary the node and browser tests run, as cargo reports it (so a
# CARGO_TARGET_DIR elsewhere cannot leave them testing a stale one).
HUBGEN="$(cargo build --locked --bin hubgen --message-format=json-render-diagnostics |
  node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    for (const line of s.split("\n").filter(Boolean)) {
      const m = JSON.parse(line);
      if (m.reason === "compiler-artifact" && m.target.name === "hubgen" && m.executable) console.log(m.executable);
    }
  })')"
if [ ! -x "$HUBGEN" ]; then
  echo "cargo did not report the hubgen binary" >&2
  exit 1
fi
export HUBGEN

# Test files are named, not their folder: node's test runner reads a folder
# argument differently from Node 21 on.
echo "== search.js (node's test runner, over real built indexes)"
node --test tests/js/*.test.mjs

echo "== browser (headless Chromium: search, accessibility; and the Nu Html Checker)"
node --test tests/browser/*.test.mjs

echo "== the static Linux binary (x86_64 musl), as release.yml builds it"
rustup target add x86_64-unknown-linux-musl >/dev/null
if ! command -v musl-gcc >/dev/null || ! command -v file >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools file >/dev/null
  else
    echo "the static build needs musl: sudo apt-get install musl-tools file" >&2
    exit 2
  fi
fi
cargo build --release --locked --target x86_64-unknown-linux-musl
file target/x86_64-unknown-linux-musl/release/hubgen | grep -E 'statically linked|static-pie linked'
target/x86_64-unknown-linux-musl/release/hubgen --version
