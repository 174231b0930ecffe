#!/bin/sh
# Builds and checks the Harken ISS (Sources/CArmISS) without SwiftPM.
#
#   Tests/ISS/build.sh [OUT_DIR]          (default /tmp/hk_iss)
#
# 1. Builds the ISS library and the two drivers (iss_selftest, iss_run_model)
#    with the host compiler, -std=c99 -Wall -Wextra -Werror.
# 2. Assembles the hand-counted kernels (smlad_loop.S, m4_rules.S,
#    m0plus_loop.S) and runs iss_selftest: every count must equal the hand
#    count written in the kernel's source.
# 3. Compiles hey_jarvis with `harken compile`, inserts a marker before each
#    kernel call (insert_markers.awk), links it with Firmware/kernels for
#    Cortex-M0+, M4, M7 and M33 (reference kernels, and the DSP variants where
#    the core has them) using iss.ld, runs init + STEPS invokes of each on the
#    ISS with real features (Benchmarks/features.py on build/demo/scene.wav
#    when it exists, else seeded random bytes), and checks every output byte
#    against the same C built for the host (Benchmarks/step_driver.c).
#
# Needs: libunicorn-dev libcapstone-dev libelf-dev gcc-arm-none-eabi libnewlib-arm-none-eabi,
# a built harken (HARKEN=, default .build/debug/harken) and the venv (PY=).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/Tests/ISS"
OUT=${1:-/tmp/hk_iss}
HARKEN=${HARKEN:-$ROOT/.build/debug/harken}
PY=${PY:-$ROOT/.venv/bin/python}
CC=${CC:-cc}
ARMCC=${ARMCC:-arm-none-eabi-gcc}
STEPS=${STEPS:-100}
NAME=hey_jarvis

mkdir -p "$OUT"
ISS_SRC="$ROOT/Sources/CArmISS"
HOST_CFLAGS="-std=c99 -Wall -Wextra -Werror -O2 -I$ISS_SRC/include"
# Every .c of the folder, as SwiftPM builds the CArmISS target: the run API
# (hk_iss.c), the ELF loader (hk_iss_elf.c, libelf), the decoder
# (hk_iss_decode.c), the charging hooks (hk_iss_timing.c) and the per-core
# tables (hk_iss_timing_*.c).
ISS_LIBS="-lunicorn -lcapstone -lelf"

echo "== 1. ISS library and drivers (host $CC)"
$CC $HOST_CFLAGS "$HERE/iss_selftest.c" "$ISS_SRC"/*.c -o "$OUT/iss_selftest" $ISS_LIBS
$CC $HOST_CFLAGS "$HERE/iss_run_model.c" "$ISS_SRC"/*.c -o "$OUT/iss_run_model" $ISS_LIBS

echo "== 2. hand-counted kernels"
M0P="-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft"
M4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
M7="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16"
M33="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16"
ASM_LINK="-nostartfiles -nostdlib -T $ROOT/Firmware/profile/iss.ld"
$ARMCC $M4 $ASM_LINK "$HERE/smlad_loop.S" -o "$OUT/smlad_loop.elf"
$ARMCC $M4 $ASM_LINK "$HERE/m4_rules.S" -o "$OUT/m4_rules.elf"
$ARMCC $M0P $ASM_LINK "$HERE/m0plus_loop.S" -o "$OUT/m0plus_loop.elf"
$ARMCC $M4 $ASM_LINK "$HERE/art_loop.S" -o "$OUT/art_loop.elf"
"$OUT/iss_selftest" "$OUT"

echo "== 3. $NAME on the ISS"
MODEL=$("$PY" "$ROOT/scripts/mww_model.py" $NAME)
GEN="$OUT/gen"
rm -rf "$GEN"
"$HARKEN" compile --model "$MODEL" --out "$GEN" --name $NAME >/dev/null
IN_BYTES=$(sed -n "s/^#define HEY_JARVIS_INPUT_BYTES \([0-9]*\)$/\1/p" "$GEN/${NAME}_model.h")
OUT_BYTES=$(sed -n "s/^#define HEY_JARVIS_OUTPUT_BYTES \([0-9]*\)$/\1/p" "$GEN/${NAME}_model.h")

# A copy with one marker per kernel call, and a DSP-variant copy of that.
awk -v names="$OUT/markers.txt" -f "$HERE/insert_markers.awk" "$GEN/${NAME}_model.c" > "$GEN/${NAME}_model_ref.c"
sed -e 's/\bhk_conv2d_s8(/hk_conv2d_s8_dsp(/' -e 's/\bhk_dwconv2d_s8(/hk_dwconv2d_s8_dsp(/' \
    -e 's/\bhk_fully_connected_s8(/hk_fully_connected_s8_dsp(/' "$GEN/${NAME}_model_ref.c" > "$GEN/${NAME}_model_dsp.c"
sed -e 's/-> hk_conv2d_s8$/-> hk_conv2d_s8_dsp/' -e 's/-> hk_dwconv2d_s8$/-> hk_dwconv2d_s8_dsp/' \
    -e 's/-> hk_fully_connected_s8$/-> hk_fully_connected_s8_dsp/' "$OUT/markers.txt" > "$OUT/markers_dsp.txt"

# The build line: the generated C, the runtime's kernels and the marker, for
# the ISS memory map (iss.ld: flash at 0, RAM at 0x20000000, no startup code).
TARGET_CFLAGS="-std=c99 -O2 -ffunction-sections -fdata-sections -nostartfiles -DHK_ISS_PROFILE"
TARGET_LDFLAGS="-T $ROOT/Firmware/profile/iss.ld -Wl,--gc-sections -Wl,-u,${NAME}_init -Wl,-u,${NAME}_invoke -Wl,-u,${NAME}_input -Wl,-u,${NAME}_output"
link() {   # link CORE_FLAGS VARIANT ELF
    $ARMCC $1 $TARGET_CFLAGS -I"$ROOT/Firmware/include" -I"$GEN" \
        "$GEN/${NAME}_model_$2.c" "$GEN/${NAME}_weights.c" "$ROOT"/Firmware/kernels/*.c \
        "$ROOT/Firmware/profile/hk_marker.c" $TARGET_LDFLAGS -o "$3"
}
link "$M4" ref "$OUT/${NAME}_m4_ref.elf"
link "$M4" dsp "$OUT/${NAME}_m4_dsp.elf"
link "$M7" dsp "$OUT/${NAME}_m7_dsp.elf"
link "$M33" dsp "$OUT/${NAME}_m33_dsp.elf"
link "$M0P" ref "$OUT/${NAME}_m0plus_ref.elf"

# Inputs: real features when the demo scene exists, else random.
INPUTS=""
if [ -f "$ROOT/build/demo/scene.wav" ]; then
    "$PY" "$ROOT/Benchmarks/features.py" "$ROOT/build/demo/scene.wav" "$OUT/inputs.bin" --steps "$STEPS" >/dev/null
else
    "$PY" -c "import random,sys; random.seed(1); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range($IN_BYTES * $STEPS)))" > "$OUT/inputs.bin"
fi
INPUTS="--inputs $OUT/inputs.bin"

# The reference: the same generated C (without markers) on the host.
$CC -O2 -std=c99 -I"$ROOT/Firmware/include" -I"$GEN" -DHK_NAME=$NAME -DHK_INPUT_BYTES=$IN_BYTES \
    -DHK_OUTPUT_BYTES=$OUT_BYTES -include ${NAME}_model.h "$ROOT/Benchmarks/step_driver.c" \
    "$GEN/${NAME}_model.c" "$GEN/${NAME}_weights.c" "$ROOT"/Firmware/kernels/*.c -o "$OUT/host_driver"
"$OUT/host_driver" "$OUT/inputs.bin" "$OUT/host_outputs.bin" >/dev/null

run() {   # run TAG ELF CORE WAIT_STATES MARKERS [extra options]
    tag=$1 elf=$2 core=$3 ws=$4 markers=$5
    shift 5
    echo
    "$OUT/iss_run_model" "$elf" "$core" "$ws" $NAME "$IN_BYTES" "$OUT_BYTES" --steps "$STEPS" $INPUTS \
        --markers "$markers" --outputs "$OUT/outputs_$tag.bin" "$@"
    if cmp -s "$OUT/host_outputs.bin" "$OUT/outputs_$tag.bin"; then
        echo "  outputs: identical to the host build, $STEPS steps"
    else
        echo "  outputs: DIFFER from the host build"
        exit 1
    fi
}
run m4_ref "$OUT/${NAME}_m4_ref.elf" m4 0 "$OUT/markers.txt"
run m4_dsp "$OUT/${NAME}_m4_dsp.elf" m4 0 "$OUT/markers_dsp.txt"
run m4_dsp_ws5 "$OUT/${NAME}_m4_dsp.elf" m4 5 "$OUT/markers_dsp.txt" --flash-cache 16,8,64
run m7_dsp "$OUT/${NAME}_m7_dsp.elf" m7 0 "$OUT/markers_dsp.txt"
run m33_dsp "$OUT/${NAME}_m33_dsp.elf" m33 0 "$OUT/markers_dsp.txt"
run m0plus_ref "$OUT/${NAME}_m0plus_ref.elf" m0plus 0 "$OUT/markers.txt"
run m0plus_ref_ws1 "$OUT/${NAME}_m0plus_ref.elf" m0plus 1 "$OUT/markers.txt"
