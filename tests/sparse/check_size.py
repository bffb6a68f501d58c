#!/usr/bin/env python3
"""check_size.py - packed weights near the information limit.

A model with two MatMul weights of 512x512 and a Conv weight of 64x64x3x3
(plus a bias) is compiled with each CASE; the generated C is compiled with
`cc -c -O2` and the object's read-only data (.rodata* sections; .data*
counts too, though generated code should have none) must stay within 1.1 x
the information limit:
  --prune 0.9 (csr, auto): nnz x 6 bytes (f32 value + 16-bit index) for the
                           pruned weights + 4 bytes per element of the rest;
  --nm 2:4 (nm):           kept x 4 bytes + kept x 2 bits for the pruned
                           weights + 4 bytes per element of the rest
                           (auto keeps 2:4 weights dense: see docs/sparsity.md).

    check_size.py --spcc BUILD/spcc [--work DIR]
"""
import os
import subprocess
import sys

from sparse_common import Failure, check_run, finish, parse_args, work_dir

# After sparse_common, which exits 77 (skipped) without numpy or onnx.
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CASES = [('csr', ['--prune', '0.9', '--format', 'csr']),
         ('csr', ['--prune', '0.9', '--format', 'auto']),
         ('nm', ['--nm', '2:4', '--format', 'nm'])]
SLACK = 1.1


def make_model(path):
    rng = np.random.default_rng(7)
    inits = {'W1': rng.standard_normal((512, 512)), 'W2': rng.standard_normal((512, 512)),
             'Wc': rng.standard_normal((64, 64, 3, 3)), 'Bc': rng.standard_normal(64)}
    nodes = [helper.make_node('MatMul', ['X', 'W1'], ['h']),
             helper.make_node('Relu', ['h'], ['r']),
             helper.make_node('MatMul', ['r', 'W2'], ['Y']),
             helper.make_node('Conv', ['Xc', 'Wc', 'Bc'], ['Yc'], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1])]
    f32 = TensorProto.FLOAT
    graph = helper.make_graph(
        nodes, 'size',
        [helper.make_tensor_value_info('X', f32, [4, 512]),
         helper.make_tensor_value_info('Xc', f32, [1, 64, 8, 8])],
        [helper.make_tensor_value_info('Y', f32, [4, 512]),
         helper.make_tensor_value_info('Yc', f32, [1, 64, 8, 8])],
        [numpy_helper.from_array(a.astype(np.float32), n) for n, a in inits.items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    m.ir_version = 7
    onnx.save(m, path)
    # (rows, cols) of each weight's view (ir/sparse.h): output channels x reduction.
    return {'W1': (512, 512), 'W2': (512, 512), 'Wc': (64, 576)}


def rodata_bytes(obj):
    """Bytes of .rodata* and .data* sections of an object (size -A)."""
    out = subprocess.run(['size', '-A', obj], capture_output=True, text=True, check=True).stdout
    total = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[1].isdigit() and (f[0].startswith('.rodata') or
                                               f[0].startswith('.data')):
            total += int(f[1])
    return total


def limit_for(kind, views, rest_elems):
    """The information limit in bytes, and a description of it."""
    pruned = 0
    for rows, cols in views.values():
        if kind == 'csr':
            nnz = rows * cols - int(0.9 * rows * cols)
            pruned += nnz * 6
        else:
            kept = rows * -(-cols // 4) * 2
            pruned += kept * 4 + kept * 2 / 8
    return pruned + 4 * rest_elems, f'pruned weights {pruned:.0f} B + rest {4 * rest_elems} B'


def main():
    args = parse_args(__doc__, jobs=False)
    spcc = args.spcc
    work = work_dir(args, 'spcc-size-')
    model = os.path.join(work, 'model.onnx')
    views = make_model(model)
    rest = sum(int(np.prod(i.dims)) for i in onnx.load(model).graph.initializer
               if i.name not in views)
    include = [a for a in check_run([spcc, '--print-runtime'], 'spcc --print-runtime').split()
               if a.startswith('-I')]
    failures = {}
    for i, (kind, opts) in enumerate(CASES):
        what = ' '.join(opts)
        try:
            src, obj = os.path.join(work, f'm{i}.c'), os.path.join(work, f'm{i}.o')
            check_run([spcc, model, '-o', src] + opts, f'spcc {what}')
            check_run(['cc', '-c', '-O2'] + include + [src, '-o', obj], 'cc')
            limit, parts = limit_for(kind, views, rest)
            got = rodata_bytes(obj)
            report = (f'read-only data {got} B, limit {SLACK} x {limit:.0f} = '
                      f'{SLACK * limit:.0f} B ({parts}; ratio {got / limit:.3f})')
            if got > SLACK * limit:
                raise Failure(report)
            print(f'ok   {what}: {report}')
        except Failure as e:
            failures[what] = str(e)
    return finish('sparse-size', len(CASES), failures, args, work)


if __name__ == '__main__':
    sys.exit(main())
