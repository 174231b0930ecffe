"""Writes a long 16 kHz mono int16 WAV for the simulator's real-time benchmark.

usage: make_hour.py BASE.wav OUT.wav [--seconds 3600] [--seed 1]

BASE.wav is a short clip of speech, noise and tones (Tests/Oracles/make_mixed_audio.py writes one).
It is repeated until OUT.wav is `seconds` long; every repetition gets its own gain
(-12..0 dB) and its own white noise (-70..-30 dBFS), so no two stretches are identical.
Same inputs and seed, same bytes.
"""
import argparse
import os
import sys
import wave

import numpy as np

RATE = 16000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=3600.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with wave.open(args.base, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            sys.exit(f"{args.base}: expected 16 kHz mono 16-bit")
        base = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    if len(base) == 0:
        sys.exit(f"{args.base}: no audio")
    rng = np.random.default_rng(args.seed)
    total = int(args.seconds * RATE)
    tmp = args.out + ".tmp"
    with wave.open(tmp, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        written = 0
        while written < total:
            n = min(len(base), total - written)
            gain = 10.0 ** (rng.uniform(-12.0, 0.0) / 20.0)
            noise_amp = 32768.0 * 10.0 ** (rng.uniform(-70.0, -30.0) / 20.0) * np.sqrt(3.0)
            x = base[:n] * gain + rng.uniform(-noise_amp, noise_amp, n)
            out.writeframes(np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes())
            written += n
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
