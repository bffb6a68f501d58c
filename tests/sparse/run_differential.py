#!/usr/bin/env python3
"""run_differential.py - sparse code == dense code on the same pruned weights.

For every model gen_models.py writes and every (format, pruning mode) in
CASES: `spcc run --format F <mode>` must give the outputs of `spcc run
--format dense <mode>` (rtol 1e-4, atol 1e-5), and `spcc --emit ir` with
the same options must show every weight with encoding F, pruned to at most
the mode's density, and the generated C must hold no more f32 values than
the packed layouts of ir/sparse.h store (a sparse path that silently fell
back to dense fails either way).
All runs pass --prune-min-elems 0, so small weights are pruned too.

    run_differential.py --spcc BUILD/spcc [--work DIR] [-j 2] [--filter REGEX]
"""
import argparse
import concurrent.futures
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

from sparse_common import (HERE, MODES, Failure, c_float_values, check_run, compare,
                           encoding_kind, outputs_in, spcc_ir, stored_values, weight_names,
                           weight_views)

CASES = {
    'csr': ['prune0.7', 'prune0.9-block4x1', 'nm2:4', 'nm1:4'],
    'bsr': ['prune0.9-block4x1', 'prune0.7-block2x2'],
    'nm': ['nm2:4', 'nm1:4'],
}
COMMON = ['--prune-min-elems', '0']


def max_nnz(mode, rows, cols):
    """The most nonzeros a rows x cols weight may keep under mode."""
    opts = MODES[mode]
    if '--nm' in opts:
        n, m = (int(v) for v in opts[opts.index('--nm') + 1].split(':'))
        return rows * math.ceil(cols / m) * n
    f = float(opts[opts.index('--prune') + 1])
    r, c = (1, 1)
    if '--block' in opts:
        r, c = (int(v) for v in opts[opts.index('--block') + 1].split('x'))
    units = math.ceil(rows / r) * math.ceil(cols / c)
    return min(rows * cols, (math.ceil((1 - f) * units) + 1) * r * c)


def spcc_run(spcc, model_dir, out_dir, opts):
    shutil.rmtree(out_dir, ignore_errors=True)
    check_run([spcc, 'run', os.path.join(model_dir, 'model.onnx'),
               '-i', os.path.join(model_dir, 'input_0.pb'), '--out-dir', out_dir] + opts,
              f"spcc run {' '.join(opts)}")
    outs = outputs_in(out_dir)
    if not outs:
        raise Failure(f'spcc run wrote no output_0.pb in {out_dir}')
    return outs


def check_case(spcc, model_dir, fmt, mode, work):
    """One model, format and mode; returns None or the failure text."""
    model = os.path.join(model_dir, 'model.onnx')
    opts = MODES[mode] + COMMON
    try:
        want = spcc_run(spcc, model_dir, os.path.join(work, 'dense'), opts + ['--format', 'dense'])
        got = spcc_run(spcc, model_dir, os.path.join(work, fmt), opts + ['--format', fmt])
        for k, (g, w) in enumerate(zip(got, want)):
            compare(g, w, f'output {k}')
        consts = spcc_ir(spcc, model, opts + ['--format', fmt])
        views = weight_views(model)
        stored = sum(len(d) for n, (_, d) in consts.items() if n not in views and d)
        for name in weight_names(model):
            if name not in consts or consts[name][1] is None:
                raise Failure(f'weight {name} not found in --emit ir')
            enc, data = consts[name]
            if encoding_kind(enc) != fmt:
                raise Failure(f'weight {name} has encoding "{enc}", expected {fmt}')
            nnz = sum(1 for x in data if x != 0)
            limit = max_nnz(mode, *views[name][:2])
            if nnz > limit:
                raise Failure(f'weight {name}: {nnz} nonzeros, at most {limit} expected')
            stored += stored_values(enc, data, views[name])
        # The IR may say F while the emitter writes the dense array anyway.
        c_file = os.path.join(work, 'model.c')
        check_run([spcc, model, '-o', c_file] + opts + ['--format', fmt], 'spcc -o model.c')
        with open(c_file) as f:
            in_c = c_float_values(f.read())
        if in_c > stored:
            raise Failure(f'the generated C holds {in_c} f32 values, at most {stored} '
                          f'expected with every weight packed as {fmt}')
    except Failure as e:
        return str(e)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spcc', required=True)
    ap.add_argument('--work', help='work directory (kept); default: a temporary one')
    ap.add_argument('-j', type=int, default=2)
    ap.add_argument('--filter', default='', help='regex on "model format mode"')
    args = ap.parse_args()
    spcc = os.path.abspath(args.spcc)
    work = args.work or tempfile.mkdtemp(prefix='spcc-sparse-')
    models_dir = os.path.join(work, 'models')
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_models.py'), models_dir], check=True)

    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as ex:
        for name in sorted(os.listdir(models_dir)):
            for fmt, modes in CASES.items():
                for mode in modes:
                    key = f'{name} {fmt} {mode}'
                    if re.search(args.filter, key):
                        case_dir = os.path.join(work, 'cases', name, fmt, mode.replace(':', '_'))
                        jobs[key] = ex.submit(check_case, spcc, os.path.join(models_dir, name),
                                              fmt, mode, case_dir)
    failed = 0
    for key, job in jobs.items():
        err = job.result()
        if err:
            failed += 1
            print(f'FAIL {key}: {err}')
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f'sparse-differential: {len(jobs) - failed} passed, {failed} failed')
    return 1 if failed or not jobs else 0


if __name__ == '__main__':
    sys.exit(main())
