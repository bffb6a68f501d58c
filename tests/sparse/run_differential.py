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
import math
import os
import sys

from sparse_common import (MODES, Failure, c_float_values, check_run, compare, encoding_kind,
                           finish, gen_models, parse_args, run_cases, spcc_ir, spcc_run,
                           stored_values, weight_names, weight_views, work_dir)

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


def check_case(spcc, model_dir, fmt, mode, work):
    """One model, format and mode; raises Failure."""
    model = os.path.join(model_dir, 'model.onnx')
    inp = os.path.join(model_dir, 'input_0.pb')
    opts = MODES[mode] + COMMON
    dense, sparse = opts + ['--format', 'dense'], opts + ['--format', fmt]
    want = spcc_run(spcc, model, inp, os.path.join(work, 'dense'), dense,
                    f"spcc run {' '.join(dense)}")
    got = spcc_run(spcc, model, inp, os.path.join(work, fmt), sparse,
                   f"spcc run {' '.join(sparse)}")
    for k, (g, w) in enumerate(zip(got, want)):
        compare(g, w, f'output {k}')
    consts = spcc_ir(spcc, model, sparse)
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
    check_run([spcc, model, '-o', c_file] + sparse, 'spcc -o model.c')
    with open(c_file) as f:
        in_c = c_float_values(f.read())
    if in_c > stored:
        raise Failure(f'the generated C holds {in_c} f32 values, at most {stored} '
                      f'expected with every weight packed as {fmt}')


def main():
    args = parse_args(__doc__, filter_on='model format mode')
    work = work_dir(args, 'spcc-sparse-')
    models_dir = gen_models(work)

    cases = ((f'{name} {fmt} {mode}', check_case, args.spcc, os.path.join(models_dir, name), fmt,
              mode, os.path.join(work, 'cases', name, fmt, mode.replace(':', '_')))
             for name in sorted(os.listdir(models_dir))
             for fmt, modes in CASES.items() for mode in modes)
    return finish('sparse-differential', *run_cases(args, cases), args, work)


if __name__ == '__main__':
    sys.exit(main())
