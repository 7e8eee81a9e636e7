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

echo "== search.js (node's test runner, over real built indexes)"
HUBGEN="$PWD/target/debug/hubgen" node --test tests/js/

echo "== browser (headless Chromium: search, accessibility; and the Nu Html Checker)"
HUBGEN="$PWD/target/debug/hubgen" node --test tests/browser/

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
