#!/bin/sh
# Records what the integration suite's real clients send to Mimir (see
# mimir_relay.py), then turns the recordings into seed inputs of the fuzz
# targets (seeds_from_capture.py). Usage, from the repository root:
#
#   tests/fuzz/seeds/capture.sh BUILD_DIR OUT_DIR
#
# BUILD_DIR holds a built mimir and test clients (make BUILD=... BIN=.../mimir
# .../mimir test-clients); OUT_DIR receives the raw recordings (raw/) and the
# seeds (seeds/<target>/). The suite's own result does not matter here.
set -eu
build=$(cd "$1" && pwd)
out=$2
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)
MIMIR_REAL_BIN="$build/mimir" MIMIR_CAPTURE_DIR="$out/raw" \
MIMIR_BIN="$(pwd)/tests/fuzz/seeds/mimir_relay.py" MIMIR_CLIENTS="$build/clients" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration || true
/usr/bin/python3 tests/fuzz/seeds/seeds_from_capture.py "$out/raw" "$out/seeds"
