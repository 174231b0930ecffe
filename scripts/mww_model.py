"""Prints the path of one of microWakeWord's published models shipped in pymicro-wakeword."""
import pathlib
import sys

import pymicro_wakeword

name = sys.argv[1] if len(sys.argv) > 1 else "hey_jarvis"
path = pathlib.Path(pymicro_wakeword.__file__).parent / "models" / f"{name}.tflite"
if not path.exists():
    sys.exit(f"no model {name!r} in {path.parent}")
print(path)
