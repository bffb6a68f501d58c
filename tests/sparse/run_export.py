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
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

from sparse_common import (HERE, MODES, Failure, check_run, compare, outputs_in, spcc_ir,
                           weight_names)

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
    model = os.path.join(model_dir, 'model.onnx')
    inp = os.path.join(model_dir, 'input_0.pb')
    opts = MODES[mode]
    try:
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
                    d = os.path.join(work, 'ref')
                    check_run([spcc, 'run', model, '-i', inp, '--out-dir', d] + opts, 'spcc run')
                    ref = outputs_in(d)
                d = os.path.join(work, 'sparse_out')
                check_run([spcc, 'run', out, '-i', inp, '--out-dir', d], f'spcc run {what}')
                res = outputs_in(d)
                if len(res) != len(ref):
                    raise Failure(f'{what}: {len(res)} outputs, expected {len(ref)}')
                for k, (g, w) in enumerate(zip(res, ref)):
                    compare(g, w, f'{what}: output {k}')
    except Failure as e:
        return str(e)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spcc', required=True)
    ap.add_argument('--work', help='work directory (kept); default: a temporary one')
    ap.add_argument('-j', type=int, default=2)
    ap.add_argument('--filter', default='', help='regex on "model mode"')
    args = ap.parse_args()
    spcc = os.path.abspath(args.spcc)
    work = args.work or tempfile.mkdtemp(prefix='spcc-export-')
    models_dir = os.path.join(work, 'models')
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_models.py'), models_dir], check=True)

    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as ex:
        for name in sorted(os.listdir(models_dir)):
            if not big_enough(os.path.join(models_dir, name, 'model.onnx')):
                continue
            for mode in MODES:
                key = f'{name} {mode}'
                if re.search(args.filter, key):
                    jobs[key] = ex.submit(check_case, spcc, os.path.join(models_dir, name), mode,
                                          os.path.join(work, 'cases', name, mode.replace(':', '_')))
    failed = 0
    for key, job in jobs.items():
        err = job.result()
        if err:
            failed += 1
            print(f'FAIL {key}: {err}')
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f'sparse-export: {len(jobs) - failed} passed, {failed} failed')
    return 1 if failed or not jobs else 0


if __name__ == '__main__':
    sys.exit(main())
