"""Do the int8 .tflite and the QDQ .onnx of one Sentry make the same decisions on a corpus split?

usage: qdq_agreement.py MODEL.tflite MODEL_int8_qdq.onnx CORPUS [--split test] [--json]

Both files come from `harken export` of one model. Every positive and near-miss clip of the split
(between a second of silence, as `harken eval` scores them) and every continuous negative stream
goes through pymicro-features (TFLM's frontend) and ESPHome's integer input quantization; the
.tflite streams step by step through LiteRT's reference kernels (the arithmetic Harken's runtime
and TFLM share, checked in SentryTFLiteTests), the .onnx runs windowed in ONNX Runtime on the same
int8 inputs. The detector is the device's: mean of the last `sliding_window_size` probabilities
above `probability_cutoff` (both from the manifest beside the .tflite), re-armed when the mean
falls back, silent for the refractory time. Reported: per-step probability differences in output
steps (1/256), steps whose detector decision differs, clips detected by one and not the other,
false accepts on the streams, and FRR / FA per hour of each.
"""
import argparse
import json
import math
import os
import sys
import wave

import numpy as np
import onnx
import onnxruntime as ort
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from pymicro_features import MicroFrontend

RATE, CHUNK = 16000, 160
INPUT_SCALE = np.float32(26.0 / 255.0)


def int8_features(pcm: bytes) -> np.ndarray:
    """[frames, 40] int8 as ESPHome feeds microWakeWord-style models."""
    frontend, frames, pos = MicroFrontend(), [], 0
    while pos + 2 * CHUNK <= len(pcm):
        r = frontend.process_samples(pcm[pos:pos + 2 * CHUNK])
        pos += r.samples_read * 2
        if r.features:
            frames.append(np.rint(np.asarray(r.features, dtype=np.float64) * 25.6).astype(np.int64))
    if not frames:
        return np.zeros((0, 40), dtype=np.int8)
    u = np.stack(frames)
    return np.clip((u * 256 + 333) // 666 - 128, -128, 127).astype(np.int8)


class Int8Stream:
    def __init__(self, path: str):
        self.interp = Interpreter(model_path=path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        self.interp.allocate_tensors()
        self.inp, self.out = self.interp.get_input_details()[0], self.interp.get_output_details()[0]
        self.stride = int(self.inp["shape"][1])

    def probabilities(self, q: np.ndarray) -> np.ndarray:
        self.interp.reset_all_variables()
        steps = len(q) // self.stride
        p = np.empty(steps)
        for i in range(steps):
            self.interp.set_tensor(self.inp["index"], q[i * self.stride:(i + 1) * self.stride].reshape(self.inp["shape"]))
            self.interp.invoke()
            p[i] = float(self.interp.get_tensor(self.out["index"]).ravel()[0]) / 256
        return p


class QDQWindowed:
    def __init__(self, path: str, stride: int):
        model = onnx.load(path)
        first = next(n for n in model.graph.node if n.op_type == "Conv")
        attrs = {a.name: list(a.ints) for a in first.attribute}
        k, d = attrs["kernel_shape"][0], attrs["dilations"][0]
        self.stride, self.lead = stride, (k - 1) * d + 1 - stride
        self.session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])

    def probabilities(self, q: np.ndarray):
        """Per step as the streaming model's, 0 while the window is still filling, and how many
        steps that is."""
        steps = len(q) // self.stride
        x = (q[:steps * self.stride].astype(np.float32) + 128) * INPUT_SCALE
        # The streaming model starts from zero features (int8 -128) in its first layer's history.
        x = np.concatenate([np.zeros((self.lead, 40), np.float32), x]).reshape(1, -1, 1, 40)
        try:
            logits = self.session.run(["logits"], {"features": x})[0].ravel()
        except ort.capi.onnxruntime_pybind11_state.RuntimeException:   # shorter than the receptive field
            return np.zeros(steps), steps
        p = 1 / (1 + np.exp(-logits.astype(np.float64)))
        return np.concatenate([np.zeros(steps - len(p)), p]), steps - len(p)


def means(p: np.ndarray, window: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(p)])
    m = np.full(len(p), -1.0)
    if len(p) >= window:
        m[window - 1:] = (c[window:] - c[:-window]) / window
    return m


def detections(m: np.ndarray, cutoff: float, refractory: int) -> list:
    fired, armed, blocked = [], True, 0
    for i, v in enumerate(m):
        was_blocked = blocked > 0
        if was_blocked:
            blocked -= 1
        if not armed and v <= cutoff:
            armed = True
        if not was_blocked and armed and v > cutoff:
            fired.append(i)
            armed, blocked = False, refractory
    return fired


def read_pcm(path: str) -> bytes:
    with wave.open(path, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            sys.exit(f"{path}: expected 16 kHz mono 16-bit PCM")
        return w.readframes(w.getnframes())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tflite")
    ap.add_argument("onnx")
    ap.add_argument("corpus")
    ap.add_argument("--split", default="test")
    ap.add_argument("--refractory-ms", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    manifest_path = os.path.splitext(args.tflite)[0] + ".json"
    try:
        micro = json.load(open(manifest_path))["micro"]
        cutoff, window = float(micro["probability_cutoff"]), int(micro["sliding_window_size"])
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"{manifest_path}: expected the model's JSON manifest with micro.probability_cutoff "
                 f"and micro.sliding_window_size ({e})")
    int8 = Int8Stream(args.tflite)
    qdq = QDQWindowed(args.onnx, int8.stride)
    refractory = math.ceil(args.refractory_ms / (10 * int8.stride))

    records = [json.loads(line) for line in open(os.path.join(args.corpus, "manifest.jsonl"))]
    records = [r for r in records if r.get("split") == args.split and r["kind"] in ("positive", "near_miss", "stream")]
    if not any(r["kind"] == "positive" for r in records):
        sys.exit(f"{args.corpus}/manifest.jsonl: no positive clips in the {args.split} split")
    silence = bytes(2 * RATE)
    hist = np.zeros(6, dtype=np.int64)
    steps = differing_steps = 0
    peaks = {"positive": [], "near_miss": []}
    false_accepts = [0, 0]
    disagreements = []
    hours = 0.0
    for n, r in enumerate(records):
        pcm = read_pcm(os.path.join(args.corpus, r["path"]))
        if r["kind"] != "stream":
            pcm = silence + pcm + silence
        q = int8_features(pcm)
        a, (b, first) = int8.probabilities(q), qdq.probabilities(q)
        # Steps before the windowed model's first output are not compared.
        diff = np.rint(np.abs(a - b)[first:] * 256).astype(np.int64)
        hist += np.bincount(np.minimum(diff, 5), minlength=6)
        steps += len(diff)
        ma, mb = means(a, window), means(b, window)
        differing_steps += int(np.count_nonzero((ma[first:] > cutoff) != (mb[first:] > cutoff)))
        if r["kind"] == "stream":
            hours += len(pcm) / 2 / RATE / 3600
            false_accepts[0] += len(detections(ma, cutoff, refractory))
            false_accepts[1] += len(detections(mb, cutoff, refractory))
        else:
            peak = (float(ma.max(initial=0)), float(mb.max(initial=0)))
            peaks[r["kind"]].append(peak)
            if (peak[0] > cutoff) != (peak[1] > cutoff):
                disagreements.append({"clip": r["path"], "kind": r["kind"],
                                      "tflite_peak": round(peak[0], 4), "qdq_peak": round(peak[1], 4)})
        if sys.stderr.isatty():
            print(f"\r{n + 1}/{len(records)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    pos = np.array(peaks["positive"])
    report = {
        "split": args.split, "cutoff": cutoff, "window": window,
        "positives": len(pos), "near_misses": len(peaks["near_miss"]), "negative_hours": round(hours, 3),
        "steps_compared": steps,
        "step_difference_histogram": {"0": int(hist[0]), "1": int(hist[1]), "2": int(hist[2]),
                                      "3": int(hist[3]), "4": int(hist[4]), ">=5": int(hist[5])},
        "detector_decisions_differing": differing_steps,
        "positives_detected_differently": sum(d["kind"] == "positive" for d in disagreements),
        "near_misses_accepted_differently": sum(d["kind"] == "near_miss" for d in disagreements),
        "clips_decided_differently": disagreements,
        "tflite": {"frr": float(np.mean(pos[:, 0] <= cutoff)), "false_accepts": false_accepts[0],
                   "fa_per_hour": false_accepts[0] / hours if hours else None},
        "qdq_onnx": {"frr": float(np.mean(pos[:, 1] <= cutoff)), "false_accepts": false_accepts[1],
                     "fa_per_hour": false_accepts[1] / hours if hours else None},
    }
    print_report(report, args.json)


def print_report(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for k, v in report.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
