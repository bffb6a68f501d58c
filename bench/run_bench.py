#!/usr/bin/env python3
"""run_bench.py - spcc's generated code against ONNX Runtime, in one run.

For every model in models.py and every sparsity variant, spcc compiles the
model to C, a small driver times PREFIX_run (median of ITERS calls after a
warm-up), and ONNX Runtime (onnxruntime-node, one thread) times the original
dense model on the same inputs. Results are ratios measured in this run
(machines are noisy; absolute times are printed only for context). The
generated code is built with -O2 -march=native and linked with the runtime
archive spcc prints (`spcc --print-runtime`: the default build is for the
host CPU, see CMakeLists.txt), as an application embedding it would.

Usage: run_bench.py --spcc BUILD/spcc --work BUILD/bench [--models ffn,mlp]
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from models import MODELS, WEIGHTLESS  # noqa: E402

VARIANTS = {
    'dense': [],
    'dense no-fuse': ['--no-fuse'],
    'csr 90%': ['--prune', '0.9', '--format', 'csr'],
    'bsr4x1 90%': ['--prune', '0.9', '--block', '4x1', '--format', 'bsr'],
    'nm 2:4': ['--nm', '2:4', '--format', 'nm'],
    'auto 90%': ['--prune', '0.9'],
}

DRIVER = r'''#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "model.h"
static const long in_bytes[] = {%(in_bytes)s};
static const long out_bytes[] = {%(out_bytes)s};
static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y);
}
int main(int argc, char **argv) {
  int iters = atoi(argv[1]);
  const void *in[%(n_in)d]; void *out[%(n_out)d];
  for (int k = 0; k < %(n_in)d; k++) {
    void *p = malloc(in_bytes[k]); FILE *f = fopen(argv[2 + k], "rb");
    if (!p || !f || fread(p, 1, in_bytes[k], f) != (size_t)in_bytes[k]) return 1;
    fclose(f); in[k] = p;
  }
  for (int k = 0; k < %(n_out)d; k++) out[k] = malloc(out_bytes[k]);
  void *arena = aligned_alloc(64, (MODEL_ARENA_SIZE + 63) / 64 * 64);
  double *t = malloc(sizeof(double) * iters);
  for (int i = 0; i < 3; i++) model_run(arena, in, out);
  for (int i = 0; i < iters; i++) {
    double t0 = now();
    if (model_run(arena, in, out) != 0) return 2;
    t[i] = now() - t0;
  }
  qsort(t, iters, sizeof *t, cmp);
  printf("%%.4f\n", t[iters / 2] * 1e3);
  return 0;
}
'''


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return r.returncode, (r.stdout + r.stderr).strip()


def ensure_ort(work):
    ort_dir = os.path.join(work, 'ort')
    if not os.path.isdir(os.path.join(ort_dir, 'node_modules', 'onnxruntime-node')):
        os.makedirs(ort_dir, exist_ok=True)
        rc, out = sh(['npm', 'install', '--prefix', ort_dir, '--no-audit', '--no-fund',
                      'onnxruntime-node@1.30.0'],
                     env=dict(os.environ, ONNXRUNTIME_NODE_INSTALL='skip'))
        if rc != 0:
            print(f'bench: onnxruntime-node not available ({out.splitlines()[-1:]}); '
                  'ONNX Runtime columns skipped')
            return None
    return os.path.join(ort_dir, 'node_modules')


def time_spcc(spcc, model_path, opts, inputs, outputs, work, iters):
    os.makedirs(work, exist_ok=True)
    rc, out = sh([spcc, model_path, *opts, '-o', os.path.join(work, 'model.c'),
                  '--name', 'model'])
    if rc != 0:
        return None, out.splitlines()[0] if out else f'spcc exit {rc}'
    with open(os.path.join(work, 'driver.c'), 'w') as f:
        f.write(DRIVER % {'in_bytes': ', '.join(str(a.nbytes) for a in inputs),
                          'out_bytes': ', '.join(str(n) for n in outputs),
                          'n_in': len(inputs), 'n_out': len(outputs)})
    # The runtime archive this spcc was built with, as applications link it.
    rc, rt = sh([spcc, '--print-runtime'])
    if rc != 0:
        return None, 'spcc --print-runtime failed'
    prog = os.path.join(work, 'bench')
    rc, out = sh(['cc', '-std=c11', '-O2', '-march=native', '-I', work,
                  os.path.join(work, 'driver.c'), os.path.join(work, 'model.c'),
                  *rt.split(), '-o', prog])
    if rc != 0:
        return None, 'build failed: ' + out.splitlines()[0]
    raws = []
    for k, a in enumerate(inputs):
        raws.append(os.path.join(work, f'in{k}.raw'))
        a.tofile(raws[-1])
    rc, out = sh([prog, str(iters), *raws])
    return (float(out), '') if rc == 0 else (None, f'run failed ({rc})')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spcc', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--models', default=','.join(MODELS))
    ap.add_argument('--iters', type=int, default=30)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    node_path = ensure_ort(args.work) if shutil.which('node') else None
    rows = []
    for name in args.models.split(','):
        model, feeds = MODELS[name]()
        mpath = os.path.join(args.work, f'{name}.onnx')
        onnx.save(model, mpath)
        inputs = list(feeds.values())
        outs = [int(np.prod([d.dim_value for d in o.type.tensor_type.shape.dim])) * 4
                for o in model.graph.output]
        ort_ms = None
        if node_path:
            specs = []
            for k, (iname, a) in enumerate(feeds.items()):
                raw = os.path.join(args.work, f'{name}_in{k}.raw')
                a.tofile(raw)
                specs.append(f'{iname}={raw}:{",".join(map(str, a.shape))}')
            rc, out = sh(['node', os.path.join(HERE, 'ort_time.js'), mpath, str(args.iters),
                          *specs], env=dict(os.environ, NODE_PATH=node_path))
            ort_ms = float(out) if rc == 0 else None
        for vname, opts in VARIANTS.items():
            if name in WEIGHTLESS and not vname.startswith('dense'):
                continue
            work = os.path.join(args.work, name, vname.replace(' ', '_').replace('%', ''))
            ms, why = time_spcc(args.spcc, mpath, opts, inputs, outs, work, args.iters)
            rows.append((name, vname, ms, ort_ms, why))
    print(f'{"model":8} {"variant":13} {"spcc ms":>9} {"ORT ms":>9} {"ORT/spcc":>9}')
    for name, vname, ms, ort_ms, why in rows:
        if ms is None:
            print(f'{name:8} {vname:13} {"-":>9} {"-":>9} {"-":>9}  ({why})')
            continue
        ort_s = f'{ort_ms:9.3f}' if ort_ms else f'{"-":>9}'
        ratio = f'{ort_ms / ms:8.2f}x' if ort_ms else f'{"-":>9}'
        print(f'{name:8} {vname:13} {ms:9.3f} {ort_s} {ratio}')
    print('ORT/spcc > 1 means spcc is faster; ONNX Runtime runs the dense model, one thread.')


if __name__ == '__main__':
    main()
