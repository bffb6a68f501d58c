"""sparse_common.py - helpers the sparse test scripts share: their command
line, work directory and summary, running spcc, reading outputs, and reading
the weights' encodings from --emit ir text."""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

SKIP = 77                           # ctest SKIP_RETURN_CODE
try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as e:            # the tests are skipped, not failed, without them
    print(f'sparse tests: skipped: {sys.executable} lacks {e.name}')
    sys.exit(SKIP)
HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 300                       # seconds per spcc command

# Pruning modes: name -> spcc options.
MODES = {
    'prune0.7': ['--prune', '0.7'],
    'prune0.9-block4x1': ['--prune', '0.9', '--block', '4x1'],
    'prune0.7-block2x2': ['--prune', '0.7', '--block', '2x2'],
    'nm2:4': ['--nm', '2:4'],
    'nm1:4': ['--nm', '1:4'],
}


def run(cmd, cwd=None):
    """Runs cmd (in its own process group, so a timeout also ends the C
    compiler spcc starts); returns (exit code or 'timeout', stdout, stderr)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return 'timeout', '', ''
    return p.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


class Failure(Exception):
    pass


def check_run(cmd, what, cwd=None):
    """Runs cmd and returns its stdout; raises Failure unless it exits 0."""
    rc, out, err = run(cmd, cwd)
    if rc != 0:
        msg = ' '.join(err.split())[:300]
        raise Failure(f'{what}: exit {rc}: {msg}')
    return out


def failure_of(check, *args):
    """None when check(*args) passes, else the text of the Failure it raised."""
    try:
        check(*args)
    except Failure as e:
        return str(e)
    return None


def parse_args(doc, jobs=True, filter_on=None, ort_dir=False):
    """The scripts' command line: --spcc (made absolute) and --work; -j when
    jobs; --filter (a regex on the text filter_on describes) when filter_on
    is given; --ort-dir when ort_dir."""
    ap = argparse.ArgumentParser(description=doc.split('\n')[0])
    ap.add_argument('--spcc', required=True)
    if ort_dir:
        ap.add_argument('--ort-dir', required=True)
    ap.add_argument('--work', help='work directory (kept); default: a temporary one')
    if jobs:
        ap.add_argument('-j', type=int, default=2)
    if filter_on:
        ap.add_argument('--filter', default='', help=f'regex on "{filter_on}"')
    args = ap.parse_args()
    args.spcc = os.path.abspath(args.spcc)
    return args


def work_dir(args, prefix):
    """--work, or a new temporary directory that finish() removes."""
    work = args.work or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(work, exist_ok=True)
    return work


def gen_models(work):
    """Writes gen_models.py's models under work/models; returns that directory."""
    models_dir = os.path.join(work, 'models')
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_models.py'), models_dir], check=True)
    return models_dir


def run_cases(args, cases):
    """Runs check(*check_args) for every (key, check, *check_args) of cases
    whose key matches --filter, args.j at a time; returns (how many ran,
    {key: failure text})."""
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as ex:
        for key, check, *check_args in cases:
            if re.search(args.filter, key):
                jobs[key] = ex.submit(failure_of, check, *check_args)
    return len(jobs), {key: err for key, job in jobs.items() if (err := job.result())}


def finish(name, n_cases, failures, args, work):
    """Prints a FAIL line per failure ({case: text}) and the summary, removes
    a temporary work directory; returns the exit code (1 when anything
    failed or nothing ran)."""
    for key, err in failures.items():
        print(f'FAIL {key}: {err}')
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f'{name}: {n_cases - len(failures)} passed, {len(failures)} failed')
    return 1 if failures or not n_cases else 0


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, 'rb') as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def compare(got, want, what, rtol=1e-4, atol=1e-5):
    """Raises Failure unless got matches want within |g - w| <= atol + rtol |w|."""
    if got.shape != want.shape:
        raise Failure(f'{what}: shape {got.shape}, expected {want.shape}')
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        i = np.unravel_index(np.argmax(np.abs(got - want) * bad), got.shape)
        raise Failure(f'{what}: {int(bad.sum())} of {got.size} elements differ, '
                      f'e.g. at {tuple(int(v) for v in i)}: {got[i]!r} vs {want[i]!r}')


def outputs_in(out_dir):
    """output_0.pb, output_1.pb, ... of an `spcc run --out-dir` as arrays."""
    res = []
    while os.path.exists(os.path.join(out_dir, f'output_{len(res)}.pb')):
        res.append(read_pb(os.path.join(out_dir, f'output_{len(res)}.pb')))
    return res


def spcc_run(spcc, model, inp, out_dir, opts, what='spcc run'):
    """`spcc run MODEL -i INP --out-dir OUT_DIR OPTS` in a fresh out_dir; its
    outputs as arrays (a Failure when it writes none)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    check_run([spcc, 'run', model, '-i', inp, '--out-dir', out_dir] + opts, what)
    outs = outputs_in(out_dir)
    if not outs:
        raise Failure(f'{what} wrote no output_0.pb in {out_dir}')
    return outs


CONST_RE = re.compile(r'^\s*\$(\S+)\s*=\s*const\s+(\w+)\[([^\]]*)\]\s*(.*?)\s*(?:data=(.*))?$')


def ir_constants(text):
    """{name: (encoding text, data list or None)} for the constants of an IR
    dump printed with every constant inline (--emit ir to stdout)."""
    consts = {}
    for line in text.splitlines():
        m = CONST_RE.match(line)
        if not m:
            continue
        data = None
        if m.group(5) and m.group(5).startswith('['):
            body = m.group(5)[1:m.group(5).index(']')]
            data = [float.fromhex(x) if x.strip() not in ('inf', '-inf', 'nan', '-nan')
                    else float(x) for x in body.split(',') if x.strip()]
        consts[m.group(1)] = (m.group(4), data)
    return consts


def encoding_kind(enc):
    """'csr' of 'csr<idx=8> nnz=...', 'bsr' of 'bsr<4x1, ...>', and so on."""
    m = re.match(r'[a-z]+', enc)
    return m.group(0) if m else enc


def weight_names(model_path):
    """The initializers the generated models use as weights: W, W1, W2, ..."""
    return [i.name for i in onnx.load(model_path).graph.initializer
            if re.fullmatch(r'W\d*', i.name)]


def spcc_ir(spcc, model, opts):
    return ir_constants(check_run([spcc, model, '--emit', 'ir'] + opts, 'emit ir'))


def skip(what, why):
    print(f'{what}: skipped: {why}')
    sys.exit(SKIP)


def weight_views(model_path):
    """{weight name: (rows, cols, transposed)}: the logical matrix of
    ir/sparse.h (output channels x reduction elements) of every weight of a
    generated model; transposed when element (r, c) is at data[c * rows + r]."""
    m = onnx.load(model_path)
    dims = {i.name: list(i.dims) for i in m.graph.initializer}
    views = {}
    for n in m.graph.node:
        if n.op_type not in ('MatMul', 'Gemm', 'Conv') or n.input[1] not in dims:
            continue
        d = dims[n.input[1]]
        trans_b = any(a.name == 'transB' and a.i for a in n.attribute)
        if n.op_type == 'Conv':
            views[n.input[1]] = (d[0], int(np.prod(d[1:])), False)
        else:
            views[n.input[1]] = (d[0], d[1], False) if trans_b else (d[1], d[0], True)
    return views


def stored_values(enc, data, view):
    """How many f32 values the packed layout of ir/sparse.h stores for a
    weight with this encoding text and logical data."""
    rows, cols, transposed = view
    w = np.array(data, np.float32)
    w = w.reshape(cols, rows).T if transposed else w.reshape(rows, cols)
    kind = encoding_kind(enc)
    if kind == 'csr':
        return int(np.count_nonzero(w))
    if kind == 'bsr':
        r, c = (int(v) for v in re.match(r'bsr<(\d+)x(\d+)', enc).groups())
        padded = np.zeros((-(-rows // r) * r, -(-cols // c) * c), np.float32)
        padded[:rows, :cols] = w
        blocks = padded.reshape(padded.shape[0] // r, r, padded.shape[1] // c, c)
        return int(np.count_nonzero(np.abs(blocks).sum(axis=(1, 3)))) * r * c
    if kind == 'nm':
        n, m = (int(v) for v in re.match(r'nm<(\d+):(\d+)', enc).groups())
        return rows * -(-cols // m) * n
    return rows * cols


FLOAT_ARRAY_RE = re.compile(r'\bfloat\s+\w+\s*\[[^\]]*\]\s*=\s*\{([^}]*)\}')


def c_float_values(c_text):
    """How many values the float arrays of generated C initialize."""
    total = 0
    for m in FLOAT_ARRAY_RE.finditer(c_text):
        body = m.group(1).strip().rstrip(',')
        total += body.count(',') + 1 if body else 0
    return total


ORT_VERSION = '1.30.0'


def install_ort(ort_dir, name):
    """onnxruntime-node ORT_VERSION in ort_dir/node_modules, or skip test
    `name`. Several tests may ask at once (ctest -j2): a lock file makes one
    install and the others wait for it."""
    import fcntl
    import json
    import shutil
    pkg = os.path.join(ort_dir, 'node_modules', 'onnxruntime-node', 'package.json')
    if not shutil.which('npm') or not shutil.which('node'):
        skip(name, 'node or npm not found')
    os.makedirs(ort_dir, exist_ok=True)
    with open(os.path.join(ort_dir, '.install.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(pkg) and json.load(open(pkg)).get('version') == ORT_VERSION:
            return
        # skip: the install script would download GPU libraries; the CPU
        # binding ships in the package.
        env = dict(os.environ, ONNXRUNTIME_NODE_INSTALL='skip')
        try:
            p = subprocess.run(['npm', 'install', '--prefix', ort_dir, '--no-save', '--no-audit',
                                '--no-fund', f'onnxruntime-node@{ORT_VERSION}'],
                               env=env, capture_output=True, text=True, timeout=600)
            tail = ' '.join(p.stderr.split())[-300:]
        except subprocess.TimeoutExpired:
            tail = 'timed out after 600 s'
        if not os.path.exists(pkg):
            skip(name, f'npm install onnxruntime-node@{ORT_VERSION} failed: {tail}')
