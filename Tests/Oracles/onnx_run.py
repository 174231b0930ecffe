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
    onnx.checker.check_model(onnx.load(model), full_check=True)
    x = np.fromfile(inputs, dtype="<f4").reshape([int(d) for d in shape.split(",")])
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    y = session.run(None, {name: x})[0]
    y.astype("<f4").tofile(outputs)
    print(list(y.shape))


if __name__ == "__main__":
    main()
