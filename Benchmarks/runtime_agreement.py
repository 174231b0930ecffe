"""Harken's simulator against TFLM and LiteRT on one exported model and one recording, step by step.

usage: runtime_agreement.py MODEL.tflite AUDIO.wav [--harken PATH] [--json]

Harken streams the audio through its own frontend and the device C kernels (`harken simulate
--trace-csv`); the same audio goes through pymicro-features (TFLM's frontend) with ESPHome's integer
input quantization into the TFLM interpreter (PyPI tflite-micro) and LiteRT's reference kernels
(PyPI ai-edge-litert), resource variables persisting across steps as on a device. Reported: steps
compared and steps whose uint8 output differs, per runtime.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from qdq_agreement import Int8Stream, int8_features, print_report, read_pcm  # noqa: E402


def tflm_outputs(model: str, steps: np.ndarray) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_file(model)
    out = []
    for x in steps:
        interp.set_input(x, 0)
        interp.invoke()
        out.append(int(interp.get_output(0).ravel()[0]))
    return np.array(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("wav")
    ap.add_argument("--harken", default=os.environ.get("HARKEN", os.path.join(ROOT, ".build/release/harken")))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "trace.csv")
        subprocess.run([args.harken, "simulate", "--model", args.model, "--wav", args.wav, "--cutoff", "0.5",
                        "--window", "1", "--trace-csv", trace], check=True, stdout=subprocess.DEVNULL)
        with open(trace) as f:
            harken = np.array([round(float(r["probability"]) * 256) for r in csv.DictReader(f)])
    q = int8_features(read_pcm(args.wav))
    litert = Int8Stream(args.model)
    steps = q[:len(q) // litert.stride * litert.stride].reshape(-1, 1, litert.stride, 40)
    n = min(len(steps), len(harken))
    report = {"model": args.model, "audio": args.wav, "steps": n}
    runs = [("tflm", lambda: tflm_outputs(args.model, steps[:n])),
            ("litert_reference", lambda: np.rint(litert.probabilities(q[:n * litert.stride]) * 256).astype(np.int64))]
    for name, run in runs:
        theirs = run()
        report[name] = {"differing_steps": int(np.count_nonzero(theirs != harken[:n])),
                        "worst_difference": int(np.abs(theirs - harken[:n]).max(initial=0))}
    print_report(report, args.json)


if __name__ == "__main__":
    main()
