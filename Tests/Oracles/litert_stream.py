"""Streams raw input steps through LiteRT (PyPI ai-edge-litert) with its reference kernels
(BUILTIN_REF: the arithmetic TFLM and devices run; the optimized kernels round differently).

usage: litert_stream.py MODEL.tflite INPUTS.bin OUTPUTS.bin
Same files as tflm_stream.py; resource variables persist across invoke() calls.
"""
import json
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def main() -> None:
    model, inputs, outputs = sys.argv[1:4]
    interp = Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    shape, dtype = tuple(inp["shape"]), inp["dtype"]
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    data = open(inputs, "rb").read()
    if len(data) % size:
        sys.exit(f"{inputs}: {len(data)} bytes is not a whole number of {size}-byte steps")
    out = bytearray()
    for i in range(len(data) // size):
        interp.set_tensor(inp["index"], np.frombuffer(data[i * size:(i + 1) * size], dtype=dtype).reshape(shape))
        interp.invoke()
        out += interp.get_tensor(outp["index"]).tobytes()
    with open(outputs, "wb") as f:
        f.write(out)
    print(json.dumps({"steps": len(data) // size}))


if __name__ == "__main__":
    main()
