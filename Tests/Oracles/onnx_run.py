"""Checks an ONNX model with onnx.checker and runs it in ONNX Runtime.

usage: onnx_run.py MODEL.onnx INPUT.f32 N,T,W,C OUTPUT.f32
INPUT.f32 holds the float32 input tensor (row-major); OUTPUT.f32 receives the first output.
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort


def main() -> None:
    model, inputs, shape, outputs = sys.argv[1:5]
    graph = onnx.load(model)
    onnx.checker.check_model(graph, full_check=True)
    x = np.fromfile(inputs, dtype="<f4").reshape([int(d) for d in shape.split(",")])
    options = ort.SessionOptions()
    if any(n.op_type == "QuantizeLinear" for n in graph.graph.node):
        # A QDQ model runs as its graph says (DequantizeLinear, the float operator,
        # QuantizeLinear), unfused: ORT's fused int8 kernels on x86 cores without
        # VNNI sum u8 x s8 products in pairs with 16-bit saturation (VPMADDUBSW), so
        # their results depend on the machine.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    y = session.run(None, {name: x})[0]
    y.astype("<f4").tofile(outputs)
    print(list(y.shape))


if __name__ == "__main__":
    main()
