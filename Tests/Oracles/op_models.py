#!/usr/bin/env python3
"""Single-op int8 TFLite fixtures with TFLite Micro's outputs as the oracle.

usage: op_models.py OUT_DIR [--seed N] [--scale X]

For every op Harken's int8 kernels implement, builds small single-operator
.tflite models with seeded random shapes, scales, zero points and options,
runs each in the TFLite Micro interpreter (the `tflite-micro` wheel) on seeded
random input (RELU's also in LiteRT, which must agree), adds fixed models at the
edge of the int32 accumulator bound (hk_kernels.h), and writes for each case NAME:

  NAME.tflite       the model
  NAME.input.bin    raw bytes of every graph input, concatenated in input order
  NAME.output.bin   raw bytes of every graph output, concatenated in output order

plus manifest.json listing every case (op, tensors' dtypes and shapes, the
options that were drawn) and the provenance (tool versions, seed).

The models are written with the TFLite schema's object API as shipped in
`ai-edge-litert` (ai_edge_litert.schema_py_generated); nothing here is typed
in by hand from an expected output.
"""

import argparse
import importlib.metadata
import json
import math
import os
import sys

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as S
from tflite_micro.python.tflite_micro import _version as tflm_version
from tflite_micro.python.tflite_micro import runtime

SCHEMA_VERSION = 1

NP_TO_TFL = {
    np.dtype(np.int8): S.TensorType.INT8,
    np.dtype(np.uint8): S.TensorType.UINT8,
    np.dtype(np.int16): S.TensorType.INT16,
    np.dtype(np.int32): S.TensorType.INT32,
    np.dtype(np.float32): S.TensorType.FLOAT32,
}

ACTIVATIONS = {
    "NONE": S.ActivationFunctionType.NONE,
    "RELU": S.ActivationFunctionType.RELU,
    "RELU6": S.ActivationFunctionType.RELU6,
    "RELU_N1_TO_1": S.ActivationFunctionType.RELU_N1_TO_1,
}
PADDINGS = {"SAME": S.Padding.SAME, "VALID": S.Padding.VALID}


class ModelBuilder:
    """Accumulates one subgraph with one operator and packs it as TFL3."""

    def __init__(self):
        self.tensors = []
        self.buffers = [S.BufferT()]  # buffer 0: the empty sentinel
        self.opcodes = []
        self.operators = []
        self.inputs = []
        self.outputs = []

    def tensor(self, shape, dtype, scale=None, zero_point=None, data=None, quantized_dimension=0,
               name=None):
        t = S.TensorT()
        t.shape = np.asarray(shape, dtype=np.int32)
        t.type = NP_TO_TFL[np.dtype(dtype)]
        t.name = name or "t%d" % len(self.tensors)
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data, dtype=dtype).tobytes(), dtype=np.uint8)
            t.buffer = len(self.buffers)
            self.buffers.append(b)
        else:
            t.buffer = 0
        if scale is not None:
            q = S.QuantizationParametersT()
            q.scale = np.atleast_1d(np.asarray(scale, dtype=np.float32))
            q.zeroPoint = np.atleast_1d(np.asarray(zero_point, dtype=np.int64))
            q.quantizedDimension = quantized_dimension
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def input(self, *args, **kwargs):
        i = self.tensor(*args, **kwargs)
        self.inputs.append(i)
        return i

    def output(self, *args, **kwargs):
        i = self.tensor(*args, **kwargs)
        self.outputs.append(i)
        return i

    def const_i32(self, values, shape=None):
        values = np.asarray(values, dtype=np.int32)
        return self.tensor(values.shape if shape is None else shape, np.int32, data=values)

    def op(self, code, inputs, outputs, options_type=S.BuiltinOptions.NONE, options=None):
        oc = S.OperatorCodeT()
        oc.builtinCode = code
        oc.deprecatedBuiltinCode = min(code, 127)
        oc.version = 1
        self.opcodes.append(oc)
        o = S.OperatorT()
        o.opcodeIndex = len(self.opcodes) - 1
        o.inputs = np.asarray(inputs, dtype=np.int32)
        o.outputs = np.asarray(outputs, dtype=np.int32)
        o.builtinOptionsType = options_type
        o.builtinOptions = options
        self.operators.append(o)

    def finish(self, description):
        sg = S.SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = np.asarray(self.inputs, dtype=np.int32)
        sg.outputs = np.asarray(self.outputs, dtype=np.int32)
        sg.operators = self.operators
        sg.name = "main"
        m = S.ModelT()
        m.version = 3
        m.operatorCodes = self.opcodes
        m.subgraphs = [sg]
        m.description = description
        m.buffers = self.buffers
        fb = flatbuffers.Builder(4096)
        fb.Finish(m.Pack(fb), file_identifier=b"TFL3")
        return bytes(fb.Output())


# ---- random draws -------------------------------------------------------------------------

def log_uniform(rng, lo, hi, size=None):
    return np.exp(rng.uniform(math.log(lo), math.log(hi), size))


def f32(x):
    return float(np.float32(x))


def zp8(rng):
    return int(rng.integers(-128, 128))


def rand_int8(rng, shape):
    return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)


def out_size(in_size, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        return (in_size + stride - 1) // stride
    return (in_size + stride - eff) // stride


# ---- one function per op: returns (model bytes, inputs, options dict) ------------------------

def case_conv(rng, depthwise):
    while True:
        n = int(rng.integers(1, 3))
        h, w = int(rng.integers(3, 11)), int(rng.integers(3, 11))
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        dh, dw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        padding = str(rng.choice(["SAME", "VALID"]))
        oh, ow = out_size(h, kh, sh, dh, padding), out_size(w, kw, sw, dw, padding)
        if oh >= 1 and ow >= 1:
            break
    cin = int(rng.integers(1, 7))
    dm = int(rng.integers(1, 3)) if depthwise else 1
    cout = cin * dm if depthwise else int(rng.integers(1, 7))
    groups = 1
    if not depthwise and rng.integers(0, 4) == 0:
        # grouped convolution: the filter sees in_c / groups channels
        groups = int(rng.integers(2, 4))
        cin, cout = groups * int(rng.integers(1, 4)), groups * int(rng.integers(1, 3))
    act = str(rng.choice(list(ACTIVATIONS)))
    in_scale, in_zp = f32(log_uniform(rng, 1e-3, 0.5)), zp8(rng)
    per_channel = bool(rng.integers(0, 5) > 0)
    f_scales = log_uniform(rng, 1e-3, 0.1, cout if per_channel else 1).astype(np.float32)
    taps = kh * kw * (1 if depthwise else cin // groups)
    out_scale = f32(in_scale * float(np.median(f_scales)) * 74 * 73 * math.sqrt(taps) * 3 / 127
                    * log_uniform(rng, 0.05, 4))
    out_zp = zp8(rng)
    has_bias = bool(rng.integers(0, 4) > 0)

    m = ModelBuilder()
    x = m.input([n, h, w, cin], np.int8, in_scale, in_zp)
    if depthwise:
        f_shape = [1, kh, kw, cout]
        qdim = 3
    else:
        f_shape = [cout, kh, kw, cin // groups]
        qdim = 0
    filt = m.tensor(f_shape, np.int8, f_scales, np.zeros(len(f_scales), np.int64),
                    data=rand_int8(rng, f_shape), quantized_dimension=qdim)
    ins = [x, filt]
    if has_bias:
        b_scales = (np.float32(in_scale) * f_scales).astype(np.float32)
        bias = rng.integers(-20000, 20000, size=cout).astype(np.int32)
        ins.append(m.tensor([cout], np.int32, b_scales, np.zeros(len(b_scales), np.int64), data=bias))
    y = m.output([n, oh, ow, cout], np.int8, out_scale, out_zp)
    if depthwise:
        o = S.DepthwiseConv2DOptionsT()
        o.depthMultiplier = dm
        code, otype = S.BuiltinOperator.DEPTHWISE_CONV_2D, S.BuiltinOptions.DepthwiseConv2DOptions
    else:
        o = S.Conv2DOptionsT()
        code, otype = S.BuiltinOperator.CONV_2D, S.BuiltinOptions.Conv2DOptions
    o.padding, o.strideH, o.strideW = PADDINGS[padding], sh, sw
    o.dilationHFactor, o.dilationWFactor = dh, dw
    o.fusedActivationFunction = ACTIVATIONS[act]
    m.op(code, ins, [y], otype, o)
    opts = dict(padding=padding, stride=[sh, sw], dilation=[dh, dw], activation=act,
                depth_multiplier=dm, groups=groups, per_channel=per_channel, bias=has_bias)
    return m, [rand_int8(rng, [n, h, w, cin])], opts


def case_fc(rng):
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 65)), int(rng.integers(1, 17))
    per_channel = bool(rng.integers(0, 2))
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    in_scale, in_zp = f32(log_uniform(rng, 1e-3, 0.5)), zp8(rng)
    f_scales = (log_uniform(rng, 1e-3, 0.1, units) if per_channel
                else log_uniform(rng, 1e-3, 0.1, 1)).astype(np.float32)
    out_scale = f32(in_scale * float(np.median(f_scales)) * 74 * 73 * math.sqrt(depth) * 3 / 127
                    * log_uniform(rng, 0.05, 4))
    has_bias = bool(rng.integers(0, 4) > 0)
    m = ModelBuilder()
    x = m.input([batches, depth], np.int8, in_scale, in_zp)
    w = m.tensor([units, depth], np.int8, f_scales, np.zeros(len(f_scales), np.int64),
                 data=rand_int8(rng, [units, depth]))
    ins = [x, w]
    if has_bias:
        # per-tensor FULLY_CONNECTED checks bias scale ~= input scale * filter scale
        b_scales = np.array([np.float32(in_scale) * s for s in f_scales], dtype=np.float32)
        ins.append(m.tensor([units], np.int32, b_scales, np.zeros(len(b_scales), np.int64),
                            data=rng.integers(-20000, 20000, size=units).astype(np.int32)))
    y = m.output([batches, units], np.int8, out_scale, zp8(rng))
    o = S.FullyConnectedOptionsT()
    o.fusedActivationFunction = ACTIVATIONS[act]
    m.op(S.BuiltinOperator.FULLY_CONNECTED, ins, [y], S.BuiltinOptions.FullyConnectedOptions, o)
    return m, [rand_int8(rng, [batches, depth])], dict(per_channel=per_channel, activation=act,
                                                       bias=has_bias)


def rand_shape(rng, rank, lo=1, hi=6):
    return [int(v) for v in rng.integers(lo, hi + 1, size=rank)]


def case_concat(rng):
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    base = rand_shape(rng, rank)
    k = int(rng.integers(2, 4))
    scale, zp = f32(log_uniform(rng, 1e-3, 1)), zp8(rng)
    m = ModelBuilder()
    shapes, ins = [], []
    for _ in range(k):
        s = list(base)
        s[axis] = int(rng.integers(1, 5))
        shapes.append(s)
        ins.append(m.input(s, np.int8, scale, zp))
    out = list(base)
    out[axis] = sum(s[axis] for s in shapes)
    y = m.output(out, np.int8, scale, zp)
    neg = bool(rng.integers(0, 2))
    o = S.ConcatenationOptionsT()
    o.axis = axis - rank if neg else axis
    m.op(S.BuiltinOperator.CONCATENATION, ins, [y], S.BuiltinOptions.ConcatenationOptions, o)
    return m, [rand_int8(rng, s) for s in shapes], dict(axis=o.axis)


def strided_slice_resolve(shape, begin, end, strides, begin_mask, end_mask, shrink_mask):
    """TFLite's StartForAxis / StopForAxis and the output extent per axis."""
    lo, hi = -(2 ** 31), 2 ** 31 - 1
    starts, counts = [], []
    for a, size in enumerate(shape):
        st = strides[a]
        start = begin[a]
        if begin_mask & (1 << a):
            start = lo if st > 0 else hi
        if start < 0:
            start += size
        start = min(max(start, 0), size) if st > 0 else min(max(start, -1), size - 1)
        if shrink_mask & (1 << a):
            stop = start + 1
        else:
            stop = end[a]
            if end_mask & (1 << a):
                stop = hi if st > 0 else lo
            if stop < 0:
                stop += size
            stop = min(max(stop, 0), size) if st > 0 else min(max(stop, -1), size - 1)
        count = max(0, math.ceil((stop - start) / st))
        starts.append(start)
        counts.append(count)
    return starts, counts


def case_strided_slice(rng):
    while True:
        rank = int(rng.integers(1, 5))  # TFLM's STRIDED_SLICE takes up to 4-D
        shape = rand_shape(rng, rank, 1, 7)
        begin = [int(rng.integers(-s, s)) for s in shape]
        end = [int(rng.integers(-s, s + 1)) for s in shape]
        strides = [int(rng.choice([1, 1, 2, 3, -1, -2])) for _ in shape]
        bm = int(rng.integers(0, 1 << rank))
        em = int(rng.integers(0, 1 << rank))
        sm = int(rng.integers(0, 1 << rank)) if rng.integers(0, 3) == 0 else 0
        starts, counts = strided_slice_resolve(shape, begin, end, strides, bm, em, sm)
        if all(c >= 1 for c in counts) and not all(sm & (1 << a) for a in range(rank)):
            break
    out_shape = [c for a, c in enumerate(counts) if not sm & (1 << a)]
    scale, zp = f32(log_uniform(rng, 1e-3, 1)), zp8(rng)
    m = ModelBuilder()
    x = m.input(shape, np.int8, scale, zp)
    ins = [x, m.const_i32(begin), m.const_i32(end), m.const_i32(strides)]
    y = m.output(out_shape, np.int8, scale, zp)
    o = S.StridedSliceOptionsT()
    o.beginMask, o.endMask, o.shrinkAxisMask = bm, em, sm
    m.op(S.BuiltinOperator.STRIDED_SLICE, ins, [y], S.BuiltinOptions.StridedSliceOptions, o)
    return m, [rand_int8(rng, shape)], dict(begin=begin, end=end, strides=strides, begin_mask=bm,
                                            end_mask=em, shrink_axis_mask=sm)


def case_split(rng, v):
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    shape = rand_shape(rng, rank)
    k = int(rng.integers(1, 4))
    if v:
        sizes = [int(s) for s in rng.integers(1, 4, size=k)]
    else:
        sizes = [int(rng.integers(1, 4))] * k
    shape[axis] = sum(sizes)
    scale, zp = f32(log_uniform(rng, 1e-3, 1)), zp8(rng)
    m = ModelBuilder()
    neg = bool(rng.integers(0, 2))
    ax = axis - rank if neg else axis
    x = m.tensor(shape, np.int8, scale, zp)
    m.inputs.append(x)
    outs = []
    for s in sizes:
        os_ = list(shape)
        os_[axis] = s
        outs.append(m.output(os_, np.int8, scale, zp))
    if v:
        sizes_t = m.const_i32(sizes)
        axis_t = m.const_i32([ax], shape=[])
        o = S.SplitVOptionsT()
        o.numSplits = k
        m.op(S.BuiltinOperator.SPLIT_V, [x, sizes_t, axis_t], outs, S.BuiltinOptions.SplitVOptions, o)
    else:
        axis_t = m.const_i32([ax], shape=[])
        o = S.SplitOptionsT()
        o.numSplits = k
        m.op(S.BuiltinOperator.SPLIT, [axis_t, x], outs, S.BuiltinOptions.SplitOptions, o)
    return m, [rand_int8(rng, shape)], dict(axis=ax, sizes=sizes)


def case_logistic(rng):
    shape = rand_shape(rng, int(rng.integers(1, 5)), 1, 8)
    m = ModelBuilder()
    x = m.input(shape, np.int8, f32(log_uniform(rng, 2e-3, 0.5)), zp8(rng))
    y = m.output(shape, np.int8, 1.0 / 256, -128)
    m.op(S.BuiltinOperator.LOGISTIC, [x], [y])
    return m, [rand_int8(rng, shape)], {}


def case_quantize(rng, kind):
    shape = rand_shape(rng, int(rng.integers(1, 5)), 1, 8)
    in_t, out_t = {"s8_s8": (np.int8, np.int8), "s8_u8": (np.int8, np.uint8),
                   "u8_s8": (np.uint8, np.int8), "f32_s8": (np.float32, np.int8)}[kind]
    m = ModelBuilder()
    in_scale = f32(log_uniform(rng, 1e-3, 1))
    if kind == "s8_u8" and rng.integers(0, 2):
        # TFLite's shortcut case: equal scales, zero points 128 apart
        out_scale, in_zp = in_scale, zp8(rng) // 2
        out_zp = in_zp + 128
    else:
        out_scale = f32(in_scale * log_uniform(rng, 0.25, 4))
        in_zp = zp8(rng) if in_t == np.int8 else int(rng.integers(0, 256))
        out_zp = zp8(rng) if out_t == np.int8 else int(rng.integers(0, 256))
    if in_t == np.float32:
        x = m.input(shape, np.float32)
        data = (rng.standard_normal(shape) * out_scale * 60).astype(np.float32)
        # exact ties and near-ties of the rounding
        flat = data.reshape(-1)
        for i in range(0, flat.size, 3):
            flat[i] = np.float32((int(rng.integers(-150, 150)) + 0.5) * np.float32(out_scale))
    else:
        x = m.input(shape, in_t, in_scale, in_zp)
        info = np.iinfo(in_t)
        data = rng.integers(info.min, info.max + 1, size=shape).astype(in_t)
    y = m.output(shape, out_t, out_scale, out_zp)
    m.op(S.BuiltinOperator.QUANTIZE, [x], [y])
    return m, [data], dict(kind=kind)


def case_pool(rng, kind):
    while True:
        n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(2, 11)), int(rng.integers(2, 11)), \
            int(rng.integers(1, 7))
        fh, fw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        padding = str(rng.choice(["SAME", "VALID"]))
        oh, ow = out_size(h, fh, sh, 1, padding), out_size(w, fw, sw, 1, padding)
        if oh >= 1 and ow >= 1:
            break
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    scale, zp = f32(log_uniform(rng, 1e-2, 0.2)), zp8(rng)
    m = ModelBuilder()
    x = m.input([n, h, w, c], np.int8, scale, zp)
    y = m.output([n, oh, ow, c], np.int8, scale, zp)
    o = S.Pool2DOptionsT()
    o.padding, o.strideH, o.strideW, o.filterHeight, o.filterWidth = PADDINGS[padding], sh, sw, fh, fw
    o.fusedActivationFunction = ACTIVATIONS[act]
    code = S.BuiltinOperator.AVERAGE_POOL_2D if kind == "avg" else S.BuiltinOperator.MAX_POOL_2D
    m.op(code, [x], [y], S.BuiltinOptions.Pool2DOptions, o)
    return m, [rand_int8(rng, [n, h, w, c])], dict(padding=padding, filter=[fh, fw],
                                                   stride=[sh, sw], activation=act)


def broadcast_pair(rng):
    rank = int(rng.integers(1, 5))
    out = rand_shape(rng, rank, 1, 5)
    a, b = list(out), list(out)
    for i in range(rank):
        r = int(rng.integers(0, 4))
        if r == 1:
            a[i] = 1
        elif r == 2:
            b[i] = 1
    # sometimes a lower-rank second operand (right-aligned)
    if rank > 1 and rng.integers(0, 3) == 0:
        b = b[int(rng.integers(1, rank)):]
    out = [max(x, y) for x, y in zip(a, [1] * (len(a) - len(b)) + b)]
    return a, b, out


def case_binary(rng, kind):
    a, b, out = broadcast_pair(rng)
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    s1, s2 = f32(log_uniform(rng, 1e-3, 0.5)), f32(log_uniform(rng, 1e-3, 0.5))
    if kind == "add":
        so = f32(max(s1, s2) * log_uniform(rng, 0.5, 4))
    else:
        so = f32(s1 * s2 * 128 * log_uniform(rng, 0.1, 4))
    m = ModelBuilder()
    x1 = m.input(a, np.int8, s1, zp8(rng))
    x2 = m.input(b, np.int8, s2, zp8(rng))
    y = m.output(out, np.int8, so, zp8(rng))
    if kind == "add":
        o = S.AddOptionsT()
        o.fusedActivationFunction = ACTIVATIONS[act]
        m.op(S.BuiltinOperator.ADD, [x1, x2], [y], S.BuiltinOptions.AddOptions, o)
    else:
        o = S.MulOptionsT()
        o.fusedActivationFunction = ACTIVATIONS[act]
        m.op(S.BuiltinOperator.MUL, [x1, x2], [y], S.BuiltinOptions.MulOptions, o)
    return m, [rand_int8(rng, a), rand_int8(rng, b)], dict(activation=act)


def case_mean(rng):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 12)), int(rng.integers(1, 12)), \
        int(rng.integers(1, 9))
    keep = bool(rng.integers(0, 4) > 0)
    same = bool(rng.integers(0, 3) == 0)
    s_in, zp_in = f32(log_uniform(rng, 1e-3, 0.5)), zp8(rng)
    s_out, zp_out = (s_in, zp_in) if same else (f32(s_in * log_uniform(rng, 0.2, 2)), zp8(rng))
    m = ModelBuilder()
    x = m.input([n, h, w, c], np.int8, s_in, zp_in)
    axes = [1, 2] if rng.integers(0, 2) else [2, 1]
    ax = m.const_i32(axes)
    y = m.output([n, 1, 1, c] if keep else [n, c], np.int8, s_out, zp_out)
    o = S.ReducerOptionsT()
    o.keepDims = keep
    m.op(S.BuiltinOperator.MEAN, [x, ax], [y], S.BuiltinOptions.ReducerOptions, o)
    centre, spread = rng.uniform(-100, 100), rng.uniform(5, 80)
    x_data = np.clip(np.round(rng.normal(centre, spread, size=[n, h, w, c])), -128, 127).astype(np.int8)
    return m, [x_data], dict(axes=axes, keep_dims=keep, same_quant=same)


def case_pad(rng):
    rank = int(rng.integers(1, 5))
    shape = rand_shape(rng, rank, 1, 5)
    pads = [[int(v) for v in rng.integers(0, 3, size=2)] for _ in range(rank)]
    if rank == 4:
        pads[0] = [0, 0] if rng.integers(0, 2) else pads[0]
    out = [s + p[0] + p[1] for s, p in zip(shape, pads)]
    scale, zp = f32(log_uniform(rng, 1e-3, 1)), zp8(rng)
    m = ModelBuilder()
    x = m.input(shape, np.int8, scale, zp)
    pt = m.const_i32(pads)
    y = m.output(out, np.int8, scale, zp)
    m.op(S.BuiltinOperator.PAD, [x, pt], [y], S.BuiltinOptions.PadOptions, S.PadOptionsT())
    return m, [rand_int8(rng, shape)], dict(paddings=pads)


def case_softmax(rng):
    rank = int(rng.integers(1, 5))
    shape = rand_shape(rng, rank, 1, 5)
    shape[-1] = int(rng.integers(1, 40))
    beta = 1.0 if rng.integers(0, 2) else f32(log_uniform(rng, 0.2, 3))
    m = ModelBuilder()
    x = m.input(shape, np.int8, f32(log_uniform(rng, 1e-2, 0.5)), zp8(rng))
    y = m.output(shape, np.int8, 1.0 / 256, -128)
    o = S.SoftmaxOptionsT()
    o.beta = beta
    m.op(S.BuiltinOperator.SOFTMAX, [x], [y], S.BuiltinOptions.SoftmaxOptions, o)
    return m, [rand_int8(rng, shape)], dict(beta=beta)


def case_dequantize(rng):
    shape = rand_shape(rng, int(rng.integers(1, 5)), 1, 8)
    m = ModelBuilder()
    x = m.input(shape, np.int8, f32(log_uniform(rng, 1e-4, 2)), zp8(rng))
    y = m.output(shape, np.float32)
    m.op(S.BuiltinOperator.DEQUANTIZE, [x], [y])
    return m, [rand_int8(rng, shape)], {}


def case_hard_swish(rng):
    shape = rand_shape(rng, int(rng.integers(1, 5)), 1, 8)
    s_in = f32(log_uniform(rng, 5e-3, 0.2))
    s_out = f32(s_in * log_uniform(rng, 0.3, 3))
    m = ModelBuilder()
    x = m.input(shape, np.int8, s_in, zp8(rng))
    y = m.output(shape, np.int8, s_out, zp8(rng))
    m.op(S.BuiltinOperator.HARD_SWISH, [x], [y])
    return m, [rand_int8(rng, shape)], {}


def case_relu(rng):
    shape = rand_shape(rng, int(rng.integers(1, 5)), 1, 8)
    s_in, zp_in = f32(log_uniform(rng, 1e-3, 0.5)), zp8(rng)
    # the converter keeps one quantization across a standalone RELU; requantizing ones occur too
    same = bool(rng.integers(0, 3) == 0)
    s_out, zp_out = (s_in, zp_in) if same else (f32(s_in * log_uniform(rng, 0.3, 3)), zp8(rng))
    m = ModelBuilder()
    x = m.input(shape, np.int8, s_in, zp_in)
    y = m.output(shape, np.int8, s_out, zp_out)
    m.op(S.BuiltinOperator.RELU, [x], [y])
    return m, [rand_int8(rng, shape)], dict(same_quant=same)


# ---- the accumulator bound (Firmware/include/harken/hk_kernels.h), at its edge -----------------
# Every product at its largest magnitude and one sign: (x - zp) = -255 or +255 times a raw weight
# of -128 (32,640 each), or times an offset weight of -255 (65,025 each), summed over exactly
# HK_ACC_MAX_TERMS (65,536) or HK_ACC_MAX_TERMS_OFFSET_WEIGHTS (32,768) terms. The output scale
# brings the extreme sum to about +-100.

ACC_MAX_TERMS = 65536
ACC_MAX_TERMS_OFFSET_WEIGHTS = 32768


def extreme_input(n, sign):
    """Values and zero point making every (x - zp) = -255 * sign."""
    return (np.full(n, -128 if sign > 0 else 127, dtype=np.int8), 127 if sign > 0 else -128)


def bound_conv(sign, depthwise):
    m = ModelBuilder()
    s_in, s_w = 0.01, 0.01
    s_out = f32(s_in * s_w * 255 * 128 * ACC_MAX_TERMS / 100)
    if depthwise:   # 256 x 256 taps of one channel
        xs, fs, qdim = [1, 256, 256, 1], [1, 256, 256, 1], 3
    else:           # a 1 x 1 filter over 65,536 channels
        xs, fs, qdim = [1, 1, 1, ACC_MAX_TERMS], [1, 1, 1, ACC_MAX_TERMS], 0
    data, zp = extreme_input(ACC_MAX_TERMS, sign)
    x = m.input(xs, np.int8, s_in, zp)
    filt = m.tensor(fs, np.int8, [s_w], [0], data=np.full(fs, -128, dtype=np.int8), quantized_dimension=qdim)
    y = m.output([1, 1, 1, 1], np.int8, s_out, 0)
    if depthwise:
        o = S.DepthwiseConv2DOptionsT()
        o.depthMultiplier = 1
        code, otype = S.BuiltinOperator.DEPTHWISE_CONV_2D, S.BuiltinOptions.DepthwiseConv2DOptions
    else:
        o = S.Conv2DOptionsT()
        code, otype = S.BuiltinOperator.CONV_2D, S.BuiltinOptions.Conv2DOptions
    o.padding, o.strideH, o.strideW, o.dilationHFactor, o.dilationWFactor = S.Padding.VALID, 1, 1, 1, 1
    m.op(code, [x, filt], [y], otype, o)
    return m, [data.reshape(xs)], dict(terms=ACC_MAX_TERMS, sign=sign)


def bound_fc(sign, offset_weights):
    m = ModelBuilder()
    depth = ACC_MAX_TERMS_OFFSET_WEIGHTS if offset_weights else ACC_MAX_TERMS
    w_zp = 127 if offset_weights else 0
    s_in, s_w = 0.01, 0.01
    s_out = f32(s_in * s_w * 255 * (255 if offset_weights else 128) * depth / 100)
    data, zp = extreme_input(depth, sign)
    x = m.input([1, depth], np.int8, s_in, zp)
    w = m.tensor([1, depth], np.int8, [s_w], [w_zp], data=np.full([1, depth], -128, dtype=np.int8))
    y = m.output([1, 1], np.int8, s_out, 0)
    o = S.FullyConnectedOptionsT()
    m.op(S.BuiltinOperator.FULLY_CONNECTED, [x, w], [y], S.BuiltinOptions.FullyConnectedOptions, o)
    return m, [data.reshape([1, depth])], dict(terms=depth, sign=sign, weight_zero_point=w_zp)


# (name, op, make): fixed cases, not scaled by --scale
BOUND_CASES = [
    ("acc_bound_conv2d_pos", "CONV_2D", lambda: bound_conv(+1, False)),
    ("acc_bound_conv2d_neg", "CONV_2D", lambda: bound_conv(-1, False)),
    ("acc_bound_dwconv2d_pos", "DEPTHWISE_CONV_2D", lambda: bound_conv(+1, True)),
    ("acc_bound_dwconv2d_neg", "DEPTHWISE_CONV_2D", lambda: bound_conv(-1, True)),
    ("acc_bound_fully_connected_pos", "FULLY_CONNECTED", lambda: bound_fc(+1, False)),
    ("acc_bound_fully_connected_neg", "FULLY_CONNECTED", lambda: bound_fc(-1, False)),
    ("acc_bound_fully_connected_offset_pos", "FULLY_CONNECTED", lambda: bound_fc(+1, True)),
    ("acc_bound_fully_connected_offset_neg", "FULLY_CONNECTED", lambda: bound_fc(-1, True)),
]


OPS = [
    ("conv2d", "CONV_2D", lambda r: case_conv(r, False), 24),
    ("dwconv2d", "DEPTHWISE_CONV_2D", lambda r: case_conv(r, True), 24),
    ("fully_connected", "FULLY_CONNECTED", case_fc, 16),
    ("concatenation", "CONCATENATION", case_concat, 8),
    ("strided_slice", "STRIDED_SLICE", case_strided_slice, 12),
    ("split", "SPLIT", lambda r: case_split(r, False), 6),
    ("split_v", "SPLIT_V", lambda r: case_split(r, True), 6),
    ("logistic", "LOGISTIC", case_logistic, 12),
    ("quantize_s8_s8", "QUANTIZE", lambda r: case_quantize(r, "s8_s8"), 6),
    ("quantize_s8_u8", "QUANTIZE", lambda r: case_quantize(r, "s8_u8"), 6),
    ("quantize_u8_s8", "QUANTIZE", lambda r: case_quantize(r, "u8_s8"), 6),
    ("quantize_f32_s8", "QUANTIZE", lambda r: case_quantize(r, "f32_s8"), 6),
    ("average_pool_2d", "AVERAGE_POOL_2D", lambda r: case_pool(r, "avg"), 12),
    ("max_pool_2d", "MAX_POOL_2D", lambda r: case_pool(r, "max"), 8),
    ("add", "ADD", lambda r: case_binary(r, "add"), 16),
    ("mul", "MUL", lambda r: case_binary(r, "mul"), 16),
    ("mean", "MEAN", case_mean, 12),
    ("pad", "PAD", case_pad, 8),
    ("softmax", "SOFTMAX", case_softmax, 12),
    ("dequantize", "DEQUANTIZE", case_dequantize, 6),
    ("hard_swish", "HARD_SWISH", case_hard_swish, 12),
    ("relu", "RELU", case_relu, 12),
]


def tensor_desc(t):
    return {"dtype": np.dtype(t.dtype).name, "shape": [int(d) for d in t.shape]}


def run_tflm(model_bytes, inputs, n_outputs):
    interp = runtime.Interpreter.from_bytes(model_bytes, arena_size=1 << 20)
    for i, x in enumerate(inputs):
        interp.set_input(x, i)
    interp.invoke()
    return [np.array(interp.get_output(i)) for i in range(n_outputs)]


# Ops whose fixtures LiteRT's reference kernels must reproduce too (the script stops if not).
LITERT_CHECKED = {"RELU"}


def run_litert(model_bytes, inputs, n_outputs):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    interp = Interpreter(model_content=model_bytes, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    for d, x in zip(interp.get_input_details(), inputs):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()[:n_outputs]]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every op's case count (rounded up)")
    args = ap.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)

    cases = []
    drawn = [("%s_%02d" % (stem, k), op, (lambda make=make, op_index=op_index, k=k:
                                          # one generator per case: adding cases or ops never changes the others
                                          make(np.random.default_rng([args.seed, op_index, k]))))
             for op_index, (stem, op, make, count) in enumerate(OPS)
             for k in range(max(1, math.ceil(count * args.scale)))]
    for name, op, make in drawn + BOUND_CASES:
        m, inputs, opts = make()
        model = m.finish("harken op fixture %s" % name)
        outputs = run_tflm(model, inputs, len(m.outputs))
        if op in LITERT_CHECKED:
            other = run_litert(model, inputs, len(m.outputs))
            if any(a.tobytes() != b.tobytes() for a, b in zip(outputs, other)):
                sys.exit("%s: LiteRT differs from TFLM" % name)
            opts = dict(opts, litert_agrees=True)
        with open(os.path.join(args.out_dir, name + ".tflite"), "wb") as f:
            f.write(model)
        with open(os.path.join(args.out_dir, name + ".input.bin"), "wb") as f:
            for x in inputs:
                f.write(np.ascontiguousarray(x).tobytes())
        with open(os.path.join(args.out_dir, name + ".output.bin"), "wb") as f:
            for y in outputs:
                f.write(np.ascontiguousarray(y).tobytes())
        cases.append({
            "name": name,
            "op": op,
            "model": name + ".tflite",
            "input": name + ".input.bin",
            "output": name + ".output.bin",
            "inputs": [tensor_desc(x) for x in inputs],
            "outputs": [tensor_desc(y) for y in outputs],
            "options": opts,
        })

    manifest = {
        "schema_version": SCHEMA_VERSION,
        "generator": "Tests/Oracles/op_models.py",
        "seed": args.seed,
        "provenance": {
            "oracle": "TensorFlow Lite Micro reference kernels (Python wheel tflite-micro); "
                      "LiteRT's reference kernels agree on the ops in LITERT_CHECKED",
            "tflite-micro": importlib.metadata.version("tflite-micro"),
            "tflite-micro-build": tflm_version.__version__,
            "ai-edge-litert": importlib.metadata.version("ai-edge-litert"),
            "flatbuffers": importlib.metadata.version("flatbuffers"),
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "cases": cases,
    }
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("%d fixtures written to %s" % (len(cases), args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
