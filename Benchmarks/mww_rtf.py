"""Times microWakeWord's own Python runtime (pymicro-wakeword) over a WAV.

usage: mww_rtf.py MODEL_NAME IN.wav

Feeds the audio in 1 s blocks through MicroWakeWordFeatures and MicroWakeWord.process_streaming
(its frontend, TFLite interpreter and sliding-window detector), timing the loop only: reading
the file and loading the model are outside the clock, as in `harken simulate`'s realTimeFactor.
Prints JSON: audio seconds, wall seconds, real-time factor, steps, and detections: rising edges of
the runtime's output (mean > cutoff), an edge within 1 s of the last detection not counted again
(the runtime itself has no refractory time), each with the end time of the frame that raised it.
"""
import json
import sys
import time
import wave

from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

RATE = 16000
REFRACTORY_S = 1.0  # as `harken simulate --refractory-ms 1000`, its default


def main() -> None:
    name, wav_path = sys.argv[1:3]
    with wave.open(wav_path, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            sys.exit(f"{wav_path}: expected 16 kHz mono 16-bit")
        pcm = w.readframes(w.getnframes())
    mww = MicroWakeWord.from_builtin(Model(name))
    feats = MicroWakeWordFeatures()
    frames = 0
    detections = []
    active = False
    block = RATE * 2
    start = time.perf_counter()
    for offset in range(0, len(pcm), block):
        for frame in feats.process_streaming(pcm[offset:offset + block]):
            frames += 1
            fired = bool(mww.process_streaming(frame))
            if fired and not active:
                t = round((frames - 1) * 0.010 + 0.030, 2)
                if not detections or t - detections[-1] >= REFRACTORY_S:
                    detections.append(t)
            active = fired
    wall = time.perf_counter() - start
    seconds = len(pcm) / 2 / RATE
    print(json.dumps({"audio_seconds": seconds, "wall_seconds": wall, "real_time_factor": seconds / wall,
                      "steps": frames // mww.stride, "detections": len(detections), "detection_times_s": detections}))


if __name__ == "__main__":
    main()
