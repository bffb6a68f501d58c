"""models.py - the benchmark models, built with onnx.helper (fixed seeds).

Each entry: name -> (model, {input name: numpy array}). Shapes follow
RESEARCH.md's reference points: the BERT-base FFN block at sequence 128,
a batch-1 MLP (memory-bound, where sparse bytes matter most) and a
MobileNet-like 1x1 + 3x3 convolution pair."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def _model(name, nodes, inputs, outputs, inits):
    g = helper.make_graph(nodes, name, inputs, outputs,
                          [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', OPSET)])
    m.ir_version = 8
    return m


def ffn(seq=128, d=768, h=3072):
    rng = np.random.default_rng(1)
    w1 = (rng.standard_normal((d, h)) / np.sqrt(d)).astype(np.float32)
    w2 = (rng.standard_normal((h, d)) / np.sqrt(h)).astype(np.float32)
    b1 = rng.standard_normal(h).astype(np.float32) * 0.1
    b2 = rng.standard_normal(d).astype(np.float32) * 0.1
    nodes = [helper.make_node('MatMul', ['x', 'w1'], ['t1']),
             helper.make_node('Add', ['t1', 'b1'], ['t2']),
             helper.make_node('Relu', ['t2'], ['t3']),
             helper.make_node('MatMul', ['t3', 'w2'], ['t4']),
             helper.make_node('Add', ['t4', 'b2'], ['y'])]
    m = _model('ffn', nodes, [helper.make_tensor_value_info('x', TensorProto.FLOAT, [seq, d])],
               [helper.make_tensor_value_info('y', TensorProto.FLOAT, [seq, d])],
               {'w1': w1, 'b1': b1, 'w2': w2, 'b2': b2})
    return m, {'x': rng.standard_normal((seq, d)).astype(np.float32)}


def mlp(n=1024, layers=3):
    rng = np.random.default_rng(2)
    nodes, inits, prev = [], {}, 'x'
    for i in range(layers):
        inits[f'w{i}'] = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32)
        inits[f'b{i}'] = np.zeros(n, np.float32)
        out = 'y' if i == layers - 1 else f'h{i}'
        nodes.append(helper.make_node('Gemm', [prev, f'w{i}', f'b{i}'], [out], transB=1))
        prev = out
    m = _model('mlp', nodes, [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, n])],
               [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, n])], inits)
    return m, {'x': rng.standard_normal((1, n)).astype(np.float32)}


def convs(c=64, hw=56):
    rng = np.random.default_rng(3)
    w1 = (rng.standard_normal((c, c, 1, 1)) / np.sqrt(c)).astype(np.float32)
    w2 = (rng.standard_normal((c, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32)
    nodes = [helper.make_node('Conv', ['x', 'w1'], ['t1']),
             helper.make_node('Relu', ['t1'], ['t2']),
             helper.make_node('Conv', ['t2', 'w2'], ['y'], pads=[1, 1, 1, 1])]
    m = _model('convs', nodes,
               [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, c, hw, hw])],
               [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, c, hw, hw])],
               {'w1': w1, 'w2': w2})
    return m, {'x': rng.standard_normal((1, c, hw, hw)).astype(np.float32)}


def gelu(seq=128, h=3072):
    """Bias + Gelu as exporters spell it (Div, Erf, Add, Mul, Mul): elementwise
    only, so it measures fuse-elementwise (variants dense / dense no-fuse)."""
    rng = np.random.default_rng(4)
    c = {'b': rng.standard_normal(h).astype(np.float32) * 0.1,
         'sqrt2': np.array(np.sqrt(2), np.float32), 'one': np.array(1, np.float32),
         'half': np.array(0.5, np.float32)}
    nodes = [helper.make_node('Add', ['x', 'b'], ['t0']),
             helper.make_node('Div', ['t0', 'sqrt2'], ['t1']),
             helper.make_node('Erf', ['t1'], ['t2']),
             helper.make_node('Add', ['t2', 'one'], ['t3']),
             helper.make_node('Mul', ['t0', 'half'], ['t4']),
             helper.make_node('Mul', ['t4', 't3'], ['y'])]
    m = _model('gelu', nodes, [helper.make_tensor_value_info('x', TensorProto.FLOAT, [seq, h])],
               [helper.make_tensor_value_info('y', TensorProto.FLOAT, [seq, h])], c)
    return m, {'x': rng.standard_normal((seq, h)).astype(np.float32)}


MODELS = {'ffn': ffn, 'mlp': mlp, 'convs': convs, 'gelu': gelu}
# Models without weights: the sparsity variants would only repeat 'dense'.
WEIGHTLESS = {'gelu'}
