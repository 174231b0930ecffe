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
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from qdq_agreement import int8_features  # noqa: E402


def tflm_outputs(model: str, steps: np.ndarray) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_file(model)
    out = []
    for x in steps:
        interp.set_input(x, 0)
        interp.invoke()
        out.append(int(interp.get_output(0).ravel()[0]))
    return np.array(out)


def litert_outputs(model: str, steps: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    interp = Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    out = []
    for x in steps:
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        out.append(int(interp.get_tensor(outp["index"]).ravel()[0]))
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
    with wave.open(args.wav, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (16000, 1, 2):
            sys.exit(f"{args.wav}: expected 16 kHz mono 16-bit PCM")
        pcm = w.readframes(w.getnframes())
    q = int8_features(pcm)
    from ai_edge_litert.interpreter import Interpreter
    stride = int(Interpreter(model_path=args.model).get_input_details()[0]["shape"][1])
    steps = q[:len(q) // stride * stride].reshape(-1, 1, stride, 40)
    n = min(len(steps), len(harken))
    report = {"model": args.model, "audio": args.wav, "steps": n}
    for name, run in [("tflm", tflm_outputs), ("litert_reference", litert_outputs)]:
        theirs = run(args.model, steps[:n])
        report[name] = {"differing_steps": int(np.count_nonzero(theirs != harken[:n])),
                        "worst_difference": int(np.abs(theirs - harken[:n]).max(initial=0))}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for k, v in report.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
