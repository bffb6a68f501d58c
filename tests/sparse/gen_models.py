#!/usr/bin/env python3
"""gen_models.py OUT_DIR - the small models of the sparse differential tests.

Writes OUT_DIR/NAME/model.onnx and OUT_DIR/NAME/input_0.pb for every model in
MODELS: MatMul (2-D and batched 3-D X, odd K and N), Gemm (every transA /
transB, with and without C, alpha and beta != 1), Conv (1x1, 3x3 pad 1, 5x5
stride 2 with asymmetric pads, dilated, depthwise, grouped, 1-D), a small
chain, and weights with empty output rows or no nonzero at all. Weights are
initializers named W* (biases B*, C*), so the tests can find them in the IR.
Values are random with fixed seeds, scaled so outputs are O(1) and float
rounding stays far below the tests' tolerance.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def weights(rng, shape, fan_in):
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)


def model(name, nodes, x_shape, inits, rng):
    """One graph: input X, output Y, the given nodes and initializers."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info('Y', TensorProto.FLOAT, None)],
        [numpy_helper.from_array(a, n) for n, a in inits.items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)],
                          producer_name='spcc-sparse-tests')
    m.ir_version = 7
    m = onnx.shape_inference.infer_shapes(m, strict_mode=True)  # fills Y's shape
    onnx.checker.check_model(m)
    x = rng.standard_normal(x_shape).astype(np.float32)
    return name, m, x


def matmul(name, rng, x_shape, n, zero_rows=(), all_zero=False):
    k = x_shape[-1]
    w = weights(rng, (k, n), k)
    w[:, list(zero_rows)] = 0           # output channel n = column of W
    if all_zero:
        w[:] = 0
    return model(name, [helper.make_node('MatMul', ['X', 'W'], ['Y'])], x_shape, {'W': w}, rng)


def gemm(name, rng, m_, k, n, trans_a, trans_b, c_shape=None, alpha=1.0, beta=1.0,
         zero_rows=()):
    w = weights(rng, (n, k) if trans_b else (k, n), k)
    if trans_b:
        w[list(zero_rows), :] = 0
    else:
        w[:, list(zero_rows)] = 0
    inits = {'W': w}
    ins = ['X', 'W']
    if c_shape is not None:
        inits['C'] = rng.standard_normal(c_shape).astype(np.float32)
        ins.append('C')
    node = helper.make_node('Gemm', ins, ['Y'], transA=trans_a, transB=trans_b,
                            alpha=alpha, beta=beta)
    return model(name, [node], [k, m_] if trans_a else [m_, k], inits, rng)


def conv(name, rng, x_shape, co, kernel, group=1, bias=True, zero_rows=(), all_zero=False,
         **attrs):
    ci = x_shape[1]
    w = weights(rng, [co, ci // group] + list(kernel), ci // group * int(np.prod(kernel)))
    w[list(zero_rows)] = 0
    if all_zero:
        w[:] = 0
    inits = {'W': w}
    ins = ['X', 'W']
    if bias:
        inits['B'] = rng.standard_normal(co).astype(np.float32)
        ins.append('B')
    node = helper.make_node('Conv', ins, ['Y'], kernel_shape=list(kernel), group=group, **attrs)
    return model(name, [node], x_shape, inits, rng)


def mlp(name, rng):
    """Gemm -> Relu -> MatMul -> Add: two weights in one graph."""
    inits = {'W1': weights(rng, (100, 96), 96), 'B1': rng.standard_normal(100).astype(np.float32),
             'W2': weights(rng, (100, 45), 100), 'B2': rng.standard_normal(45).astype(np.float32)}
    nodes = [helper.make_node('Gemm', ['X', 'W1', 'B1'], ['h'], transB=1),
             helper.make_node('Relu', ['h'], ['r']),
             helper.make_node('MatMul', ['r', 'W2'], ['m']),
             helper.make_node('Add', ['m', 'B2'], ['Y'])]
    return model(name, nodes, [3, 96], inits, rng)


def random_matmul(seed):
    """Odd random sizes, batched or not."""
    rng = np.random.default_rng(seed)
    k, n = (int(v) for v in rng.integers(3, 140, 2))
    batch = [int(v) for v in rng.integers(1, 4, int(rng.integers(0, 2)))]
    return matmul(f'matmul_rand{seed}', rng, batch + [int(rng.integers(1, 9)), k], n)


def models():
    def r(seed):
        return np.random.default_rng(seed)
    return [
        matmul('matmul_2d', r(1), [5, 37], 53),
        matmul('matmul_3d', r(2), [2, 3, 37], 53),
        matmul('matmul_big', r(3), [4, 96], 67),
        matmul('matmul_4d', r(4), [2, 2, 3, 29], 130),
        gemm('gemm_n_n_c', r(10), 6, 37, 53, 0, 0, c_shape=[53], alpha=0.7, beta=1.3),
        gemm('gemm_t_n', r(11), 6, 37, 53, 1, 0),
        gemm('gemm_n_t_c2d', r(12), 6, 37, 53, 0, 1, c_shape=[6, 53], beta=0.5),
        gemm('gemm_t_t_c', r(13), 5, 70, 61, 1, 1, c_shape=[1, 61], alpha=2.0),
        gemm('gemm_n_t_big', r(14), 3, 129, 45, 0, 1, c_shape=[45], alpha=1.5, beta=0.25),
        conv('conv_1x1', r(20), [1, 16, 7, 9], 24, [1, 1]),
        conv('conv_1x1_big', r(21), [2, 64, 5, 6], 72, [1, 1], bias=False),
        conv('conv_3x3_big', r(31), [1, 32, 8, 8], 32, [3, 3], pads=[1, 1, 1, 1]),
        conv('conv_depthwise_big', r(32), [1, 512, 5, 5], 512, [3, 3], group=512,
             pads=[1, 1, 1, 1]),
        conv('conv_3x3_pad1', r(22), [1, 8, 9, 11], 16, [3, 3], pads=[1, 1, 1, 1]),
        conv('conv_5x5_s2_asym', r(23), [2, 6, 13, 12], 10, [5, 5], strides=[2, 2],
             pads=[1, 2, 2, 0]),
        conv('conv_dilated', r(24), [1, 5, 12, 12], 7, [3, 3], dilations=[2, 2], pads=[2, 2, 2, 2]),
        conv('conv_depthwise', r(25), [1, 12, 10, 10], 12, [3, 3], group=12, pads=[1, 1, 1, 1]),
        conv('conv_group2', r(26), [1, 8, 9, 9], 12, [3, 3], group=2),
        conv('conv_group4_s2', r(27), [1, 16, 11, 8], 16, [3, 3], group=4, strides=[2, 2],
             pads=[0, 1, 1, 0]),
        conv('conv_group4_1x1', r(28), [1, 16, 6, 6], 20, [1, 1], group=4, bias=False),
        conv('conv_1d', r(29), [2, 6, 31], 9, [5], pads=[2, 1], strides=[2]),
        mlp('mlp', r(30)),
        matmul('empty_rows_matmul', r(40), [4, 37], 53, zero_rows=range(0, 53, 3)),
        gemm('empty_rows_gemm_t', r(41), 4, 37, 53, 0, 1, c_shape=[53], zero_rows=(0, 5, 6, 52)),
        conv('empty_rows_conv', r(42), [1, 8, 7, 7], 16, [3, 3], pads=[1, 1, 1, 1],
             zero_rows=(1, 2, 3, 15)),
        matmul('all_zero_matmul', r(43), [3, 37], 53, all_zero=True),
        conv('all_zero_conv', r(44), [1, 4, 6, 6], 8, [3, 3], all_zero=True),
    ] + [random_matmul(seed) for seed in (100, 101, 102)]


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: gen_models.py OUT_DIR')
    for name, m, x in models():
        d = os.path.join(sys.argv[1], name)
        os.makedirs(d, exist_ok=True)
        onnx.save(m, os.path.join(d, 'model.onnx'))
        with open(os.path.join(d, 'input_0.pb'), 'wb') as f:
            f.write(numpy_helper.from_array(x, 'X').SerializeToString())


if __name__ == '__main__':
    main()
