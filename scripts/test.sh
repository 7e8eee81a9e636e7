#!/usr/bin/env bash
# Runs every test of hubgen: unit tests, integration tests on fixture sites,
# and the doc tests. Installs whatever the tests need first, so it works on a
# fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== formatting"
cargo fmt --check

echo "== tests"
cargo test --locked --all-targets
cargo test --locked --doc

echo "== search.js (node's test runner, over real built indexes)"
HUBGEN="$PWD/target/debug/hubgen" node --test tests/js/
