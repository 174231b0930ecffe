#!/usr/bin/env python3
"""Run the reference audio frontend (pymicro-features) over a WAV.

    frontend_oracle.py IN.wav OUT.bin

IN.wav must be 16 kHz mono 16-bit PCM. The audio goes to
pymicro_features.MicroFrontend in 160-sample (10 ms) chunks, as microWakeWord
streams it; a trailing partial chunk is dropped. Every feature frame is written
to OUT.bin as 40 little-endian uint16 values, frame after frame. pymicro-features
returns the frontend's uint16 outputs times 0.0390625 (= 1/25.6) in float32,
which is exact, so value * 25.6 rounded recovers the integers exactly.
"""
import os
import sys
import wave

import numpy as np
from pymicro_features import MicroFrontend

RATE = 16000
CHUNK = 160
CHANNELS = 40


def fail(msg):
    sys.stderr.write(f"frontend_oracle.py: {msg}\n")
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: frontend_oracle.py IN.wav OUT.bin")
    src, dst = sys.argv[1], sys.argv[2]
    try:
        with wave.open(src, "rb") as w:
            if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
                fail(f"{src}: expected 16000 Hz mono 16-bit, got {w.getframerate()} Hz, "
                     f"{w.getnchannels()} channel(s), {8 * w.getsampwidth()}-bit")
            pcm = w.readframes(w.getnframes())
    except (OSError, wave.Error) as e:
        fail(f"{src}: {e}")

    frontend = MicroFrontend()
    frames = []
    pos = 0
    step = CHUNK * 2
    while pos + step <= len(pcm):
        result = frontend.process_samples(pcm[pos:pos + step])
        pos += result.samples_read * 2
        if result.features:
            values = np.rint(np.asarray(result.features, dtype=np.float64) * 25.6)
            if len(values) != CHANNELS or values.min() < 0 or values.max() > 65535:
                fail(f"unexpected frame at sample {pos // 2}: {len(values)} values")
            frames.append(values.astype("<u2"))

    out = np.concatenate(frames) if frames else np.zeros(0, dtype="<u2")
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out.astype("<u2").tobytes())
    os.replace(tmp, dst)


if __name__ == "__main__":
    main()
