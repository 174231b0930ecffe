"""Reads a safetensors file with nothing but struct, json and numpy (the format's definition) and
prints, per tensor in name order, its name, shape and the sum of its values, then the metadata."""
import json
import struct
import sys

import numpy as np

with open(sys.argv[1], "rb") as f:
    data = f.read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
meta = header.pop("__metadata__", {})
base = 8 + n
for name in sorted(header):
    e = header[name]
    assert e["dtype"] == "F32", e
    a, b = e["data_offsets"]
    values = np.frombuffer(data[base + a:base + b], dtype="<f4").reshape(e["shape"])
    print(name, list(values.shape), f"{float(values.astype(np.float64).sum()):.6f}")
print("metadata", json.dumps(meta, sort_keys=True))
