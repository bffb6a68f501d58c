#!/bin/sh
# run_demo.sh BUILD_DIR - the `make demo` example, end to end: build the MLP
# model with numpy weights, compile it with BUILD_DIR/spcc into mlp.c/mlp.h,
# build main.c against the runtime with strict warnings, and run it. All
# outputs go to BUILD_DIR/examples/mlp; the source tree is left untouched.
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")" && pwd)
out=$build/examples/mlp
spcc=$build/spcc
mkdir -p "$out"

/usr/bin/python3 "$src/make_model.py" "$out"
"$spcc" "$out/model.onnx" -o "$out/mlp.c" --name mlp
echo "spcc: $out/mlp.c + mlp.h; $(sed -n 's/^ \* Arena: \(.*\)\. \*\//arena \1/p' "$out/mlp.c")"
# shellcheck disable=SC2046  # the runtime flags are meant to split into words
cc -std=c99 -Wall -Wextra -pedantic -O2 -I"$out" "$src/main.c" "$out/mlp.c" \
  $("$spcc" --print-runtime) -o "$out/mlp_demo"
"$out/mlp_demo" "$out/input.txt" "$out/expected.txt"
