#!/usr/bin/env python3
"""run_export.py - zeros already in the weights get the formats pruning gets.

For every generated model whose weights all have >= 4096 elements (so the
default pruning rules apply) and every pruning mode:
  1. `spcc MODEL <mode> --emit onnx -o pruned.onnx` keeps the graph and holds
     exactly the pruned values `spcc MODEL <mode> --emit ir` shows;
  2. `spcc pruned.onnx --emit ir` with NO sparsity flag gives every weight
     the encoding `spcc MODEL <mode> --emit ir` gives it;
  3. the same with `--sparse-initializers` (the weights become
     sparse_initializer), and `spcc run` on that export, with no flag, gives
     the outputs of `spcc run MODEL <mode>`.

    run_export.py --spcc BUILD/spcc [--work DIR] [-j 2] [--filter REGEX]
"""
import os
import sys

from sparse_common import (MODES, Failure, check_run, compare, finish, gen_models, parse_args,
                           run_cases, spcc_ir, spcc_run, weight_names, work_dir)

# After sparse_common, which exits 77 (skipped) without numpy or onnx.
import numpy as np
import onnx
from onnx import numpy_helper

MIN_ELEMS = 4096


def big_enough(model_path):
    m = onnx.load(model_path)
    names = weight_names(model_path)
    return all(int(np.prod(i.dims)) >= MIN_ELEMS for i in m.graph.initializer if i.name in names)


def same_graph(orig, exported, sparse):
    """The export is the input model with other weight values: nodes, names,
    shapes, opset and IR version unchanged."""
    a, b = onnx.load(orig), onnx.load(exported)
    if (a.ir_version, list(a.opset_import)) != (b.ir_version, list(b.opset_import)):
        raise Failure('export changed the IR version or opset')
    if [n.SerializeToString() for n in a.graph.node] != [n.SerializeToString() for n in b.graph.node]:
        raise Failure('export changed the nodes')
    if a.graph.input != b.graph.input or a.graph.output != b.graph.output:
        raise Failure('export changed the graph inputs or outputs')
    inits = {i.name: list(i.dims) for i in b.graph.initializer}
    inits.update({s.values.name: list(s.dims) for s in b.graph.sparse_initializer})
    if inits != {i.name: list(i.dims) for i in a.graph.initializer}:
        raise Failure('export changed the initializers\' names or shapes')
    if sparse and not b.graph.sparse_initializer:
        raise Failure('--sparse-initializers wrote no sparse_initializer')


def dense_values(model_path):
    """{name: array} of every initializer, sparse ones made dense."""
    g = onnx.load(model_path).graph
    vals = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for s in g.sparse_initializer:
        dense = np.zeros(int(np.prod(s.dims)), np.float32)
        idx = numpy_helper.to_array(s.indices).astype(np.int64)
        if idx.ndim == 2:                       # [nnz, rank] coordinates
            idx = np.ravel_multi_index(idx.T, tuple(s.dims))
        dense[idx] = numpy_helper.to_array(s.values)
        vals[s.values.name] = dense.reshape(tuple(s.dims))
    return vals


def check_case(spcc, model_dir, mode, work):
    """One model and mode; raises Failure."""
    model = os.path.join(model_dir, 'model.onnx')
    inp = os.path.join(model_dir, 'input_0.pb')
    opts = MODES[mode]
    os.makedirs(work, exist_ok=True)
    want = spcc_ir(spcc, model, opts)
    ref = None
    for sparse in (False, True):
        what = 'sparse_initializer export' if sparse else 'dense export'
        out = os.path.join(work, 'sparse.onnx' if sparse else 'pruned.onnx')
        check_run([spcc, model, '--emit', 'onnx', '-o', out] + opts +
                  (['--sparse-initializers'] if sparse else []), f'{what}')
        same_graph(model, out, sparse)
        values = dense_values(out)
        got = spcc_ir(spcc, out, [])
        for name in weight_names(model):
            compare(values[name].ravel(), np.array(want[name][1], np.float32),
                    f'{what}: values of {name} vs --emit ir', rtol=0, atol=0)
            if got[name][0] != want[name][0]:
                raise Failure(f'{what}: {name} gets "{got[name][0]}" with no flag, '
                              f'"{want[name][0]}" with {" ".join(opts)}')
        if sparse:
            if ref is None:
                ref = spcc_run(spcc, model, inp, os.path.join(work, 'ref'), opts)
            res = spcc_run(spcc, out, inp, os.path.join(work, 'sparse_out'), [],
                           f'spcc run {what}')
            if len(res) != len(ref):
                raise Failure(f'{what}: {len(res)} outputs, expected {len(ref)}')
            for k, (g, w) in enumerate(zip(res, ref)):
                compare(g, w, f'{what}: output {k}')


def main():
    args = parse_args(__doc__, filter_on='model mode')
    work = work_dir(args, 'spcc-export-')
    models_dir = gen_models(work)

    cases = ((f'{name} {mode}', check_case, args.spcc, os.path.join(models_dir, name), mode,
              os.path.join(work, 'cases', name, mode.replace(':', '_')))
             for name in sorted(os.listdir(models_dir))
             if big_enough(os.path.join(models_dir, name, 'model.onnx'))
             for mode in MODES)
    return finish('sparse-export', *run_cases(args, cases), args, work)


if __name__ == '__main__':
    sys.exit(main())
