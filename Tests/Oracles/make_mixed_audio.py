#!/usr/bin/env python3
"""Write a deterministic 16 kHz mono int16 WAV that exercises the audio frontend.

    make_mixed_audio.py OUT.wav [--seconds 64] [--seed N]

The clip mixes espeak-ng speech (several voices, rates and pitches, clean, quiet,
over noise and overdriven into clipping), digital silence, white noise from
-80 dBFS to -3 dBFS, a sine sweep, and loud clipped tones and a full-scale square
wave that reach both +32767 and -32768. Same seed, same bytes (given the same
espeak-ng and sox). Provenance: espeak-ng for speech, sox for resampling.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

RATE = 16000

VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-us+f3", "en-us+m3", "en-gb+f2",
          "de", "fr", "es", "nl"]
PHRASES = [
    "hey jarvis, turn on the kitchen lights",
    "okay nabu, what is the weather like tomorrow",
    "the quick brown fox jumps over the lazy dog",
    "please set a timer for twelve minutes",
    "alexa, play some music in the living room",
    "hey mycroft, how far away is the moon",
    "seven six five four three two one zero",
    "she sells sea shells by the sea shore",
]


def fail(msg):
    sys.stderr.write(f"make_mixed_audio.py: {msg}\n")
    sys.exit(1)


def speak(text, voice, speed, pitch, tmpdir):
    """espeak-ng -> WAV at its native rate -> sox -> 16 kHz float in [-1, 1)."""
    raw = os.path.join(tmpdir, "speech_raw.wav")
    out = os.path.join(tmpdir, "speech_16k.wav")
    try:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                        "-w", raw, text], check=True, capture_output=True)
        # -D: no dither, so the resampled file is a pure function of the input.
        subprocess.run(["sox", "-D", raw, "-r", str(RATE), "-c", "1", "-b", "16", out],
                       check=True, capture_output=True)
    except FileNotFoundError as e:
        fail(f"{e.filename} is not installed")
    except subprocess.CalledProcessError as e:
        fail(f"{e.cmd[0]} failed: {e.stderr.decode(errors='replace').strip()}")
    return read_wav_float(out)


def read_wav_float(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            fail(f"{path}: expected mono 16-bit")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32768.0


def db(level_dbfs):
    return 10.0 ** (level_dbfs / 20.0)


def noise(rng, seconds, level_dbfs):
    # Uniform white noise with the given RMS (uniform on [-a, a] has RMS a/sqrt(3)).
    a = db(level_dbfs) * np.sqrt(3.0)
    return rng.uniform(-a, a, int(seconds * RATE))


def tone(freq, seconds, amplitude, phase=0.0):
    t = np.arange(int(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * freq * t + phase)


def sweep(f0, f1, seconds, amplitude):
    t = np.arange(int(seconds * RATE)) / RATE
    k = np.log(f1 / f0) / seconds
    return amplitude * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)


def square(freq, seconds):
    t = np.arange(int(seconds * RATE)) / RATE
    return np.where(np.sin(2 * np.pi * freq * t) >= 0, 1.0, -1.0)


def build(seconds, seed):
    rng = np.random.default_rng(seed)
    parts = []

    def random_speech(tmpdir):
        text = PHRASES[rng.integers(len(PHRASES))]
        voice = VOICES[rng.integers(len(VOICES))]
        speed = int(rng.integers(120, 200))
        pitch = int(rng.integers(20, 80))
        return speak(text, voice, speed, pitch, tmpdir)

    with tempfile.TemporaryDirectory() as tmpdir:
        # A fixed opening that covers every kind of segment at least once.
        parts.append(np.zeros(RATE))                                   # digital silence
        parts.append(random_speech(tmpdir) * db(-6))                   # clean speech
        parts.append(noise(rng, 0.5, -80))                             # near silence
        for level in (-60, -40, -20, -6):                              # noise ladder
            parts.append(noise(rng, 1.5, level))
        s = random_speech(tmpdir)
        parts.append(s * db(-10) + noise(rng, len(s) / RATE, -35))     # speech in noise
        parts.append(np.clip(tone(1000, 1.5, 1.8), -1.0, 1.0))         # clipped tone
        parts.append(np.zeros(RATE // 2))
        parts.append(np.clip(random_speech(tmpdir) * 6.0, -1.0, 1.0))  # overdriven speech
        parts.append(random_speech(tmpdir) * db(-40))                  # very quiet speech
        parts.append(sweep(60, 7900, 3.0, db(-3)))                     # sine sweep
        parts.append(square(440, 0.75))                                # full-scale square
        parts.append(np.clip(tone(180, 1.0, 3.0, 0.3), -1.0, 1.0))     # hard-clipped bass

        # Then random material until the requested length is reached.
        total = sum(len(p) for p in parts)
        while total < seconds * RATE:
            kind = rng.integers(6)
            if kind <= 2:
                s = random_speech(tmpdir) * db(rng.uniform(-30, 0))
                if kind == 2:
                    s = s + noise(rng, len(s) / RATE, rng.uniform(-60, -20))
                parts.append(s)
            elif kind == 3:
                parts.append(np.zeros(int(rng.uniform(0.2, 1.5) * RATE)))
            elif kind == 4:
                parts.append(noise(rng, rng.uniform(0.5, 2.0), rng.uniform(-70, -3)))
            else:
                f = rng.uniform(100, 4000)
                parts.append(np.clip(tone(f, rng.uniform(0.3, 1.0), rng.uniform(0.5, 2.5)), -1.0, 1.0))
            total += len(parts[-1])

    x = np.concatenate(parts)[: int(seconds * RATE)]
    # Full scale maps to -32768 / +32767: the clipped segments hit both rails.
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2")
    return pcm


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output WAV path")
    ap.add_argument("--seconds", type=float, default=64.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.seconds < 60:
        fail(f"--seconds must be at least 60, got {args.seconds}")
    pcm = build(args.seconds, args.seed)
    if pcm.max() != 32767 or pcm.min() != -32768:
        fail("internal error: the clip does not reach both rails")
    tmp = args.out + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
