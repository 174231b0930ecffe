"""Training throughput of Harken's Sentry architectures rebuilt in TensorFlow/Keras (the stack
microWakeWord trains with): forward, backward and AdamW update on random windows, same batch,
input and thread count as `harken train --measure-throughput`. Prints JSON.

usage: keras_throughput.py ARCH BATCH STEPS THREADS   (ARCH: tinyconv-v2, mixednet)
"""
import json
import resource
import sys
import time

import numpy as np


def main() -> None:
    arch, batch, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    L = tf.keras.layers

    def conv(x, filters, k, stride=1, dilation=1):
        x = L.Conv2D(filters, (k, 1), strides=(stride, 1), dilation_rate=(dilation, 1), padding="valid", use_bias=False)(x)
        return L.ReLU()(L.BatchNormalization(momentum=0.99, epsilon=1e-3)(x))

    def depthwise(x, k, dilation=1):
        x = L.DepthwiseConv2D((k, 1), dilation_rate=(dilation, 1), padding="valid", use_bias=False)(x)
        return L.ReLU()(L.BatchNormalization(momentum=0.99, epsilon=1e-3)(x))

    # The same layers, kernels and widths as SentrySpec.standard (MixConv as one depthwise of the
    # largest kernel, as Harken trains it).
    if arch == "tinyconv-v2":
        frames, head = 146 - 24, 12
        inp = tf.keras.Input((frames, 1, 40), batch_size=batch)
        x = conv(inp, 24, 5, 3)
        for d in (1, 2, 4):
            x = conv(depthwise(x, 5, d), 32, 1)
    elif arch == "mixednet":
        frames, head = 140, 6
        inp = tf.keras.Input((frames, 1, 40), batch_size=batch)
        x = conv(inp, 32, 5, 3)
        for k in (5, 11, 13, 15):
            x = conv(depthwise(x, k), 64, 1)
    else:
        sys.exit(f"unknown architecture {arch}")
    x = L.Dropout(0.1)(x)
    out = L.Conv2D(1, (head, 1), padding="valid")(x)
    model = tf.keras.Model(inp, out)
    model.compile(optimizer=tf.keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.01),
                  loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 26, (batch, frames, 1, 40)).astype(np.float32)
    y = (np.arange(batch) % 2).astype(np.float32).reshape(batch, 1, 1, 1)
    if model.output_shape[1] != 1:
        sys.exit(f"window of {frames} frames gives {model.output_shape[1]} outputs")
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    seconds = time.perf_counter() - t0
    print(json.dumps({"architecture": arch, "batch": batch, "steps": steps, "threads": threads,
                      "samples_per_second": batch * steps / seconds,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
