"""The smallest TFLM arena (bytes, to 16) a model initializes and runs one step in.

usage: tflm_arena.py MODEL.tflite
Each trial runs in its own process: TFLM can crash, not just fail, when the arena is short.
"""
import subprocess
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def fits(model: str, size: int) -> bool:
    try:
        interp = runtime.Interpreter.from_file(model, arena_size=size)
        d = interp.get_input_details(0)
        interp.set_input(np.zeros(d["shape"], dtype=d["dtype"]), 0)
        interp.invoke()
        return True
    except Exception:
        return False


def trial(model: str, size: int) -> bool:
    r = subprocess.run([sys.executable, __file__, "--trial", model, str(size)], capture_output=True)
    return r.returncode == 0 and r.stdout.strip() == b"ok"


def main() -> None:
    if sys.argv[1] == "--trial":
        print("ok" if fits(sys.argv[2], int(sys.argv[3])) else "no")
        return
    model = sys.argv[1]
    lo, hi = 16, 1 << 16
    while not trial(model, hi):
        hi *= 2
    while hi - lo > 16:
        mid = (lo + hi) // 32 * 16
        if trial(model, mid):
            hi = mid
        else:
            lo = mid
    print(hi)


if __name__ == "__main__":
    main()
