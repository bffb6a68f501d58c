#!/bin/sh
# run_cli_tests.sh SPCC - the command-line contract: bad input of every kind
# gets exactly one diagnostic line naming the file, exit status 1, no crash
# and no output file left behind; good input writes both files.
set -u
SPCC=$1
DATA=/usr/share/libonnx-testdata/data
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
pass=0

# expect_error NAME PATTERN -- ARGS...: exit 1, one line on stderr matching
# PATTERN, nothing on stdout, no files in $W/out.
expect_error() {
  name=$1 pattern=$2
  shift 3
  rm -rf "$W/out" && mkdir -p "$W/out"
  "$SPCC" "$@" >"$W/stdout" 2>"$W/stderr"
  status=$?
  lines=$(wc -l <"$W/stderr")
  left=$(ls -A "$W/out")
  if [ "$status" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$W/stderr" ||
     [ -s "$W/stdout" ] || [ -n "$left" ]; then
    echo "FAIL $name: status $status, $lines stderr lines, left '$left'"
    sed 's/^/    /' "$W/stderr" | head -5
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

MODEL=$DATA/node/test_relu/model.onnx
head -c 40 "$MODEL" >"$W/truncated.onnx"
printf '\377\377\377\377garbage that is not protobuf\n' >"$W/corrupt.onnx"
: >"$W/empty.onnx"
# A graph returning a sequence: SplitToSequence alone.
/usr/bin/python3 - "$W/seq_out.onnx" <<'PY'
import sys
from onnx import TensorProto as T, helper as h, save
g = h.make_graph([h.make_node('SplitToSequence', ['x'], ['seq_1'])], 'g',
                 [h.make_tensor_value_info('x', T.FLOAT, [2, 3])],
                 [h.make_tensor_sequence_value_info('seq_1', T.FLOAT, None)])
save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), sys.argv[1])
PY

expect_error missing-file "missing.onnx: error: cannot open" -- "$W/missing.onnx" -o "$W/out/m.c"
expect_error truncated "truncated.onnx: error:" -- "$W/truncated.onnx" -o "$W/out/m.c"
expect_error corrupt "corrupt.onnx: error:" -- "$W/corrupt.onnx" -o "$W/out/m.c"
expect_error empty "empty.onnx: error:" -- "$W/empty.onnx" -o "$W/out/m.c"
expect_error unsupported-op "node 0 .*(NonMaxSuppression): error: unsupported operator 'NonMaxSuppression'" -- \
  "$DATA/node/test_nonmaxsuppression_suppress_by_IOU/model.onnx" -o "$W/out/m.c"
expect_error no-output-option "error: -o FILE is required" -- "$MODEL"
expect_error unknown-option "unknown option '--frobnicate'" -- "$MODEL" --frobnicate -o "$W/out/m.c"
expect_error bad-emit "--emit: unknown kind 'asm'" -- "$MODEL" --emit asm -o "$W/out/m.c"
expect_error bad-name "--name: '9lives' is not a valid C identifier" -- "$MODEL" --name 9lives -o "$W/out/m.c"
expect_error bad-shape "--shape .*non-negative integers" -- "$MODEL" --shape x=1,-3 -o "$W/out/m.c"
expect_error shape-no-input "no graph input named 'nope'" -- "$MODEL" --shape nope=1,2 -o "$W/out/m.c"
expect_error shape-mismatch "error:" -- "$DATA/node/test_add/model.onnx" --shape x=3,4,6 -o "$W/out/m.c"
expect_error bind-missing-file "error: cannot open" -- "$MODEL" --bind "x=$W/nope.pb" -o "$W/out/m.c"
expect_error bad-print-after "unknown pass 'nonsense'" -- "$MODEL" --print-after nonsense -o "$W/out/m.c"
expect_error unwritable-output "error: cannot create output file" -- "$MODEL" -o "$W/no/such/dir/m.c"
expect_error run-no-out-dir "--out-dir DIR is required" -- run "$MODEL" -i "$DATA/node/test_relu/test_data_set_0/input_0.pb"
expect_error run-input-count "1 runtime input but 0 -i files were given" -- run "$MODEL" --out-dir "$W/out/r"
expect_error run-input-type "expects f32, the file holds" -- run "$MODEL" \
  -i "$DATA/node/test_add_uint8/test_data_set_0/input_0.pb" --out-dir "$W/out/r"
expect_error run-corrupt-input "corrupt.onnx: error:" -- run "$MODEL" -i "$W/corrupt.onnx" --out-dir "$W/out/r"

# Sparsity options: bad values and combinations. LINEAR's Gemm weight is '1'.
LINEAR=$DATA/pytorch-converted/test_Linear/model.onnx
expect_error nm-n-not-below-m "--nm: '4:2' is not N:M" -- "$LINEAR" --nm 4:2 -o "$W/out/m.c"
expect_error nm-m-too-big "--nm: '2:17' is not N:M" -- "$LINEAR" --nm 2:17 -o "$W/out/m.c"
expect_error prune-above-one "--prune: '1.5' is not a fraction" -- "$LINEAR" --prune 1.5 -o "$W/out/m.c"
expect_error prune-global-bad "--prune-global: 'x' is not a fraction" -- \
  "$LINEAR" --prune-global x -o "$W/out/m.c"
expect_error block-zero "--block: '3x0' is not RxC" -- "$LINEAR" --prune 0.5 --block 3x0 -o "$W/out/m.c"
expect_error block-no-fraction "--block needs a pruning fraction" -- "$LINEAR" --block 4x1 -o "$W/out/m.c"
expect_error nm-with-prune "--nm cannot be combined" -- "$LINEAR" --nm 2:4 --prune 0.5 -o "$W/out/m.c"
expect_error bad-format "--format: unknown format 'coo'" -- "$LINEAR" --format coo -o "$W/out/m.c"
printf '# weight fraction\n1 0.5\nno_such_weight 0.5\n' >"$W/recipe.txt"
expect_error recipe-unknown-weight "no_such_weight" -- \
  "$LINEAR" --prune-recipe "$W/recipe.txt" -o "$W/out/m.c"
expect_error recipe-missing-file "error: cannot open" -- \
  "$LINEAR" --prune-recipe "$W/no-recipe.txt" -o "$W/out/m.c"
expect_error run-nm-bad "--nm: '4:2' is not N:M" -- run "$LINEAR" --nm 4:2 \
  -i "$DATA/pytorch-converted/test_Linear/test_data_set_0/input_0.pb" --out-dir "$W/out/r"
# Control flow and sequences that need values only the inputs know.
expect_error loop-runtime-trip "(Loop): error: unsupported: the trip count M ('trip_count') must be a compile-time constant" -- \
  "$DATA/node/test_loop11/model.onnx" -o "$W/out/m.c"
expect_error if-sequence-runtime "(If): error: unsupported: output 0 is a sequence; the condition must be a compile-time constant" -- \
  "$DATA/node/test_if_seq/model.onnx" -o "$W/out/m.c"
expect_error sequence-input "graph input 'sequence': unsupported input type (sequence)" -- \
  "$DATA/node/test_sequence_insert_at_back/model.onnx" -o "$W/out/m.c"
expect_error sequence-output "graph output 'seq_1' is a sequence: unsupported" -- \
  "$W/seq_out.onnx" -o "$W/out/m.c"

# External data: a model whose weights live in ext.bin beside it.
mkdir -p "$W/ext/other"
/usr/bin/python3 - "$W/ext" <<'PY'
import os, sys
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh
d = sys.argv[1]
rng = np.random.default_rng(0)
w = rng.standard_normal((8, 4)).astype(np.float32)
g = h.make_graph([h.make_node('MatMul', ['x', 'w'], ['y'])], 'g',
                 [h.make_tensor_value_info('x', T.FLOAT, [1, 8])],
                 [h.make_tensor_value_info('y', T.FLOAT, [1, 4])], [nh.from_array(w, 'w')])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 13)])
onnx.save_model(m, os.path.join(d, 'ext.onnx'), save_as_external_data=True,
                location='ext.bin', size_threshold=0)
x = rng.standard_normal((1, 8)).astype(np.float32)
open(os.path.join(d, 'x.pb'), 'wb').write(nh.from_array(x, 'x').SerializeToString())
np.save(os.path.join(d, 'want.npy'), x @ w)
m = onnx.load(os.path.join(d, 'ext.onnx'), load_external_data=False)
m.graph.initializer[0].external_data[0].value = '../escape.bin'
onnx.save(m, os.path.join(d, 'evil.onnx'))
m.graph.initializer[0].external_data[0].value = 'missing.bin'
onnx.save(m, os.path.join(d, 'missing.onnx'))
PY
expect_error external-escape "external data location '../escape.bin' leaves the model's directory" -- \
  "$W/ext/evil.onnx" -o "$W/out/m.c"
expect_error external-missing "cannot open external data" -- "$W/ext/missing.onnx" -o "$W/out/m.c"
expect_error external-export-elsewhere "keeps its data in an external file" -- \
  "$W/ext/ext.onnx" --emit onnx -o "$W/out/pruned.onnx"
if "$SPCC" run "$W/ext/ext.onnx" -i "$W/ext/x.pb" --out-dir "$W/ext/r" 2>"$W/stderr" &&
   /usr/bin/python3 -c "
import sys, numpy as np, onnx
from onnx import numpy_helper as nh
t = onnx.TensorProto(); t.ParseFromString(open(sys.argv[1], 'rb').read())
sys.exit(0 if np.allclose(nh.to_array(t), np.load(sys.argv[2]), rtol=1e-5, atol=1e-6) else 1)
" "$W/ext/r/output_0.pb" "$W/ext/want.npy"; then
  pass=$((pass + 1)); else echo "FAIL external-data-run"; fails=$((fails + 1)); fi

# Good input: both files, exit 0, nothing on stderr.
if "$SPCC" "$MODEL" -o "$W/ok.c" 2>"$W/stderr" && [ -s "$W/ok.c" ] && [ -s "$W/ok.h" ] &&
   [ ! -s "$W/stderr" ] && [ -z "$(ls "$W" | grep tmp-)" ]; then
  pass=$((pass + 1))
else
  echo "FAIL good-compile"; fails=$((fails + 1))
fi
# --emit ir to stdout parses as the IR (starts with the arena comment).
if "$SPCC" "$MODEL" --emit ir | grep -q '^graph @'; then pass=$((pass + 1)); else
  echo "FAIL emit-ir-stdout"; fails=$((fails + 1)); fi
# --help and --version exit 0 and print to stdout.
if "$SPCC" --help | grep -q 'usage: spcc' && "$SPCC" --version | grep -q '^spcc '; then
  pass=$((pass + 1)); else echo "FAIL help-version"; fails=$((fails + 1)); fi
# spcc run writes output_0.pb, and --npy output_0.npy.
if "$SPCC" run "$MODEL" -i "$DATA/node/test_relu/test_data_set_0/input_0.pb" --out-dir "$W/r1" &&
   [ -s "$W/r1/output_0.pb" ] &&
   "$SPCC" run "$MODEL" -i "$DATA/node/test_relu/test_data_set_0/input_0.pb" --npy --out-dir "$W/r2/sub" &&
   head -c 6 "$W/r2/sub/output_0.npy" | grep -q NUMPY; then
  pass=$((pass + 1)); else echo "FAIL run-outputs"; fails=$((fails + 1)); fi

# spcc run binds the inputs a Loop's trip count and condition depend on.
L=$DATA/node/test_loop11
if "$SPCC" run "$L/model.onnx" -i "$L/test_data_set_0/input_0.pb" -i "$L/test_data_set_0/input_1.pb" \
     -i "$L/test_data_set_0/input_2.pb" --out-dir "$W/r3" 2>"$W/stderr" &&
   [ -s "$W/r3/output_1.pb" ] && [ ! -s "$W/stderr" ]; then
  pass=$((pass + 1)); else echo "FAIL run-loop-binds"; fails=$((fails + 1)); fi

echo "cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
