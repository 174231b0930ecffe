"""Streams raw int8 input steps through the TFLM interpreter (PyPI tflite-micro).

usage: tflm_stream.py MODEL.tflite INPUTS.bin OUTPUTS.bin
INPUTS.bin holds N steps of the model's input tensor, back to back; OUTPUTS.bin
receives N steps of the output tensor. Resource variables persist across
invoke() calls, as on a device.
"""
import json
import sys

import numpy as np


def stream(inputs: str, outputs: str, shape, dtype, step) -> None:
    """Feeds each step of INPUTS to `step(array) -> bytes` and writes the outputs back to back."""
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    data = open(inputs, "rb").read()
    if len(data) % size:
        sys.exit(f"{inputs}: {len(data)} bytes is not a whole number of {size}-byte steps")
    out = bytearray()
    for i in range(len(data) // size):
        out += step(np.frombuffer(data[i * size:(i + 1) * size], dtype=dtype).reshape(shape))
    with open(outputs, "wb") as f:
        f.write(out)
    print(json.dumps({"steps": len(data) // size}))


def main() -> None:
    from tflite_micro.python.tflite_micro import runtime

    model, inputs, outputs = sys.argv[1:4]
    interp = runtime.Interpreter.from_file(model)
    inp = interp.get_input_details(0)

    def step(x):
        interp.set_input(x, 0)
        interp.invoke()
        return interp.get_output(0).tobytes()

    stream(inputs, outputs, tuple(inp["shape"]), inp["dtype"], step)


if __name__ == "__main__":
    main()
