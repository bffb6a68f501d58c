#!/usr/bin/env python3
"""run_conformance.py - runs one folder of the ONNX backend test data through spcc.

Each test goes down two paths, and passes only if both reproduce every
test_data_set_N/output_k.pb:
  driver: spcc model.onnx -o W/model.c --name model, cc it with harness.c,
          feed raw inputs, read raw outputs (what an application does);
  run:    spcc run model.onnx -i input_0.pb ... --out-dir W/out_N.
A test is "unsupported" when spcc exits 1 saying "unsupported", otherwise
anything short of a pass is "fail". The exit status is non-zero iff a test
listed in expected_pass.txt for this folder did not pass, so new failures
break the build while the list records what spcc can do. See README.md.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
    MISSING_MODULE = None
except ImportError as e:  # the suite is skipped, not failed, without them
    MISSING_MODULE = e.name

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, 'expected_pass.txt')
DEFAULT_DATA = '/usr/share/libonnx-testdata/data'
FOLDERS = ('node', 'simple', 'pytorch-converted', 'pytorch-operator')
SKIP = 77                       # ctest SKIP_RETURN_CODE
RTOL, ATOL = 1e-3, 1e-4
SPCC_TIMEOUT, CC_TIMEOUT, RUN_TIMEOUT = 120, 300, 120  # seconds
EXPECTED_HEADER = """\
# ONNX backend tests (Debian's libonnx-testdata) that spcc passes, one
# folder/test per line, sorted. The conformance suite fails if one of them
# stops passing. Regenerate a folder's section after making a test pass:
#   /usr/bin/python3 tests/onnx/run_conformance.py --folder FOLDER \\
#       --spcc BUILD/spcc --update-expected
"""


class Outcome(Exception):
    """Ends a test early: status is 'fail' or 'unsupported'."""
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


def fail(reason):
    raise Outcome('fail', reason)


def one_line(text, limit=200):
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def run(cmd, timeout, cwd=None, env=None):
    """Runs cmd in its own process group, so a timeout also kills the C
    compiler spcc may start; returns (exit code or 'timeout', stderr+stdout).
    spcc runs from the test directory so its messages say plain model.onnx."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd,
                         stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return 'timeout', ''
    return p.returncode, out.decode('utf-8', 'replace')


def check_spcc(what, rc, out):
    """Turns a failed spcc invocation into an Outcome."""
    if rc == 0:
        return
    lines = [l for l in out.splitlines() if l.strip()]
    if rc == 1 and 'unsupported' in out:
        raise Outcome('unsupported', one_line(next(l for l in lines if 'unsupported' in l)))
    if rc == 'timeout':
        fail(f'{what}: timeout')
    if rc < 0:
        fail(f'{what}: killed by signal {-rc} {one_line(out[-300:])}'.rstrip())
    fail(f'{what}: exit {rc}: {one_line(lines[0] if lines else "(no message)")}')


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, 'rb') as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def compare(got, want, what):
    """Returns None when got matches want within the suite's tolerance."""
    if got.dtype != want.dtype:
        return f'{what}: element type {got.dtype}, expected {want.dtype}'
    if got.size != want.size:
        return f'{what}: {got.size} elements, expected {want.size} (shape {list(want.shape)})'
    got = got.reshape(want.shape)
    if want.dtype.kind in 'fc':
        ok = np.isclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True)
    else:
        ok = got == want
    if ok.all():
        return None
    bad = np.flatnonzero(~ok.ravel())
    i = bad[0]
    return (f'{what}: {bad.size}/{want.size} elements differ, first at {i}: '
            f'got {got.ravel()[i]!r}, expected {want.ravel()[i]!r}')


def data_sets(test_dir):
    """[(inputs, expected outputs)] as lists of file paths, per data set."""
    def files(ds, kind):
        n = len(glob.glob(os.path.join(ds, kind + '_*.pb')))
        return [os.path.join(ds, f'{kind}_{k}.pb') for k in range(n)]
    sets = sorted(glob.glob(os.path.join(test_dir, 'test_data_set_*')),
                  key=lambda p: int(p.rsplit('_', 1)[1]))
    return [(files(ds, 'input'), files(ds, 'output')) for ds in sets]


def input_binds(test_dir, ins, kinds):
    """--bind options for the inputs of numpy kinds `kinds` of a model whose
    shapes depend on input values (a Reshape target or Resize scales fed as
    graph inputs): the driver path binds them as an application would, from
    data set 0."""
    graph = onnx.load(os.path.join(test_dir, 'model.onnx'), load_external_data=False).graph
    inits = {t.name for t in graph.initializer}
    names = [i.name for i in graph.input if i.name not in inits]
    binds = []
    for name, path in zip(names, ins):
        if load_pb(path).dtype.kind in kinds:
            binds += ['--bind', f'{name}={path}']
    return binds


def input_shapes(test_dir, ins):
    """--shape options fixing the dynamic dimensions (dim_param or absent) of
    the runtime inputs from data set 0, as an application compiling for its
    own input sizes would."""
    graph = onnx.load(os.path.join(test_dir, 'model.onnx'), load_external_data=False).graph
    inits = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in inits]
    opts = []
    for vi, path in zip(inputs, ins):
        if not vi.type.HasField('tensor_type'):
            continue  # sequences, optionals: spcc says what it thinks of them
        tt = vi.type.tensor_type
        dims = list(tt.shape.dim) if tt.HasField('shape') else None
        if dims is not None and all(d.HasField('dim_value') for d in dims):
            continue
        shape = load_pb(path).shape
        if len(shape) == 0:
            continue
        opts += ['--shape', f'{vi.name}=' + ','.join(str(d) for d in shape)]
    return opts


def driver_path(ctx, test_dir, sets, work):
    cmd = [ctx['spcc'], 'model.onnx', '-o', os.path.join(work, 'model.c'), '--name', 'model',
           '--verify']
    if sets:
        cmd += input_shapes(test_dir, sets[0][0])
    rc, out = run(cmd, SPCC_TIMEOUT, cwd=test_dir)
    # Integer inputs first (shape tensors), then every input (float scales,
    # bool conditions): the fewer bound, the more the generated code computes.
    for kinds in ('iu', 'iufb'):
        if rc == 1 and 'compile-time constant' in out and sets:
            rc, out = run(cmd + input_binds(test_dir, sets[0][0], kinds), SPCC_TIMEOUT,
                          cwd=test_dir)
    check_spcc('spcc', rc, out)
    prog = os.path.join(work, 'prog')
    # The generated code must build warning-free as strict C99 (-Werror).
    rc, out = run(['cc', '-std=c99', '-O1', '-Wall', '-Wextra', '-pedantic', '-Werror',
                   *ctx['san_flags'], '-DHARNESS_GLUE', '-I', work,
                   os.path.join(work, 'model.c'), ctx['harness_src'], ctx['harness_obj'],
                   *ctx['rt_flags'], '-o', prog], CC_TIMEOUT)
    if rc != 0:
        errs = [l for l in out.splitlines() if 'error' in l] or out.splitlines() or ['']
        fail(f'generated C does not build ({rc}): {one_line(errs[0])}')
    for n, (ins, outs) in enumerate(sets):
        cmd = [prog]
        for k, path in enumerate(ins):
            raw = os.path.join(work, f'in{n}_{k}.raw')
            with open(raw, 'wb') as f:
                f.write(np.ascontiguousarray(load_pb(path)).tobytes())
            cmd += ['-i', raw]
        wants = [load_pb(p) for p in outs]
        for k, want in enumerate(wants):
            if want.dtype == object:
                fail(f'output {k}: string tensors cannot be compared as raw bytes')
            cmd += ['-o', os.path.join(work, f'out{n}_{k}.raw'), str(want.nbytes)]
        # The harness keeps its buffers to the end; leaks are not the question.
        env = dict(os.environ, ASAN_OPTIONS='detect_leaks=0') if ctx['sanitize'] else None
        rc, out = run(cmd, RUN_TIMEOUT, env=env)
        if rc != 0:
            fail(f'driver: harness exit {rc}: {one_line(out)}')
        for k, want in enumerate(wants):
            with open(os.path.join(work, f'out{n}_{k}.raw'), 'rb') as f:
                raw = f.read()
            if want.dtype == np.bool_:  # bytes other than 0 and 1 must not pass
                got, want = np.frombuffer(raw, np.uint8), want.astype(np.uint8)
            else:
                got = np.frombuffer(raw, want.dtype)
            why = compare(got, want, f'driver: data set {n} output {k}')
            if why:
                fail(why)


def run_path(ctx, test_dir, sets, work):
    for n, (ins, outs) in enumerate(sets):
        out_dir = os.path.join(work, f'out_{n}')
        cmd = [ctx['spcc'], 'run', 'model.onnx', '--verify']
        for path in ins:
            cmd += ['-i', os.path.relpath(path, test_dir)]
        rc, out = run(cmd + ['--out-dir', out_dir], SPCC_TIMEOUT + CC_TIMEOUT, cwd=test_dir)
        check_spcc('spcc run', rc, out)
        for k, path in enumerate(outs):
            got_path = os.path.join(out_dir, f'output_{k}.pb')
            if not os.path.exists(got_path):
                fail(f'spcc run: data set {n}: no output_{k}.pb')
            why = compare(load_pb(got_path), load_pb(path), f'spcc run: data set {n} output {k}')
            if why:
                fail(why)
        if os.path.exists(os.path.join(out_dir, f'output_{len(outs)}.pb')):
            fail(f'spcc run: data set {n}: more than {len(outs)} outputs')


def run_test(ctx, test_dir):
    """Worker: returns (test name, status, reason)."""
    name = os.path.basename(test_dir)
    work = os.path.join(ctx['tmp'], name)
    os.makedirs(work, exist_ok=True)
    try:
        sets = data_sets(test_dir)
        if not sets:
            fail('no test_data_set_N')
        driver_path(ctx, test_dir, sets, work)
        if not ctx['sanitize']:
            run_path(ctx, test_dir, sets, work)
        status, reason = 'pass', ''
    except Outcome as o:
        status, reason = o.status, o.reason
    except Exception as e:  # a broken test file or output must not stop the run
        status, reason = 'fail', one_line(f'{type(e).__name__}: {e}')
    if not ctx['keep']:
        shutil.rmtree(work, ignore_errors=True)
    return name, status, reason


def read_expected():
    if not os.path.exists(EXPECTED):
        return EXPECTED_HEADER, set()
    header, entries = [], set()
    with open(EXPECTED) as f:
        for line in f:
            if line.startswith('#') and not entries:
                header.append(line)
            elif line.strip() and not line.startswith('#'):
                entries.add(line.strip())
    return ''.join(header) or EXPECTED_HEADER, entries


def write_expected(header, entries):
    with open(EXPECTED + '.tmp', 'w') as f:
        f.write(header)
        f.writelines(e + '\n' for e in sorted(entries))
    os.replace(EXPECTED + '.tmp', EXPECTED)


def prepare(args, tmp):
    """Runs once per suite run: runtime flags and the harness object."""
    spcc = shutil.which(args.spcc)  # absolute: tests run spcc from their own directory
    if not spcc:
        sys.exit(f'onnx-conformance: spcc not found: {args.spcc}')
    spcc = os.path.abspath(spcc)
    rc, flags = run([spcc, '--print-runtime'], SPCC_TIMEOUT)
    if rc != 0 or len(flags.strip().splitlines()) != 1:
        sys.exit(f'onnx-conformance: {spcc} --print-runtime failed ({rc}): {one_line(flags)}')
    harness_src = os.path.join(HERE, 'harness.c')
    harness_obj = os.path.join(tmp, 'harness.o')
    # --sanitize: the driver path runs under ASan and UBSan (any report fails the test).
    san = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all',
           '-fno-omit-frame-pointer'] if args.sanitize else []
    rc, out = run(['cc', '-std=c11', '-O1', *san, '-c', harness_src, '-o', harness_obj],
                  CC_TIMEOUT)
    if rc != 0:
        sys.exit(f'onnx-conformance: cannot compile harness.c:\n{out}')
    rt_flags = shlex.split(flags)
    if args.runtime_lib:
        rt_flags = [args.runtime_lib if f.endswith('.a') else f for f in rt_flags]
    return {'spcc': spcc, 'rt_flags': rt_flags, 'harness_src': harness_src,
            'harness_obj': harness_obj, 'tmp': tmp, 'keep': args.keep, 'san_flags': san,
            'sanitize': args.sanitize}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--folder', choices=FOLDERS, default='node')
    ap.add_argument('folder_arg', nargs='?', choices=FOLDERS, metavar='FOLDER',
                    help='same as --folder')
    ap.add_argument('--spcc', default='spcc', help='spcc executable')
    ap.add_argument('--data', default=DEFAULT_DATA, help='test data root')
    ap.add_argument('-j', type=int, default=2, help='parallel workers (2)')
    ap.add_argument('--filter', help='only tests whose name matches this regex')
    ap.add_argument('--list-results', metavar='FILE',
                    help="write 'folder/test status reason' for every test")
    ap.add_argument('--update-expected', action='store_true',
                    help="rewrite expected_pass.txt's section for this folder")
    ap.add_argument('--keep', action='store_true', help='keep the work directory')
    ap.add_argument('--runtime-lib', metavar='ARCHIVE',
                    help='link this runtime archive instead of the one spcc prints')
    ap.add_argument('--sanitize', action='store_true',
                    help='build the driver path with ASan+UBSan and run only the expected '
                         'passes, driver path only')
    args = ap.parse_args()
    folder = args.folder_arg or args.folder
    root = os.path.join(args.data, folder)
    if MISSING_MODULE:
        print(f'onnx-conformance: skipped: {sys.executable} lacks {MISSING_MODULE}')
        return SKIP
    if not os.path.isdir(root):
        print(f'onnx-conformance: skipped: {root} not found (apt-get install libonnx-testdata)')
        return SKIP

    tests = sorted(d for d in glob.glob(os.path.join(root, 'test_*')) if os.path.isdir(d))
    if args.filter:
        tests = [t for t in tests if re.search(args.filter, os.path.basename(t))]
    header, expected = read_expected()
    if args.sanitize:
        tests = [t for t in tests if f'{folder}/{os.path.basename(t)}' in expected]
    tmp = tempfile.mkdtemp(prefix=f'spcc-onnx-{folder}-')
    try:
        ctx = prepare(args, tmp)
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.j)) as pool:
            results = sorted(pool.map(run_test, [ctx] * len(tests), tests))
    finally:
        if args.keep:
            print(f'onnx-conformance: work directory kept: {tmp}')
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    regressions = 0
    if not args.filter:  # a listed test that is gone did not pass either
        for key in sorted(e for e in expected if e.startswith(folder + '/')):
            if not os.path.isdir(os.path.join(args.data, key)):
                regressions += 1
                print(f'MISSING {key} (expected to pass)')
    for name, status, reason in results:
        key = f'{folder}/{name}'
        if status == 'pass' and key not in expected:
            print(f'XPASS {key}')
        elif status != 'pass' and key in expected:
            regressions += 1
            print(f'{status.upper()} {key} (expected to pass): {reason}')
        elif status == 'fail':
            print(f'FAIL {key}: {reason}')
    if args.list_results:
        with open(args.list_results, 'w') as f:
            f.writelines(f'{folder}/{n} {s} {r}'.rstrip() + '\n' for n, s, r in results)
    if args.update_expected:
        ran = {f'{folder}/{n}' for n, _, _ in results}
        # keep other folders' entries and, under --filter, the tests not run
        keep = {e for e in expected if not e.startswith(folder + '/')
                or (args.filter and e not in ran)}
        write_expected(header, keep | {f'{folder}/{n}' for n, s, _ in results if s == 'pass'})
        regressions = 0
    count = {s: sum(1 for _, st, _ in results if st == s) for s in ('pass', 'fail', 'unsupported')}
    print(f"onnx-conformance: {count['pass']} passed, {count['fail']} failed, "
          f"{count['unsupported']} unsupported")
    return 1 if regressions else 0


if __name__ == '__main__':
    sys.exit(main())
