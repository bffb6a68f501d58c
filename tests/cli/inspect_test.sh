#!/bin/sh
# inspect_test.sh SPCC [PYTHON] - `spcc inspect` end to end: builds small
# models with onnx.helper (a MatMul with a 128x128 weight and a Conv with a
# 16x8x3x3 weight; a model with no weights), runs spcc inspect with no
# pruning, --prune 0.9 and --nm 2:4, and checks rows, densities, N:M,
# formats, multiply-adds, totals and alignment. Exit 77 (skipped) without a
# Python that has onnx.
set -u
SPCC=$1
PY=${2:-/usr/bin/python3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
pass=0

"$PY" -c 'import onnx, numpy' 2>/dev/null || { echo "skip: $PY has no onnx/numpy"; exit 77; }

"$PY" - "$W" <<'EOF' || { echo "FAIL: cannot build the test models"; exit 1; }
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

w = sys.argv[1]
rng = np.random.default_rng(7)
fc = numpy_helper.from_array(rng.standard_normal((128, 128)).astype(np.float32), "fc.weight")
cw = numpy_helper.from_array(rng.standard_normal((16, 8, 3, 3)).astype(np.float32), "conv.weight")
nodes = [helper.make_node("MatMul", ["x", "fc.weight"], ["y"], name="fc"),
         helper.make_node("Conv", ["img", "conv.weight"], ["z"], name="conv", pads=[1, 1, 1, 1])]
g = helper.make_graph(nodes, "mm_conv",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 128]),
                       helper.make_tensor_value_info("img", TensorProto.FLOAT, [1, 8, 10, 10])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 128]),
                       helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 16, 10, 10])],
                      [fc, cw])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.checker.check_model(m)
onnx.save(m, w + "/mm_conv.onnx")

g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "noweights",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, w + "/noweights.onnx")
EOF

ok() { pass=$((pass + 1)); }
bad() {
  echo "FAIL $1"
  sed 's/^/    /' "$W/out" | head -20
  fails=$((fails + 1))
}

# inspect NAME ARGS...: runs spcc inspect into $W/out; exit 0 and a quiet
# stderr (notes aside) are required.
inspect() {
  name=$1
  shift
  "$SPCC" inspect "$@" >"$W/out" 2>"$W/err"
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL $name: exit status $status"
    sed 's/^/    /' "$W/err" | head -5
    fails=$((fails + 1))
    return 1
  fi
  if grep -v ': note: ' "$W/err" | grep -q .; then
    echo "FAIL $name: unexpected stderr"
    sed 's/^/    /' "$W/err" | head -5
    fails=$((fails + 1))
    return 1
  fi
  return 0
}

# field ROW N: field N of the row whose first word is ROW. Row fields:
# 1 weight, 2 node, 3 op, 4 shape, 5 density, 6 nnz, 7 N:M, 8 block, 9 fill,
# 10 format, 11 MACs dense, 12 MACs sparse, 13 ratio, 14 bytes dense,
# 15 bytes packed, 16 ratio. The totals row ("total N weights ...") has no
# op/shape/N:M/block/fill/format: 4 density, 5 nnz, 6 MACs dense,
# 7 MACs sparse, 8 ratio, 9 bytes dense, 10 bytes packed, 11 ratio.
field() { awk -v r="$1" -v n="$2" '$1 == r { print $n; exit }' "$W/out"; }
# in_range X LO HI
in_range() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x + 0 >= lo && x + 0 <= hi) }'; }
# Every line from the column titles to the totals row has the same width:
# the columns are aligned and the last one is right-aligned.
aligned() {
  awk '/^weight / { on = 1 } on && NF { if (w == "") w = length($0); else if (length($0) != w) bad = 1 }
       /^total / { on = 0 } END { exit bad || w == "" }' "$W/out"
}

M=$W/mm_conv.onnx

# ---- no flags: zeros already present (none here) -> everything dense -------
if inspect none "$M"; then
  if head -1 "$W/out" | grep -q "mm_conv.onnx" &&
     [ "$(field fc.weight 3)" = MatMul ] && [ "$(field fc.weight 2)" = fc ] &&
     [ "$(field fc.weight 4)" = "[128,128]" ] && [ "$(field conv.weight 4)" = "[16,8,3,3]" ] &&
     [ "$(field conv.weight 3)" = Conv ] &&
     [ "$(field fc.weight 5)" = 1.0000 ] && [ "$(field fc.weight 10)" = dense ] &&
     [ "$(field conv.weight 10)" = dense ] && [ "$(field fc.weight 7)" = - ] &&
     [ "$(field fc.weight 6)" = 16.4K ] && [ "$(field conv.weight 6)" = 1.2K ] &&
     [ "$(field fc.weight 11)" = 65.5K ] && [ "$(field conv.weight 11)" = 115.2K ] &&
     [ "$(field fc.weight 12)" = 65.5K ] && [ "$(field fc.weight 13)" = 1.000 ] &&
     [ "$(field fc.weight 14)" = 64.0KiB ] && [ "$(field fc.weight 15)" = 64.0KiB ] &&
     [ "$(field total 4)" = 1.0000 ] && [ "$(field total 8)" = 1.000 ] &&
     [ "$(field total 11)" = 1.000 ] && aligned &&
     [ "$(grep -c -E '^(fc|conv)\.weight ' "$W/out")" -eq 2 ] &&
     awk '/^fc.weight /{a=NR} /^conv.weight /{b=NR} END{exit !(a && b && a < b)}' "$W/out"; then
    ok
  else
    bad "none: rows"
  fi
fi

# ---- --prune 0.9: the MatMul weight (16384 elements) is pruned, the Conv ----
# ---- weight (1152 < 4096) is not --------------------------------------------
if inspect prune "$M" --prune 0.9; then
  if head -1 "$W/out" | grep -q -- "--prune 0.9" &&
     in_range "$(field fc.weight 5)" 0.0999 0.1001 && [ "$(field fc.weight 6)" = 1.6K ] &&
     field fc.weight 10 | grep -q '^csr<idx=u[0-9]*>$' &&
     [ "$(field conv.weight 5)" = 1.0000 ] && [ "$(field conv.weight 10)" = dense ] &&
     in_range "$(field fc.weight 13)" 0.099 0.101 &&
     in_range "$(field fc.weight 16)" 0.05 0.20 &&
     in_range "$(field total 4)" 0.15 0.17 && [ "$(field total 2)" = 2 ] &&
     [ "$(field total 6)" = 180.7K ] && aligned; then
    ok
  else
    bad "prune: rows"
  fi
fi

# ---- --prune 0.9 --prune-min-elems 0: both weights at 10% ------------------
if inspect prune-all "$M" --prune 0.9 --prune-min-elems 0; then
  if in_range "$(field fc.weight 5)" 0.0999 0.1001 &&
     in_range "$(field conv.weight 5)" 0.099 0.101 &&
     [ "$(field fc.weight 10)" != dense ] && [ "$(field conv.weight 10)" != dense ] &&
     in_range "$(field total 4)" 0.099 0.101 && in_range "$(field total 8)" 0.05 0.2 &&
     in_range "$(field total 11)" 0.05 0.25 && aligned; then
    ok
  else
    bad "prune-all: rows"
  fi
fi

# ---- --nm 2:4 (both weights): density 0.5, 2:4 compliant, nm format --------
if inspect nm "$M" --nm 2:4 --format nm --prune-min-elems 0; then
  if head -1 "$W/out" | grep -q -- "--nm 2:4" &&
     [ "$(field fc.weight 5)" = 0.5000 ] && [ "$(field conv.weight 5)" = 0.5000 ] &&
     [ "$(field fc.weight 7)" = 2:4 ] && [ "$(field conv.weight 7)" = 2:4 ] &&
     [ "$(field fc.weight 10)" = "nm<2:4>" ] && [ "$(field conv.weight 10)" = "nm<2:4>" ] &&
     [ "$(field fc.weight 6)" = 8.2K ] && [ "$(field conv.weight 6)" = 576 ] &&
     [ "$(field fc.weight 12)" = 32.8K ] && [ "$(field conv.weight 12)" = 57.6K ] &&
     [ "$(field total 4)" = 0.5000 ] && [ "$(field total 5)" = 8.8K ] &&
     [ "$(field total 6)" = 180.7K ] && [ "$(field total 7)" = 90.4K ] &&
     [ "$(field total 8)" = 0.500 ] && in_range "$(field total 11)" 0.5 0.6 && aligned; then
    ok
  else
    bad "nm: rows"
  fi
fi

# ---- a model without weights: an empty table and a note ---------------------
if inspect noweights "$W/noweights.onnx"; then
  if grep -q '^weight ' "$W/out" && grep -q 'no f32 constant MatMul, Gemm or Conv weights' "$W/out" &&
     ! grep -q '^total ' "$W/out"; then
    ok
  else
    bad "noweights: table"
  fi
fi

# ---- bad input: one diagnostic line, exit 1, nothing on stdout --------------
expect_error() {
  name=$1 pattern=$2
  shift 2
  "$SPCC" inspect "$@" >"$W/out" 2>"$W/err"
  status=$?
  if [ "$status" -ne 1 ] || [ "$(wc -l <"$W/err")" -ne 1 ] || ! grep -q -- "$pattern" "$W/err" ||
     [ -s "$W/out" ]; then
    echo "FAIL $name: status $status"
    sed 's/^/    /' "$W/err" | head -5
    fails=$((fails + 1))
  else
    ok
  fi
}
expect_error bad-nm "--nm" "$M" --nm 4:2
expect_error bad-prune "--prune" "$M" --prune 1.5
expect_error with-o "-o is not used" "$M" -o "$W/x.c"
expect_error missing "missing.onnx: error:" "$W/missing.onnx"
expect_error no-model "no input model"

if "$SPCC" inspect --help | grep -q 'usage: spcc inspect'; then ok; else
  echo "FAIL help"; fails=$((fails + 1)); fi

echo "inspect: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
