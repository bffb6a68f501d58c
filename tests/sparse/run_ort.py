#!/usr/bin/env python3
"""run_ort.py - spcc run on a model with pruning options == ONNX Runtime on
the model spcc exports with the same options.

For each (model, mode) in CASES: `spcc MODEL <mode> --emit onnx -o
pruned.onnx` (dense initializers holding the zeros) and the same with
--sparse-initializers (ONNX Runtime accepts sparse_initializer: it makes
them dense when it loads the model); then `spcc run MODEL <mode>` must match
onnxruntime-node on both exports (rtol 1e-4, atol 1e-5). onnxruntime-node
is installed under --ort-dir with npm on first use (exit 77, skipped, when
npm or the registry is not there).

    run_ort.py --spcc BUILD/spcc --ort-dir BUILD/ort [--work DIR] [-j 2]
"""
import concurrent.futures
import json
import os
import subprocess
import sys

from sparse_common import (HERE, MODES, Failure, check_run, compare, finish, gen_models,
                           install_ort, parse_args, read_pb, spcc_run, work_dir)

# After sparse_common, which exits 77 (skipped) without numpy or onnx.
import numpy as np

MODELS = ['matmul_3d', 'matmul_4d', 'gemm_n_n_c', 'gemm_t_n', 'gemm_n_t_c2d', 'gemm_t_t_c',
          'conv_1x1', 'conv_3x3_pad1', 'conv_5x5_s2_asym', 'conv_dilated', 'conv_depthwise',
          'conv_group4_s2', 'conv_1d', 'mlp', 'empty_rows_conv', 'all_zero_matmul']
CASES = [(m, mode) for m in MODELS for mode in ('prune0.7', 'prune0.9-block4x1', 'nm2:4')]
EXPORTS = {'dense': [], 'sparse': ['--sparse-initializers']}




def prepare(spcc, models_dir, model, mode, work):
    """Exports the case's models and runs spcc on it; returns (ORT jobs, spcc outputs)."""
    src = os.path.join(models_dir, model)
    opts = MODES[mode] + ['--prune-min-elems', '0']
    os.makedirs(work, exist_ok=True)
    x = read_pb(os.path.join(src, 'input_0.pb')).astype(np.float32)
    x.tofile(os.path.join(work, 'input_0.f32'))
    inputs = [{'name': 'X', 'dims': list(x.shape), 'file': os.path.join(work, 'input_0.f32')}]
    jobs = []
    for kind, extra in EXPORTS.items():
        out = os.path.join(work, f'{kind}.onnx')
        check_run([spcc, os.path.join(src, 'model.onnx'), '--emit', 'onnx', '-o', out]
                  + opts + extra, f'--emit onnx {" ".join(extra)}')
        jobs.append({'model': out, 'inputs': inputs, 'out': os.path.join(work, f'ort_{kind}')})
    return jobs, spcc_run(spcc, os.path.join(src, 'model.onnx'), os.path.join(src, 'input_0.pb'),
                          os.path.join(work, 'spcc'), opts)


def compare_ort(job, want):
    if os.path.exists(os.path.join(job['out'], 'error.txt')):
        raise Failure('onnxruntime: ' + open(os.path.join(job['out'], 'error.txt')).read()[:300])
    meta = json.load(open(os.path.join(job['out'], 'outputs.json')))
    if len(meta) != len(want):
        raise Failure(f'onnxruntime gave {len(meta)} outputs, spcc {len(want)}')
    for k, (m, w) in enumerate(zip(meta, want)):
        got = np.fromfile(os.path.join(job['out'], f'output_{k}.f32'), np.float32)
        compare(w, got.reshape(m['dims']), f'output {k}')


def main():
    args = parse_args(__doc__, ort_dir=True)
    install_ort(args.ort_dir, 'sparse-ort')
    work = work_dir(args, 'spcc-ort-')
    models_dir = gen_models(work)
    node = ['node', os.path.join(HERE, 'ort_check.js'), args.ort_dir]
    probe = subprocess.run(node + ['--probe', os.path.join(models_dir, MODELS[0], 'model.onnx')],
                           capture_output=True, text=True)
    print((probe.stdout + probe.stderr).strip())
    if probe.returncode != 0:
        print('sparse-ort: 0 passed, 1 failed')
        return 1

    failures, prepared = {}, {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as ex:
        futures = {(m, mode): ex.submit(prepare, args.spcc, models_dir, m, mode,
                                        os.path.join(work, 'cases', m, mode.replace(':', '_')))
                   for m, mode in CASES}
    for (m, mode), fut in futures.items():
        try:
            prepared[(m, mode)] = fut.result()
        except Failure as e:
            failures[f'{m} {mode}'] = str(e)
    jobs = [j for js, _ in prepared.values() for j in js]
    with open(os.path.join(work, 'jobs.json'), 'w') as f:
        json.dump(jobs, f)
    subprocess.run(node + [os.path.join(work, 'jobs.json')], check=True)
    for (m, mode), (js, want) in prepared.items():
        for kind, job in zip(EXPORTS, js):
            try:
                compare_ort(job, want)
            except Failure as e:
                failures[f'{m} {mode}'] = f'{kind} export: {e}'
    return finish('sparse-ort', len(CASES), failures, args, work)


if __name__ == '__main__':
    sys.exit(main())
