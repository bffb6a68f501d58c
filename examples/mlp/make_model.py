#!/usr/bin/env python3
"""make_model.py - builds the example MLP and its reference data.

x[1,64] -> Gemm(64x32) -> Relu -> Gemm(32x10) -> Softmax -> y[1,10], with
fixed-seed random weights, opset 13, IR version 8. Writes into OUT_DIR
(default: the current directory):
  model.onnx                       the model
  input_0.pb, output_0.pb          a sample input and numpy's output (for spcc run)
  input.txt, expected.txt          the same numbers as text, one per line (for main.c)
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else '.'
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2024)
    w1 = (rng.standard_normal((64, 32)) / 8).astype(np.float32)
    b1 = (rng.standard_normal(32) / 10).astype(np.float32)
    w2 = (rng.standard_normal((32, 10)) / 4).astype(np.float32)
    b2 = (rng.standard_normal(10) / 10).astype(np.float32)
    x = rng.standard_normal((1, 64)).astype(np.float32)

    graph = helper.make_graph(
        [helper.make_node('Gemm', ['x', 'w1', 'b1'], ['h'], name='fc1'),
         helper.make_node('Relu', ['h'], ['r'], name='relu1'),
         helper.make_node('Gemm', ['r', 'w2', 'b2'], ['logits'], name='fc2'),
         helper.make_node('Softmax', ['logits'], ['y'], name='softmax', axis=-1)],
        'mlp',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(w1, 'w1'), numpy_helper.from_array(b1, 'b1'),
         numpy_helper.from_array(w2, 'w2'), numpy_helper.from_array(b2, 'b2')])
    model = helper.make_model(graph, producer_name='spcc-example',
                              opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, 'model.onnx'))

    # The reference, in float64 then rounded, so it does not share float32
    # rounding with the code under test.
    logits = np.maximum(x.astype(np.float64) @ w1 + b1, 0) @ w2 + b2
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    y = (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)

    onnx.save_tensor(numpy_helper.from_array(x, 'x'), os.path.join(out, 'input_0.pb'))
    onnx.save_tensor(numpy_helper.from_array(y, 'y'), os.path.join(out, 'output_0.pb'))
    for name, a in (('input.txt', x), ('expected.txt', y)):
        with open(os.path.join(out, name), 'w') as f:
            f.writelines(f'{v:.9g}\n' for v in a.ravel())
    print(f'make_model: wrote {out}/model.onnx (argmax {int(y.argmax())})')


if __name__ == '__main__':
    main()
