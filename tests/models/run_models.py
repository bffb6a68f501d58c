#!/usr/bin/env python3
"""run_models.py - real-model readiness (issue 4, item 4): spcc on the
realistic models make_models.py writes must match ONNX Runtime and emit C
that a strict C99 compiler accepts.

For each model: `spcc run MODEL --verify` (the IR verifier after every pass)
against onnxruntime-node on the same model and input (rtol 1e-4, atol 1e-5,
through ../sparse/ort_check.js), and `spcc MODEL -o model.c` compiled with
cc -std=c99 -Wall -Wextra -pedantic -Werror. onnxruntime-node is installed
under --ort-dir with npm on first use; exit 77 (skipped) without npm, node,
the registry, or Python's onnx module.

    run_models.py --spcc BUILD/spcc --ort-dir BUILD/ort [--work DIR] [-j 2]
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'sparse'))
# sparse_common exits 77 (skipped) without numpy or onnx.
from sparse_common import (Failure, check_run, compare, install_ort, parse_args,  # noqa: E402
                           read_pb, spcc_run, work_dir)
import numpy as np  # noqa: E402

NAME = 'real-models'
ORT_CHECK = os.path.join(HERE, '..', 'sparse', 'ort_check.js')
INCLUDE = os.path.join(HERE, '..', '..', 'include')
CFLAGS = ['-std=c99', '-Wall', '-Wextra', '-pedantic', '-Werror']




def float_fed(model, work):
    """ort_check.js feeds float32 only: for a model with other input types
    (the tagger's int64 token ids) a copy whose inputs are float and Cast to
    the original type. Small ids are exact in float. The model path to run."""
    import onnx
    from onnx import TensorProto, helper
    m = onnx.load(model)
    casts = []
    for i in m.graph.input:
        elem = i.type.tensor_type.elem_type
        if elem == TensorProto.FLOAT or any(t.name == i.name for t in m.graph.initializer):
            continue
        casts.append(helper.make_node('Cast', [i.name + '_f32'], [i.name], to=elem,
                                      name='Cast_' + i.name))
        i.name += '_f32'
        i.type.tensor_type.elem_type = TensorProto.FLOAT
    if not casts:
        return model
    nodes = casts + list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    path = os.path.join(work, 'model_f32_inputs.onnx')
    onnx.save(m, path)
    return path


def ort_job(src, work):
    """The ort_check.js job of a model: its inputs as raw f32 files."""
    import onnx
    model = float_fed(os.path.join(src, 'model.onnx'), work)
    names = [i.name for i in onnx.load(model).graph.input]
    inputs, k = [], 0
    while os.path.exists(os.path.join(src, f'input_{k}.pb')):
        x = read_pb(os.path.join(src, f'input_{k}.pb')).astype(np.float32)
        x.tofile(os.path.join(work, f'input_{k}.f32'))
        inputs.append({'name': names[k], 'dims': list(x.shape),
                       'file': os.path.join(work, f'input_{k}.f32')})
        k += 1
    return {'model': model, 'inputs': inputs,
            'out': os.path.join(work, 'ort')}


def spcc_side(spcc, src, work):
    """spcc run --verify outputs; raises Failure when the emitted C does not
    compile cleanly."""
    model = os.path.join(src, 'model.onnx')
    inputs = sorted(f for f in os.listdir(src) if f.startswith('input_'))
    outs = spcc_run(spcc, model, os.path.join(src, inputs[0]), os.path.join(work, 'spcc'),
                    ['--verify'] + sum((['-i', os.path.join(src, f)] for f in inputs[1:]), []))
    # Fused elementwise loops compute exactly what the separate kernels do.
    extra = sum((['-i', os.path.join(src, f)] for f in inputs[1:]), [])
    unfused = spcc_run(spcc, model, os.path.join(src, inputs[0]), os.path.join(work, 'nofuse'),
                       ['--verify', '--no-fuse'] + extra, 'spcc run --no-fuse')
    for k, (a, b) in enumerate(zip(outs, unfused)):
        if a.tobytes() != b.tobytes():
            raise Failure(f'output {k} differs with --no-fuse')
    c_file = os.path.join(work, 'model.c')
    check_run([spcc, model, '-o', c_file], 'spcc -o model.c')
    check_run([os.environ.get('CC', 'cc')] + CFLAGS + ['-I', INCLUDE, '-c', c_file, '-o',
                                                     os.path.join(work, 'model.o')],
              'cc ' + ' '.join(CFLAGS))
    return outs


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
    install_ort(args.ort_dir, NAME)
    work = work_dir(args, 'spcc-models-')
    models_dir = os.path.join(work, 'models')
    subprocess.run([sys.executable, os.path.join(HERE, 'make_models.py'), models_dir], check=True)
    models = sorted(os.listdir(models_dir))
    jobs = {m: ort_job(os.path.join(models_dir, m), os.makedirs(os.path.join(work, m), exist_ok=True)
                       or os.path.join(work, m)) for m in models}
    with open(os.path.join(work, 'jobs.json'), 'w') as f:
        json.dump(list(jobs.values()), f)
    node = subprocess.run(['node', ORT_CHECK, args.ort_dir, os.path.join(work, 'jobs.json')],
                          capture_output=True, text=True)
    if node.returncode != 0:
        print((node.stdout + node.stderr).strip())
        print(f'{NAME}: 0 passed, {len(models)} failed')
        return 1

    failures = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as ex:
        futs = {m: ex.submit(spcc_side, args.spcc, os.path.join(models_dir, m), os.path.join(work, m))
                for m in models}
    for m in models:
        try:
            compare_ort(jobs[m], futs[m].result())
            print(f'PASS {m}')
        except Failure as e:
            failures[m] = str(e)
            print(f'FAIL {m}: {e}')
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f'{NAME}: {len(models) - len(failures)} passed, {len(failures)} failed')
    return 1 if failures or not models else 0


if __name__ == '__main__':
    sys.exit(main())
