"""Streams raw input steps through LiteRT (PyPI ai-edge-litert) with its reference kernels
(BUILTIN_REF: the arithmetic TFLM and devices run; the optimized kernels round differently).

usage: litert_stream.py MODEL.tflite INPUTS.bin OUTPUTS.bin   (files as tflm_stream.py)
"""
import sys

from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tflm_stream import stream


def main() -> None:
    model, inputs, outputs = sys.argv[1:4]
    interp = Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]

    def step(x):
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        return interp.get_tensor(outp["index"]).tobytes()

    stream(inputs, outputs, tuple(inp["shape"]), inp["dtype"], step)


if __name__ == "__main__":
    main()
