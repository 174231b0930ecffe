"""Runs microWakeWord's own Python runtime (pymicro-wakeword) over a WAV.

usage: mww_stream.py MODEL_NAME IN.wav OUT.json [--cutoff C]
Writes, per inference step: the raw uint8 output, the sliding-window mean, and
whether the runtime reports a detection (mean > cutoff); plus the int8 inputs
the runtime fed the model (its float quantization of the features).
"""
import json
import sys
import wave

import numpy as np
from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model


def main() -> None:
    name, wav_path, out_path = sys.argv[1:4]
    cutoff = float(sys.argv[sys.argv.index("--cutoff") + 1]) if "--cutoff" in sys.argv else None
    with wave.open(wav_path, "rb") as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2 and w.getnchannels() == 1, "16 kHz mono int16 expected"
        pcm = w.readframes(w.getnframes())
    mww = MicroWakeWord.from_builtin(Model(name))
    if cutoff is not None:
        mww.probability_cutoff = cutoff
    feats = MicroWakeWordFeatures()
    steps, inputs, pending = [], [], []
    for frame in feats.process_streaming(pcm):
        pending.append(frame)
        before = len(mww._probabilities)
        mean = mww.process_streaming_prob(frame)
        if len(pending) == mww.stride:
            quant = np.round(np.concatenate(pending, axis=1) / mww.input_scale + mww.input_zero_point).astype(np.int8)
            inputs.append(quant.tobytes().hex())
            pending = []
            raw = int(round(mww._probabilities[-1] / mww.output_scale + mww.output_zero_point))
            steps.append({"raw": raw, "mean": mean, "detected": bool(mean > mww.probability_cutoff)})
        assert len(mww._probabilities) >= min(before, mww.sliding_window_size)
    json.dump({"cutoff": mww.probability_cutoff, "window": mww.sliding_window_size, "stride": mww.stride,
               "steps": steps, "inputs": inputs}, open(out_path, "w"))


if __name__ == "__main__":
    main()
