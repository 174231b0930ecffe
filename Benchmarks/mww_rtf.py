"""Times microWakeWord's own Python runtime (pymicro-wakeword) over a WAV.

usage: mww_rtf.py MODEL_NAME IN.wav

Feeds the audio in 1 s blocks through MicroWakeWordFeatures and MicroWakeWord.process_streaming
(its frontend, TFLite interpreter and sliding-window detector), timing the loop only: reading
the file and loading the model are outside the clock, as in `harken simulate`'s realTimeFactor.
Prints JSON: audio seconds, wall seconds, real-time factor, steps, and detections (rising edges
of the detector's output).
"""
import json
import sys
import time
import wave

from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

RATE = 16000


def main() -> None:
    name, wav_path = sys.argv[1:3]
    with wave.open(wav_path, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            sys.exit(f"{wav_path}: expected 16 kHz mono 16-bit")
        pcm = w.readframes(w.getnframes())
    mww = MicroWakeWord.from_builtin(Model(name))
    feats = MicroWakeWordFeatures()
    frames = detections = 0
    active = False
    block = RATE * 2
    start = time.perf_counter()
    for offset in range(0, len(pcm), block):
        for frame in feats.process_streaming(pcm[offset:offset + block]):
            frames += 1
            fired = bool(mww.process_streaming(frame))
            if fired and not active:
                detections += 1
            active = fired
    wall = time.perf_counter() - start
    seconds = len(pcm) / 2 / RATE
    print(json.dumps({"audioSeconds": seconds, "wallSeconds": wall, "realTimeFactor": seconds / wall,
                      "steps": frames // mww.stride, "detections": detections}))


if __name__ == "__main__":
    main()
