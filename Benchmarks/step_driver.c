/* Streams N steps of int8 input through a model produced by `harken compile`.
 *
 *   cc -O2 -std=c99 -IFirmware/include -IOUT -DHK_NAME=hey_jarvis -DHK_INPUT_BYTES=120 \
 *      -DHK_OUTPUT_BYTES=1 -include hey_jarvis_model.h Benchmarks/step_driver.c \
 *      OUT/hey_jarvis_model.c OUT/hey_jarvis_weights.c Firmware/kernels/(every .c) -o driver
 *   ./driver INPUTS.bin OUTPUTS.bin
 *
 * INPUTS.bin holds N input tensors back to back; OUTPUTS.bin receives the N output tensors.
 * The streaming state persists across steps, as on a device. Under callgrind, count only
 * the model with --toggle-collect=<name>_invoke.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HK_NAME
#error "define HK_NAME to the model name given to harken compile"
#endif

#define HK_CAT(a, b) a##b
#define HK_XCAT(a, b) HK_CAT(a, b)
#define HK_FN(suffix) HK_XCAT(HK_NAME, suffix)

/* The generated header spells its sizes in upper case (HEY_JARVIS_INPUT_BYTES); the build passes them. */
#ifndef HK_INPUT_BYTES
#error "define HK_INPUT_BYTES"
#endif
#ifndef HK_OUTPUT_BYTES
#error "define HK_OUTPUT_BYTES"
#endif

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUTS.bin OUTPUTS.bin\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        fclose(in);
        return 1;
    }
    HK_FN(_init)();
    unsigned char step[HK_INPUT_BYTES];
    long steps = 0;
    size_t got;
    while ((got = fread(step, 1, sizeof step, in)) == sizeof step) {
        memcpy(HK_FN(_input)(), step, sizeof step);
        HK_FN(_invoke)();
        fwrite(HK_FN(_output)(), 1, HK_OUTPUT_BYTES, out);
        steps++;
    }
    fclose(in);
    if (got != 0) {
        fprintf(stderr, "%s: trailing %zu bytes are not a whole %d-byte step\n", argv[1], got, HK_INPUT_BYTES);
        fclose(out);
        return 1;
    }
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 1;
    }
    printf("%ld\n", steps);
    return 0;
}
