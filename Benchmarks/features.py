"""Turns a WAV into streaming model inputs, as ESPHome feeds microWakeWord models.

usage: features.py IN.wav OUT.bin --steps N [--stride 3] [--skip-seconds S]

The audio (16 kHz mono int16) goes through pymicro-features (TFLM's audio microfrontend)
in 10 ms chunks; each uint16 feature u becomes int8 (u * 256 + 333) // 666 - 128, clamped
to [-128, 127] (ESPHome's integer quantization for input scale 0.10196, zero point -128);
`stride` frames make one step of [1, stride, 40] int8. Writes N steps back to back.
"""
import argparse
import sys
import wave

import numpy as np
from pymicro_features import MicroFrontend

RATE = 16000
CHUNK = 160


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wav")
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--stride", type=int, default=3)
    ap.add_argument("--skip-seconds", type=float, default=0.0)
    args = ap.parse_args()
    with wave.open(args.wav, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            sys.exit(f"{args.wav}: expected 16 kHz mono 16-bit")
        w.setpos(int(args.skip_seconds * RATE))
        # Enough audio for the frames wanted plus the frontend's first 30 ms window.
        pcm = w.readframes((args.steps * args.stride + 3) * CHUNK)
    frontend = MicroFrontend()
    frames = []
    pos, step = 0, CHUNK * 2
    while pos + step <= len(pcm) and len(frames) < args.steps * args.stride:
        result = frontend.process_samples(pcm[pos:pos + step])
        pos += result.samples_read * 2
        if result.features:
            frames.append(np.rint(np.asarray(result.features, dtype=np.float64) * 25.6).astype(np.int64))
    need = args.steps * args.stride
    if len(frames) < need:
        sys.exit(f"{args.wav}: only {len(frames)} feature frames, {need} needed")
    u = np.stack(frames[:need])
    q = np.clip((u * 256 + 333) // 666 - 128, -128, 127).astype(np.int8)
    with open(args.out, "wb") as f:
        f.write(q.tobytes())


if __name__ == "__main__":
    main()
