"""Runs microWakeWord's own Python runtime (pymicro-wakeword) over a WAV.

usage: mww_stream.py MODEL_NAME IN.wav OUT.json [--cutoff C]
Writes, per inference step: the raw uint8 output, the sliding-window mean, and
whether the runtime reports a detection (mean > cutoff); the int8 inputs the
runtime fed the model (its float quantization of the features); and, on those
same inputs, the outputs of the TFLM interpreter and of LiteRT with its reference
kernels (BUILTIN_REF). pymicro-wakeword runs TFLite's optimized kernels, which
round differently from the reference kernels that TFLM (and so ESPHome on the
device, and Harken) follow; "reference" replays the runtime's own window and
cutoff logic over the reference outputs.
"""
import json
import statistics
import sys
import wave

import numpy as np
from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from tflite_micro.python.tflite_micro import runtime


def main() -> None:
    name, wav_path, out_path = sys.argv[1:4]
    cutoff = float(sys.argv[sys.argv.index("--cutoff") + 1]) if "--cutoff" in sys.argv else None
    with wave.open(wav_path, "rb") as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2 and w.getnchannels() == 1, "16 kHz mono int16 expected"
        pcm = w.readframes(w.getnframes())
    mww = MicroWakeWord.from_builtin(Model(name))
    if cutoff is not None:
        mww.probability_cutoff = cutoff
    tflm = runtime.Interpreter.from_file(str(mww.tflite_model))
    ref = Interpreter(model_path=str(mww.tflite_model), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ref.allocate_tensors()
    ref_in, ref_out = ref.get_input_details()[0]["index"], ref.get_output_details()[0]["index"]
    ref_window = []
    feats = MicroWakeWordFeatures()
    steps, inputs, pending = [], [], []
    for frame in feats.process_streaming(pcm):
        pending.append(frame)
        mean = mww.process_streaming_prob(frame)
        if len(pending) == mww.stride:
            quant = np.round(np.concatenate(pending, axis=1) / mww.input_scale + mww.input_zero_point).astype(np.int8)
            inputs.append(quant.tobytes().hex())
            tflm.set_input(quant, 0)
            tflm.invoke()
            tflm_raw = int(tflm.get_output(0).reshape(-1)[0])
            ref.set_tensor(ref_in, quant)
            ref.invoke()
            ref_raw = int(ref.get_tensor(ref_out).reshape(-1)[0])
            ref_window = (ref_window + [(ref_raw - mww.output_zero_point) * mww.output_scale])[-mww.sliding_window_size:]
            ref_mean = statistics.mean(ref_window) if len(ref_window) == mww.sliding_window_size else 0.0
            pending = []
            raw = int(round(mww._probabilities[-1] / mww.output_scale + mww.output_zero_point))
            steps.append({"raw": raw, "tflm": tflm_raw, "mean": mean, "detected": bool(mean > mww.probability_cutoff),
                          "ref": ref_raw, "ref_mean": ref_mean, "ref_detected": bool(ref_mean > mww.probability_cutoff)})
    json.dump({"cutoff": mww.probability_cutoff, "window": mww.sliding_window_size, "stride": mww.stride,
               "steps": steps, "inputs": inputs}, open(out_path, "w"))


if __name__ == "__main__":
    main()
