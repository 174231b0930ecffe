"""RT60 of impulse responses (raw little-endian float32 files, 16 kHz) by Schroeder backward
integration, T30: the -5 to -35 dB line, extrapolated to 60 dB. Prints one value per file."""
import sys
import numpy as np

for path in sys.argv[1:]:
    h = np.fromfile(path, dtype="<f4").astype(np.float64)
    e = np.cumsum(h[::-1] ** 2)[::-1]
    db = 10 * np.log10(e / e[0] + 1e-300)
    i0, i1 = np.argmax(db <= -5), np.argmax(db <= -35)
    if i1 <= i0:
        print("nan")
        continue
    t = np.arange(i0, i1) / 16000.0
    slope = np.polyfit(t, db[i0:i1], 1)[0]
    print(-60.0 / slope)
