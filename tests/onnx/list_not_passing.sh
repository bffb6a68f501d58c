#!/bin/sh
# list_not_passing.sh SPCC - rewrites tests/onnx/not_passing.txt: every test
# of the four folders that spcc does not pass, with the reason it gives.
set -eu
SPCC=$1
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for f in node simple pytorch-converted pytorch-operator; do
  /usr/bin/python3 "$HERE/run_conformance.py" --folder "$f" --spcc "$SPCC" \
    --list-results "$TMP/$f.txt" >/dev/null || true
done
{
  echo "# ONNX backend tests spcc does not pass, with the reason spcc gives."
  echo "# Regenerate: tests/onnx/list_not_passing.sh BUILD/spcc"
  cat "$TMP"/node.txt "$TMP"/simple.txt "$TMP"/pytorch-converted.txt \
    "$TMP"/pytorch-operator.txt | awk '$2 != "pass"'
} >"$HERE/not_passing.txt"
