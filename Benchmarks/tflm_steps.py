"""Streams int8 input steps through TFLM (PyPI tflite-micro) and reports its arena.

usage: tflm_steps.py MODEL.tflite [INPUTS.bin OUTPUTS.bin]

With inputs, every step is set, invoked and its output appended to OUTPUTS.bin; the
resource variables persist across invoke() calls, as on a device. Under callgrind, count
only TFLM's own work with --toggle-collect='tflite::micro::MicroInterpreter::Invoke()'.
Prints JSON on stdout: steps run, and the text of print_allocations().
"""
import json
import os
import sys
import tempfile

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def main() -> None:
    model = sys.argv[1]
    interp = runtime.Interpreter.from_file(model)
    steps = 0
    if len(sys.argv) == 4:
        inputs, outputs = sys.argv[2:4]
        inp = interp.get_input_details(0)
        shape, dtype = tuple(inp["shape"]), inp["dtype"]
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        data = open(inputs, "rb").read()
        if len(data) % size:
            sys.exit(f"{inputs}: {len(data)} bytes is not a whole number of {size}-byte steps")
        out = bytearray()
        for i in range(len(data) // size):
            interp.set_input(np.frombuffer(data[i * size:(i + 1) * size], dtype=dtype).reshape(shape), 0)
            interp.invoke()
            out += interp.get_output(0).tobytes()
        steps = len(data) // size
        with open(outputs + ".tmp", "wb") as f:
            f.write(out)
        os.replace(outputs + ".tmp", outputs)
    # print_allocations() writes to the C-level stderr (TFLM's MicroPrintf); capture fd 2.
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            interp.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode(errors="replace")
    print(json.dumps({"steps": steps, "allocations": text}))


if __name__ == "__main__":
    main()
