"""Rewrites one operator code of a .tflite (through the TFLite schema's object API).

usage: retag_operator.py IN.tflite OUT.tflite FROM_CODE TO_CODE [VERSION]
Every operator using builtin FROM_CODE now claims TO_CODE (and VERSION), giving
models with an operator or version Harken does not support.
"""
import sys

import flatbuffers
from ai_edge_litert import schema_py_generated as schema

src, dst, old, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
version = int(sys.argv[5]) if len(sys.argv) > 5 else None
model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(open(src, "rb").read(), 0))
hits = 0
for code in model.operatorCodes:
    if code.builtinCode == old:
        code.builtinCode = new
        code.deprecatedBuiltinCode = min(new, 127)
        if version is not None:
            code.version = version
        hits += 1
if not hits:
    sys.exit(f"{src}: no operator code {old}")
builder = flatbuffers.Builder(1024)
builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
open(dst, "wb").write(builder.Output())
