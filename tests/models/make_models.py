#!/usr/bin/env python3
"""make_models.py - realistic test models for run_models.py (issue 4, item 4:
real-model readiness), built with onnx.helper from fixed seeds so every run
writes the same files.

The backend test suite has one op per model; exporters write graphs that mix
what those tests never combine: NHWC inputs transposed in the graph, weights
half in Constant nodes and half in initializers, int64 shape arithmetic
(Shape -> Gather -> Unsqueeze -> Concat -> Reshape), value_info, Gelu and
scaled attention spelled out as elementwise ops, old IR versions that list
initializers as graph inputs and domain-qualified node types.

    make_models.py OUT_DIR   writes OUT_DIR/<model>/model.onnx and input_0.pb
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

F = TensorProto.FLOAT
I64 = TensorProto.INT64


class Builder:
    """Accumulates nodes and initializers; names values v0, v1, ..."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0

    def fresh(self, stem='v'):
        self.n += 1
        return f'{stem}{self.n}'

    def op(self, op_type, inputs, stem='v', **attrs):
        out = self.fresh(stem)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f'{op_type}_{self.n}', **attrs))
        return out

    def init(self, arr, stem='w'):
        name = self.fresh(stem)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def const(self, arr, stem='c'):
        """A Constant node, as exporters write some weights and shapes."""
        name = self.fresh(stem)
        self.nodes.append(helper.make_node('Constant', [], [name], name=f'Constant_{self.n}',
                                           value=numpy_helper.from_array(arr, name + '_value')))
        return name

    def randn(self, *shape, scale=1.0):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)


def finish(b, name, inputs, outputs, opset, ir_version=None):
    graph = helper.make_graph(b.nodes, name, inputs, outputs, b.inits)
    model = helper.make_model(graph, producer_name='spcc-tests',
                              opset_imports=[helper.make_operatorsetid('', opset)])
    if ir_version is not None:
        model.ir_version = ir_version
    return model


def cnn():
    """NHWC image -> Transpose -> Conv/BN/HardSwish, depthwise, 1x1 -> GAP ->
    Flatten -> Gemm -> Reshape to [N, 2, 5] through int64 shape ops."""
    b = Builder(1)
    x = b.op('Transpose', ['X'], perm=[0, 3, 1, 2])

    def conv_bn_hs(x, cin, cout, k, stride, group, in_constant):
        w = b.randn(cout, cin // group, k, k, scale=1.0 / np.sqrt(cin // group * k * k))
        wn = b.const(w, 'cw') if in_constant else b.init(w, 'cw')
        y = b.op('Conv', [x, wn, b.init(b.randn(cout, scale=0.1), 'cb')], kernel_shape=[k, k],
                 strides=[stride, stride], pads=[k // 2] * 4, group=group)
        scale, bias = b.randn(cout, scale=0.2) + 1, b.randn(cout, scale=0.1)
        mean, var = b.randn(cout, scale=0.1), np.abs(b.randn(cout, scale=0.3)) + 0.5
        bn = [b.const(scale) if in_constant else b.init(scale), b.init(bias), b.init(mean),
              b.init(var.astype(np.float32))]
        y = b.op('BatchNormalization', [y] + bn, epsilon=1e-3)
        return b.op('HardSwish', [y])

    x = conv_bn_hs(x, 3, 8, 3, 2, 1, True)
    x = conv_bn_hs(x, 8, 8, 3, 1, 8, False)      # depthwise
    x = conv_bn_hs(x, 8, 16, 1, 1, 1, True)
    x = conv_bn_hs(x, 16, 16, 3, 2, 16, False)   # depthwise, stride 2
    x = b.op('GlobalAveragePool', [x])
    x = b.op('Flatten', [x], axis=1)
    logits = b.op('Gemm', [x, b.init(b.randn(10, 16, scale=0.25)), b.const(b.randn(10, scale=0.1))],
                  transB=1)
    shape = b.op('Shape', ['X'])
    n = b.op('Gather', [shape, b.const(np.array(0, np.int64))], axis=0)
    n1 = b.op('Unsqueeze', [n, b.const(np.array([0], np.int64))])
    target = b.op('Concat', [n1, b.const(np.array([2, 5], np.int64))], axis=0)
    b.nodes.append(helper.make_node('Reshape', [logits, target], ['Y'], name='Reshape_out'))
    m = finish(b, 'small_cnn', [helper.make_tensor_value_info('X', F, [1, 24, 24, 3])],
               [helper.make_tensor_value_info('Y', F, [1, 2, 5])], 14)
    m = shape_inference.infer_shapes(m)           # value_info for every intermediate
    assert len(m.graph.value_info) > 10
    return m, [b.randn(1, 24, 24, 3)]


def transformer():
    """One post-norm encoder layer: 4-head self-attention and an Erf-Gelu MLP."""
    seq, dim, heads, ffn = 16, 64, 4, 128
    hd = dim // heads
    b = Builder(2)

    def linear(x, cin, cout):
        y = b.op('MatMul', [x, b.init(b.randn(cin, cout, scale=1.0 / np.sqrt(cin)))])
        return b.op('Add', [y, b.init(b.randn(cout, scale=0.1))])

    def layer_norm(x):
        return b.op('LayerNormalization', [x, b.init(b.randn(dim, scale=0.1) + 1),
                                           b.init(b.randn(dim, scale=0.1))], axis=-1, epsilon=1e-5)

    split = b.const(np.array([1, seq, heads, hd], np.int64), 'shape')
    q = b.op('Transpose', [b.op('Reshape', [linear('X', dim, dim), split])], perm=[0, 2, 1, 3])
    k = b.op('Transpose', [b.op('Reshape', [linear('X', dim, dim), split])], perm=[0, 2, 3, 1])
    v = b.op('Transpose', [b.op('Reshape', [linear('X', dim, dim), split])], perm=[0, 2, 1, 3])
    s = b.op('Div', [b.op('MatMul', [q, k]), b.const(np.array(np.sqrt(hd), np.float32))])
    p = b.op('Softmax', [s], axis=-1)
    a = b.op('Transpose', [b.op('MatMul', [p, v])], perm=[0, 2, 1, 3])
    a = b.op('Reshape', [a, b.const(np.array([1, seq, dim], np.int64), 'shape')])
    h = layer_norm(b.op('Add', ['X', linear(a, dim, dim)]))
    f = linear(h, dim, ffn)
    erf = b.op('Erf', [b.op('Div', [f, b.const(np.array(np.sqrt(2), np.float32))])])
    g = b.op('Mul', [b.op('Mul', [f, b.const(np.array(0.5, np.float32))]),
                     b.op('Add', [erf, b.const(np.array(1, np.float32))])])
    y = b.op('Add', [h, linear(g, ffn, dim)])
    b.nodes.append(helper.make_node('LayerNormalization',
                                    [y, b.init(b.randn(dim, scale=0.1) + 1), b.init(b.randn(dim, scale=0.1))],
                                    ['Y'], name='LayerNorm_out', axis=-1, epsilon=1e-5))
    m = finish(b, 'encoder_layer', [helper.make_tensor_value_info('X', F, [1, seq, dim])],
               [helper.make_tensor_value_info('Y', F, [1, seq, dim])], 17)
    m = shape_inference.infer_shapes(m)
    return m, [b.randn(1, seq, dim)]


def ir3_mlp():
    """IR version 3 (opset 8): initializers repeated as graph inputs, node
    types qualified with domain 'ai.onnx'."""
    b = Builder(3)
    w1, c1 = b.init(b.randn(20, 32, scale=0.3), 'W'), b.init(b.randn(32, scale=0.1), 'B')
    w2, c2 = b.init(b.randn(32, 6, scale=0.3), 'W'), b.init(b.randn(6, scale=0.1), 'B')
    h = b.op('Relu', [b.op('Add', [b.op('MatMul', ['X', w1]), c1])])
    h = b.op('Gemm', [h, w2, c2], alpha=1.0, beta=1.0)
    b.nodes.append(helper.make_node('Sigmoid', [h], ['Y'], name='Sigmoid_out'))
    for n in b.nodes:
        n.domain = 'ai.onnx'
    inputs = [helper.make_tensor_value_info('X', F, [4, 20])]
    inputs += [helper.make_tensor_value_info(t.name, F, list(t.dims)) for t in b.inits]
    m = finish(b, 'ir3_mlp', inputs, [helper.make_tensor_value_info('Y', F, [4, 6])], 8, ir_version=3)
    return m, [b.randn(4, 20)]


def lstm_tagger():
    """Sequence tagger: int64 token ids [seq, batch] -> embedding Gather ->
    forward LSTM (with bias) -> Squeeze num_directions -> linear -> LogSoftmax."""
    seq, vocab, dim, hidden, tags = 12, 50, 16, 24, 9
    b = Builder(4)
    emb = b.op('Gather', [b.init(b.randn(vocab, dim, scale=0.5), 'emb'), 'X'], axis=0)
    w = b.init(b.randn(1, 4 * hidden, dim, scale=1.0 / np.sqrt(dim)), 'W')
    r = b.init(b.randn(1, 4 * hidden, hidden, scale=1.0 / np.sqrt(hidden)), 'R')
    bias = b.init(b.randn(1, 8 * hidden, scale=0.1), 'B')
    y = b.op('LSTM', [emb, w, r, bias], hidden_size=hidden, direction='forward')
    y = b.op('Squeeze', [y, b.const(np.array([1], np.int64))])          # [seq, batch, hidden]
    y = b.op('Add', [b.op('MatMul', [y, b.init(b.randn(hidden, tags, scale=1.0 / np.sqrt(hidden)))]),
                     b.init(b.randn(tags, scale=0.1))])
    b.nodes.append(helper.make_node('LogSoftmax', [y], ['Y'], name='LogSoftmax_out', axis=-1))
    m = finish(b, 'lstm_tagger', [helper.make_tensor_value_info('X', I64, [seq, 1])],
               [helper.make_tensor_value_info('Y', F, [seq, 1, tags])], 14)
    return m, [b.rng.integers(0, vocab, size=(seq, 1)).astype(np.int64)]


def sub_builder(parent):
    """A Builder for a subgraph body, sharing the parent's random stream and
    value numbering so names never clash."""
    b = Builder(0)
    b.rng, b.n = parent.rng, parent.n
    return b


def subgraph(b, parent, name, inputs, outputs):
    parent.n = b.n
    return helper.make_graph(b.nodes, name, inputs, outputs, b.inits)


def gated_block():
    """Two If nodes on a runtime bool (one on its negation, so both branches
    of each are checked) around an MLP block with and without its skip
    connection, and one If whose condition folds from the input's shape."""
    dim, hid = 16, 32
    b = Builder(5)
    w1, b1 = b.init(b.randn(dim, hid, scale=0.25)), b.init(b.randn(hid, scale=0.1))
    w2 = b.init(b.randn(hid, dim, scale=0.2))

    def gate(cond, x):
        outs = []
        for skip in (True, False):
            sb = sub_builder(b)
            h = sb.op('Relu', [sb.op('Add', [sb.op('MatMul', [x, w1]), b1])])
            y = sb.op('MatMul', [h, w2])
            if skip:
                y = sb.op('Add', [y, x])
            out = sb.op('Identity', [y], 'branch_out')
            outs.append(subgraph(sb, b, 'then' if skip else 'else', [],
                                 [helper.make_tensor_value_info(out, F, [4, dim])]))
        return b.op('If', [cond], then_branch=outs[0], else_branch=outs[1])

    y1 = gate('use_skip', 'X')
    y2 = gate(b.op('Not', ['use_skip']), y1)
    width = b.op('Gather', [b.op('Shape', ['X']), b.const(np.array(1, np.int64))], axis=0)
    wide = b.op('Equal', [width, b.const(np.array(dim, np.int64))])
    tb, eb = sub_builder(b), sub_builder(b)
    t_out = tb.op('Sigmoid', [y2])
    e_out = eb.op('Neg', [y2])
    then_g = subgraph(tb, b, 'then', [], [helper.make_tensor_value_info(t_out, F, [4, dim])])
    else_g = subgraph(eb, b, 'else', [], [helper.make_tensor_value_info(e_out, F, [4, dim])])
    b.nodes.append(helper.make_node('If', [wide], ['Y'], name='If_shape', then_branch=then_g,
                                    else_branch=else_g))
    m = finish(b, 'gated_block', [helper.make_tensor_value_info('X', F, [4, dim]),
                                  helper.make_tensor_value_info('use_skip', TensorProto.BOOL, [])],
               [helper.make_tensor_value_info('Y', F, [4, dim])], 13)
    return m, [b.randn(4, dim), np.array(True)]


def scripted_rnn():
    """What torch.jit.script exports for Python loops: a Loop over the time
    steps (trip count from Shape, folded) with a scan output, then a
    while-style Loop whose condition depends on the data (max 5 steps)."""
    seq, dim, hid = 6, 8, 16
    b = Builder(6)
    wx, wh = b.init(b.randn(dim, hid, scale=0.4)), b.init(b.randn(hid, hid, scale=0.3))
    bias = b.init(b.randn(hid, scale=0.1))
    m_steps = b.op('Gather', [b.op('Shape', ['X']), b.const(np.array(0, np.int64))], axis=0)
    h0 = b.op('ConstantOfShape', [b.const(np.array([1, hid], np.int64))],
              value=numpy_helper.from_array(np.zeros(1, np.float32)))
    sb = sub_builder(b)
    x_t = sb.op('Gather', ['X', 'it'], axis=0)
    pre = sb.op('Add', [sb.op('Add', [sb.op('MatMul', [x_t, wx]), sb.op('MatMul', ['h_in', wh])]), bias])
    sb.nodes.append(helper.make_node('Tanh', [pre], ['h_out']))
    sb.nodes.append(helper.make_node('Identity', ['h_out'], ['h_scan']))
    sb.nodes.append(helper.make_node('Identity', ['c_in'], ['c_out']))
    body = subgraph(sb, b, 'rnn_body',
                    [helper.make_tensor_value_info('it', I64, []),
                     helper.make_tensor_value_info('c_in', TensorProto.BOOL, []),
                     helper.make_tensor_value_info('h_in', F, [1, hid])],
                    [helper.make_tensor_value_info('c_out', TensorProto.BOOL, []),
                     helper.make_tensor_value_info('h_out', F, [1, hid]),
                     helper.make_tensor_value_info('h_scan', F, [1, hid])])
    true = b.const(np.array(True))
    b.nodes.append(helper.make_node('Loop', [m_steps, true, h0], ['h_last', 'H'], name='Loop_rnn',
                                    body=body))
    # while sum(|h|) > limit and i < 5: h = 0.5 * h
    wb = sub_builder(b)
    wb.nodes.append(helper.make_node('Mul', ['g_in', b.const(np.array(0.5, np.float32))], ['g_out']))
    norm = wb.op('ReduceSum', [wb.op('Abs', ['g_out'])], keepdims=0)
    wb.nodes.append(helper.make_node('Greater', [norm, 'limit'], ['w_c_out']))
    wbody = subgraph(wb, b, 'while_body',
                     [helper.make_tensor_value_info('wi', I64, []),
                      helper.make_tensor_value_info('w_c_in', TensorProto.BOOL, []),
                      helper.make_tensor_value_info('g_in', F, [1, hid])],
                     [helper.make_tensor_value_info('w_c_out', TensorProto.BOOL, []),
                      helper.make_tensor_value_info('g_out', F, [1, hid])])
    start = b.op('Greater', [b.op('ReduceSum', [b.op('Abs', ['h_last'])], keepdims=0), 'limit'])
    b.nodes.append(helper.make_node('Loop', [b.const(np.array(5, np.int64)), start, 'h_last'],
                                    ['G'], name='Loop_while', body=wbody))
    m = finish(b, 'scripted_rnn', [helper.make_tensor_value_info('X', F, [seq, 1, dim]),
                                   helper.make_tensor_value_info('limit', F, [])],
               [helper.make_tensor_value_info('H', F, [seq, 1, hid]),
                helper.make_tensor_value_info('G', F, [1, hid])], 13)
    return m, [b.randn(seq, 1, dim), np.array(2.0, np.float32)]


def sequence_ops():
    """Split into a sequence, edit it (insert, erase, at), run a Loop that
    pushes a transformed element per step, and concatenate back."""
    b = Builder(7)
    seq = b.op('SplitToSequence', ['X', b.const(np.array([4, 4, 4], np.int64))], axis=1)
    first = b.op('SequenceAt', [seq, b.const(np.array(0, np.int64))])
    seq2 = b.op('SequenceInsert', [seq, b.op('Relu', [first])])          # at the back
    seq3 = b.op('SequenceErase', [seq2, b.const(np.array(1, np.int64))])
    n = b.op('SequenceLength', [seq3])
    lb = sub_builder(b)
    elem = lb.op('SequenceAt', [seq3, 'i'])
    scaled = lb.op('Mul', [elem, lb.op('Cast', ['i'], to=F)])
    lb.nodes.append(helper.make_node('SequenceInsert', ['acc_in', scaled], ['acc_out']))
    lb.nodes.append(helper.make_node('Identity', ['c_in'], ['c_out']))
    elem_t = helper.make_tensor_sequence_value_info('acc_in', F, None)
    body = subgraph(lb, b, 'push_body',
                    [helper.make_tensor_value_info('i', I64, []),
                     helper.make_tensor_value_info('c_in', TensorProto.BOOL, []), elem_t],
                    [helper.make_tensor_value_info('c_out', TensorProto.BOOL, []),
                     helper.make_tensor_sequence_value_info('acc_out', F, None)])
    empty = b.op('SequenceEmpty', [], dtype=F)
    b.nodes.append(helper.make_node('Loop', [n, '', empty], ['acc'], name='Loop_push', body=body))
    b.nodes.append(helper.make_node('ConcatFromSequence', ['acc'], ['Y'], name='Concat_out',
                                    axis=1, new_axis=1))
    m = finish(b, 'sequence_ops', [helper.make_tensor_value_info('X', F, [2, 12, 5])],
               [helper.make_tensor_value_info('Y', F, [2, 3, 4, 5])], 13)
    return m, [b.randn(2, 12, 5)]


def einsum_attention():
    """Attention written with Einsum, as TensorFlow/JAX exports spell it:
    scores 'bqhd,bkhd->bhqk', softmax, context 'bhqk,bkhd->bqhd', and a
    projection '...d,de->...e'."""
    seq, heads, hd = 8, 2, 16
    b = Builder(8)
    q = b.op('Einsum', ['X', b.init(b.randn(heads * hd, heads, hd, scale=0.2))],
             equation='bsd,dhe->bshe')
    k = b.op('Einsum', ['X', b.init(b.randn(heads * hd, heads, hd, scale=0.2))],
             equation='bsd,dhe->bshe')
    v = b.op('Einsum', ['X', b.init(b.randn(heads * hd, heads, hd, scale=0.2))],
             equation='bsd,dhe->bshe')
    s = b.op('Einsum', [q, k], equation='bqhd,bkhd->bhqk')
    p = b.op('Softmax', [b.op('Mul', [s, b.const(np.array(0.25, np.float32))])], axis=-1)
    c = b.op('Einsum', [p, v], equation='bhqk,bkhd->bqhd')
    c = b.op('Reshape', [c, b.const(np.array([1, seq, heads * hd], np.int64))])
    b.nodes.append(helper.make_node('Einsum', [c, b.init(b.randn(heads * hd, 24, scale=0.2))],
                                    ['Y'], name='Einsum_out', equation='...d,de->...e'))
    m = finish(b, 'einsum_attention', [helper.make_tensor_value_info('X', F, [1, seq, heads * hd])],
               [helper.make_tensor_value_info('Y', F, [1, seq, 24])], 13)
    return m, [b.randn(1, seq, heads * hd)]


def local_functions():
    """Model-local functions as onnxscript-based exporters write them: a
    'LinearAct' function (MatMul + Add + LeakyRelu whose alpha refers to the
    call's attribute) called twice with different alphas, and a 'Block'
    function that calls it (nested) and has its own opset."""
    dom = 'custom.fn'
    alpha_ref = onnx.AttributeProto(name='alpha', ref_attr_name='slope',
                                    type=onnx.AttributeProto.FLOAT)
    act = helper.make_node('LeakyRelu', ['h'], ['y'])
    act.attribute.append(alpha_ref)
    linear_act = helper.make_function(
        dom, 'LinearAct', ['x', 'w', 'b'], ['y'],
        [helper.make_node('MatMul', ['x', 'w'], ['m']), helper.make_node('Add', ['m', 'b'], ['h']), act],
        [helper.make_operatorsetid('', 14)], ['slope'])
    block = helper.make_function(
        dom, 'Block', ['x', 'w', 'b'], ['y'],
        [helper.make_node('LinearAct', ['x', 'w', 'b'], ['t'], domain=dom, slope=0.5),
         helper.make_node('Add', ['t', 'x'], ['y'])],
        [helper.make_operatorsetid('', 14), helper.make_operatorsetid(dom, 1)], [])
    b = Builder(9)
    w1, b1 = b.init(b.randn(16, 16, scale=0.3)), b.init(b.randn(16, scale=0.1))
    w2, b2 = b.init(b.randn(16, 16, scale=0.3)), b.init(b.randn(16, scale=0.1))
    h = b.fresh('h')
    b.nodes.append(helper.make_node('LinearAct', ['X', w1, b1], [h], name='call1', domain=dom, slope=0.1))
    b.nodes.append(helper.make_node('Block', [h, w2, b2], ['Y'], name='call2', domain=dom))
    graph = helper.make_graph(b.nodes, 'local_functions', [helper.make_tensor_value_info('X', F, [4, 16])],
                              [helper.make_tensor_value_info('Y', F, [4, 16])], b.inits)
    m = helper.make_model(graph, producer_name='spcc-tests', functions=[linear_act, block],
                          opset_imports=[helper.make_operatorsetid('', 14),
                                         helper.make_operatorsetid(dom, 1)])
    return m, [b.randn(4, 16)]


def grid_sample():
    """GridSample in every mode x padding x align_corners combination on one
    image and a grid reaching past the borders (spatial transformers,
    optical-flow warps), concatenated along the channels."""
    b = Builder(10)
    outs = []
    for mode in ('bilinear', 'nearest', 'bicubic'):
        for pad in ('zeros', 'border', 'reflection'):
            for align in (0, 1):
                outs.append(b.op('GridSample', ['X', 'G'], mode=mode, padding_mode=pad,
                                 align_corners=align))
    b.nodes.append(helper.make_node('Concat', outs, ['Y'], name='Concat_out', axis=1))
    m = finish(b, 'grid_sample', [helper.make_tensor_value_info('X', F, [1, 2, 5, 7]),
                                  helper.make_tensor_value_info('G', F, [1, 4, 6, 2])],
               [helper.make_tensor_value_info('Y', F, [1, 36, 4, 6])], 16)
    grid = b.rng.uniform(-1.3, 1.3, size=(1, 4, 6, 2)).astype(np.float32)
    return m, [b.randn(1, 2, 5, 7), grid]


MODELS = {'small_cnn': cnn, 'encoder_layer': transformer, 'ir3_mlp': ir3_mlp,
          'lstm_tagger': lstm_tagger, 'gated_block': gated_block, 'scripted_rnn': scripted_rnn,
          'sequence_ops': sequence_ops, 'einsum_attention': einsum_attention,
          'local_functions': local_functions, 'grid_sample': grid_sample}


def main():
    out = sys.argv[1]
    for name, make in MODELS.items():
        model, inputs = make()
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        if model.ir_version > 3:
            onnx.checker.check_model(model)
        onnx.save(model, os.path.join(d, 'model.onnx'))
        for k, x in enumerate(inputs):
            with open(os.path.join(d, f'input_{k}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(x, model.graph.input[k].name).SerializeToString())


if __name__ == '__main__':
    main()
