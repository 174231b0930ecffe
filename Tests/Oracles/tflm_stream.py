"""Streams raw int8 input steps through the TFLM interpreter (PyPI tflite-micro).

usage: tflm_stream.py MODEL.tflite INPUTS.bin OUTPUTS.bin
INPUTS.bin holds N steps of the model's input tensor, back to back; OUTPUTS.bin
receives N steps of the output tensor. Resource variables persist across
invoke() calls, as on a device.
"""
import json
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def main() -> None:
    model, inputs, outputs = sys.argv[1:4]
    interp = runtime.Interpreter.from_file(model)
    inp = interp.get_input_details(0)
    shape, dtype = tuple(inp["shape"]), inp["dtype"]
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    data = open(inputs, "rb").read()
    if len(data) % size:
        sys.exit(f"{inputs}: {len(data)} bytes is not a whole number of {size}-byte steps")
    out = bytearray()
    for i in range(len(data) // size):
        step = np.frombuffer(data[i * size:(i + 1) * size], dtype=dtype).reshape(shape)
        interp.set_input(step, 0)
        interp.invoke()
        out += interp.get_output(0).tobytes()
    with open(outputs, "wb") as f:
        f.write(out)
    print(json.dumps({"steps": len(data) // size}))


if __name__ == "__main__":
    main()
