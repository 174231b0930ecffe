#!/usr/bin/env bash
# Compile check of every project template, one board per family and the boards
# the templates name:
#
#   Tests/Oracles/check_templates.sh OUT_DIR MODEL
#
# For each board it generates a project with `harken firmware` into
# OUT_DIR/<board> and compiles it here:
#   - the portable C (harken/src/**, model/*, the wake-word app core) with the
#     cross compiler of the board's architecture where Debian has one, with
#     -std=c99 -Wall -Wextra -Werror:
#       Arm (Zephyr, Arduino, bare metal)  arm-none-eabi-gcc and the target's -mcpu flags
#       ESP32-C3 (rv32imc)                 riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 + picolibc
#       ESP32 / ESP32-S3 (Xtensa)          the target's xtensa-esp32*-elf-gcc if installed, else
#                                          Debian's xtensa-lx106-elf-gcc (-mlongcalls) + picolibc
#       generic DSP (c99)                  the host cc
#     then links them with a small driver calling hk_wake_init/hk_wake_feed,
#     so a missing kernel or symbol fails too;
#   - the SDK glue (ESP-IDF main/main.c, Zephyr src/main.c, the Arduino sketch)
#     with -fsyntax-only against the SDK stubs in Tests/Stubs/;
#   - the c99 project: built with its own Makefile and run on an espeak-ng clip
#     of the wake word (16 kHz raw via sox); every step's probability and time
#     and the detections must equal `harken simulate` on the same audio;
#   - ESP boards: the ESPHome configuration, its manifest and model.
#
# Prints one line per board (PASS/FAIL/SKIP) and exits non-zero on any failure.
# Environment: HARKEN (the CLI; default .build/debug/harken, then PATH),
# BOARDS (space-separated list to override the default set).
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 OUT_DIR MODEL" >&2
    exit 2
fi
OUT=$1
MODEL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STUBS=$ROOT/Tests/Stubs
export HARKEN_HOME=$ROOT

HARKEN=${HARKEN:-}
if [ -z "$HARKEN" ]; then
    if [ -x "$ROOT/.build/debug/harken" ]; then HARKEN=$ROOT/.build/debug/harken
    elif command -v harken >/dev/null 2>&1; then HARKEN=$(command -v harken)
    else echo "check_templates: no harken CLI (build it, or set HARKEN)" >&2; exit 2; fi
fi
if [ ! -f "$MODEL" ]; then
    echo "check_templates: model $MODEL not found" >&2
    exit 2
fi

BOARDS=${BOARDS:-"qemu-mps2-an386 esp32-devkitc esp32s3-devkitc esp32c3-devkitm nrf52840 nrf5340 rp2040 generic-dsp"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
failures=0

# ---- helpers -----------------------------------------------------------------

# yaml_field FILE KEY: a top-level scalar of a Targets/*.yaml file.
yaml_field() {
    sed -n "s/^$2:[[:space:]]*\"\{0,1\}\([^\"#]*\)\"\{0,1\}.*$/\1/p" "$1" | head -n 1 | sed 's/[[:space:]]*$//'
}

# toolchain_field FILE KEY: cc, or cflags as words, from the toolchain: block.
toolchain_field() {
    sed -n '/^toolchain:/,/^[^[:space:]]/p' "$1" | sed -n "s/^[[:space:]]*$2:[[:space:]]*//p" | head -n 1 \
        | tr -d '[],"' | sed 's/[[:space:]]\{1,\}/ /g; s/^ //; s/ $//'
}

# picolibc_specs TRIPLE: the picolibc specs file of a Debian cross toolchain, if installed.
picolibc_specs() {
    local f
    for f in "/usr/lib/picolibc/$1/picolibc.specs" "/usr/lib/$1/picolibc.specs"; do
        if [ -f "$f" ]; then echo "$f"; return 0; fi
    done
    return 1
}

# The wake-word driver linked with the portable objects (cross targets: a link check only).
write_driver() {
    cat > "$1" <<'EOF'
#include <stdint.h>
#include "harken/hk_wake.h"
extern const hk_model_api_t hk_model;
static hk_wake_t wake;
static int16_t silence[1600];
static volatile uint32_t detections;
static void on_detect(void *context, uint32_t step, uint8_t probability, int32_t window_sum)
{
    (void)context; (void)step; (void)probability; (void)window_sum;
    detections++;
}
int main(void)
{
    if (hk_wake_init(&wake, &hk_model, on_detect, 0) != 0) return 1;
    hk_wake_feed(&wake, silence, sizeof silence / sizeof silence[0]);
    return (int)detections;
}
EOF
}

# compile_all LOG CC FLAGS... -- FILES...: compile each file to an object in $OBJ.
compile_all() {
    local log=$1; shift
    local -a cmd=()
    while [ "$1" != "--" ]; do cmd+=("$1"); shift; done
    shift
    local f o rc=0
    for f in "$@"; do
        o=$OBJ/$(echo "$f" | tr '/' '_' | sed 's/\.c$/.o/')
        if ! "${cmd[@]}" -c "$f" -o "$o" >>"$log" 2>&1; then
            echo "compile failed: $f" >>"$log"
            rc=1
        fi
    done
    return $rc
}

# link_check YAML ISA CC FLAGS...: link $OBJ/*.o. Arm: newlib with nosys.specs.
# RISC-V: picolibc with the board's flash and RAM sizes, so the program must fit.
# Xtensa: Debian's lx106 picolibc cannot link a program (its crt0 breaks the
# literal ordering), so a relocatable link instead, whose undefined symbols must
# all be defined by the toolchain's libc, libm or libgcc.
link_check() {
    local yaml=$1 isa=$2; shift 2
    local -a cmd=("$@")
    case "$isa" in
        xtensa)
            local nm=${cmd[0]%gcc}nm libdir lib missing
            "${cmd[0]%gcc}ld" -r -o "$OBJ/partial.o" "$OBJ"/*.o || { echo "relocatable link failed"; return 1; }
            libdir=$(dirname "$(picolibc_specs xtensa-lx106-elf 2>/dev/null || echo /nonexistent/x)")/lib
            : >"$OBJ/defined.txt"
            for lib in "$("${cmd[@]}" -print-file-name=libc.a)" "$("${cmd[@]}" -print-file-name=libm.a)" \
                       "$libdir/libc.a" "$libdir/libm.a" "$("${cmd[@]}" -print-libgcc-file-name)"; do
                if [ -f "$lib" ]; then "$nm" --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' >>"$OBJ/defined.txt"; fi
            done
            sort -u -o "$OBJ/defined.txt" "$OBJ/defined.txt"
            if [ ! -s "$OBJ/defined.txt" ]; then echo "no libc/libm/libgcc to resolve symbols against"; return 1; fi
            # GCC's runtime helpers (__divsi3, __muldf3, __fixunssfsi, ...: libgcc's naming of
            # operations on machine modes) count as present: Debian's lx106 libgcc leaves
            # them to the ESP8266 ROM, ESP-IDF's libgcc has them all.
            missing=$("$nm" -u "$OBJ/partial.o" | awk '{ print $NF }' | sort -u | comm -23 - "$OBJ/defined.txt" \
                | grep -Ev '^__[a-z]+(si|di|sf|df|ti)[0-9]?$' | tr '\n' ' ')
            if [ -n "$missing" ]; then echo "undefined symbols: $missing"; return 1; fi
            echo "relocatable link, every undefined symbol in libc/libm/libgcc" ;;
        rv*)
            local flash ram
            flash=$(yaml_field "$yaml" flash_bytes)
            ram=$(yaml_field "$yaml" sram_bytes)
            "${cmd[@]}" "-Wl,--defsym=__flash_size=$flash" "-Wl,--defsym=__ram_size=$ram" -o "$OBJ/link.elf" "$OBJ"/*.o -lm \
                || { echo "link failed"; return 1; }
            echo "linked into ${flash} B flash / ${ram} B RAM" ;;
        *)
            "${cmd[@]}" --specs=nosys.specs -o "$OBJ/link.elf" "$OBJ"/*.o -lm || { echo "link failed"; return 1; }
            echo "linked" ;;
    esac
}

report() { # STATUS BOARD DETAIL
    printf '%-4s %-16s %s\n' "$1" "$2" "$3"
    if [ "$1" = FAIL ]; then failures=$((failures + 1)); fi
}

show_log() { # LOG: the first errors, indented, on stderr
    sed -n '1,25p' "$1" | sed 's/^/      /' >&2
}

# ---- per board ---------------------------------------------------------------

check_board() {
    local board=$1
    local yaml=$ROOT/Targets/$board.yaml
    if [ ! -f "$yaml" ]; then report FAIL "$board" "no Targets/$board.yaml"; return; fi
    local template isa cc cflags idf_target
    template=$(yaml_field "$yaml" template)
    isa=$(yaml_field "$yaml" isa)
    idf_target=$(yaml_field "$yaml" idf_target)
    cc=$(toolchain_field "$yaml" cc)
    cflags=$(toolchain_field "$yaml" cflags)

    local dir=$OUT/$board
    local log=$OUT/$board.log
    OBJ=$OUT/$board.obj
    rm -rf "$dir" "$OBJ"
    mkdir -p "$OBJ"
    : >"$log"
    if ! "$HARKEN" firmware --model "$MODEL" --board "$board" --out "$dir" >>"$log" 2>&1; then
        report FAIL "$board" "harken firmware failed (see $log)"; show_log "$log"; return
    fi

    # The compiler for the portable C.
    local -a ccmd
    local ccname specs
    case "$isa" in
        xtensa)
            if command -v "$cc" >/dev/null 2>&1; then
                ccmd=("$cc" $cflags); ccname=$cc
            elif command -v xtensa-lx106-elf-gcc >/dev/null 2>&1; then
                ccmd=(xtensa-lx106-elf-gcc -mlongcalls); ccname="xtensa-lx106-elf-gcc (nearest Xtensa in Debian)"
                if specs=$(picolibc_specs xtensa-lx106-elf); then ccmd+=("--specs=$specs"); ccname="$ccname + picolibc"; fi
            else
                report SKIP "$board" "no Xtensa compiler (apt-get install gcc-xtensa-lx106 picolibc-xtensa-lx106-elf)"; return
            fi ;;
        rv*)
            if ! command -v "$cc" >/dev/null 2>&1; then
                report SKIP "$board" "no $cc (apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)"; return
            fi
            ccmd=("$cc" $cflags); ccname="$cc $cflags"
            if specs=$(picolibc_specs riscv64-unknown-elf); then ccmd+=("--specs=$specs"); ccname="$ccname + picolibc"; fi ;;
        c99)
            ccmd=("${CC:-cc}" $cflags); ccname="${CC:-cc} $cflags" ;;
        *)
            if ! command -v "$cc" >/dev/null 2>&1; then
                report SKIP "$board" "no $cc (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"; return
            fi
            ccmd=("$cc" $cflags); ccname="$cc $cflags" ;;
    esac

    # Where the generated parts are (the Arduino library keeps them under src/).
    local inc runtime model
    if [ "$template" = arduino ]; then
        inc=src; runtime=src/harken; model=src/model
    else
        inc=harken/include; runtime=harken/src; model=model
    fi
    if [ ! -f "$dir/$inc/harken/hk_wake.h" ] || [ ! -d "$dir/$runtime/kernels" ] || [ -z "$(ls "$dir/$model"/*.c 2>/dev/null)" ]; then
        report FAIL "$board" "$template layout: expected $inc/harken/hk_wake.h, $runtime/<part>/*.c and $model/*.c"
        (cd "$dir" && find . -maxdepth 3 -type d | sort | sed 's/^/      /' >&2)
        return
    fi

    local -a warn=(-std=c99 -O2 -Wall -Wextra -Werror)
    local -a incs=("-I$inc" "-I$runtime/bench" "-I$model")
    local -a portable
    mapfile -t portable < <(cd "$dir" && find "$runtime" "$model" -name '*.c' | sort)
    if [ "$template" = baremetal ] && [ -d "$dir/port" ]; then
        mapfile -t -O "${#portable[@]}" portable < <(cd "$dir" && find port -name '*.c' | sort)
        incs+=(-Iport)
    fi
    if [ "$template" = c99 ]; then
        portable+=(main.c)
        warn+=(-pedantic)
    fi
    if ! (cd "$dir" && compile_all "$log" "${ccmd[@]}" "${warn[@]}" "${incs[@]}" -- "${portable[@]}"); then
        report FAIL "$board" "portable C with $ccname (see $log)"; show_log "$log"; return
    fi
    local detail="${#portable[@]} C files with $ccname, -Werror"

    # Link check: the runtime and the model with a driver, so a missing kernel or
    # symbol fails (not for bare metal, whose port brings its own startup and
    # linker script: harken firmware --build links it).
    if [ "$template" != baremetal ] && [ "$template" != c99 ]; then
        local drv=$OBJ/driver.c msg
        write_driver "$drv"
        if ! (cd "$dir" && "${ccmd[@]}" "${warn[@]}" "${incs[@]}" -c "$drv" -o "$OBJ/driver.o") >>"$log" 2>&1; then
            report FAIL "$board" "driver for the link check (see $log)"; show_log "$log"; return
        fi
        if ! msg=$(link_check "$yaml" "$isa" "${ccmd[@]}" 2>>"$log"); then
            report FAIL "$board" "link: $msg (see $log)"; show_log "$log"; return
        fi
        detail="$detail, $msg"
    fi

    # The SDK glue.
    case "$template" in
        esp-idf)
            local upper
            upper=$(echo "$idf_target" | tr '[:lower:]' '[:upper:]')
            local -a g=("${ccmd[@]}" -std=gnu17 -fsyntax-only -Wall -Wextra -Werror "-I$STUBS/esp-idf" "-I$inc" "-I$model"
                        "-DCONFIG_IDF_TARGET_$upper=1")
            if ! (cd "$dir" && "${g[@]}" main/main.c && "${g[@]}" -DCONFIG_HARKEN_MIC_RIGHT_SLOT=1 \
                    -DCONFIG_HARKEN_LED_GPIO=-1 -DCONFIG_HARKEN_MIC_GAIN_SHIFT=0 main/main.c) >>"$log" 2>&1; then
                report FAIL "$board" "main/main.c against Tests/Stubs/esp-idf (see $log)"; show_log "$log"; return
            fi
            detail="$detail; main/main.c syntax-checked ($idf_target stubs)"
            local msg
            if ! msg=$(check_esphome "$dir" 2>&1); then
                report FAIL "$board" "esphome: $msg"; return
            fi
            detail="$detail; $msg" ;;
        zephyr)
            if ! (cd "$dir" && "${ccmd[@]}" -std=gnu11 -fsyntax-only -Wall -Wextra -Werror "-I$STUBS/zephyr" "-I$inc" "-I$model" \
                    src/main.c) >>"$log" 2>&1; then
                report FAIL "$board" "src/main.c against Tests/Stubs/zephyr (see $log)"; show_log "$log"; return
            fi
            local overlay
            for overlay in boards/nrf52840dk_nrf52840.overlay boards/nrf5340dk_nrf5340_cpuapp.overlay prj.conf CMakeLists.txt; do
                if [ ! -f "$dir/$overlay" ]; then report FAIL "$board" "missing $overlay"; return; fi
            done
            detail="$detail; src/main.c syntax-checked (Zephyr stubs)" ;;
        arduino)
            local cxx=${ccmd[0]%gcc}g++
            if [ "${ccmd[0]}" = "$cxx" ] || ! command -v "$cxx" >/dev/null 2>&1; then cxx=c++; fi
            local -a cxxflags=("${ccmd[@]:1}")
            if [ "$cxx" = c++ ]; then cxxflags=(); fi
            if ! (cd "$dir" && "$cxx" "${cxxflags[@]}" -x c++ -std=gnu++14 -fsyntax-only -Wall -Wextra -Werror "-I$STUBS/arduino" \
                    -Isrc -include Arduino.h examples/WakeWord/WakeWord.ino) >>"$log" 2>&1; then
                report FAIL "$board" "examples/WakeWord/WakeWord.ino against Tests/Stubs/arduino (see $log)"; show_log "$log"; return
            fi
            if [ ! -f "$dir/library.properties" ] || [ ! -f "$dir/src/Harken.h" ]; then
                report FAIL "$board" "missing library.properties or src/Harken.h"; return
            fi
            detail="$detail; WakeWord.ino syntax-checked as C++ with $cxx (Arduino stubs)" ;;
        c99)
            local msg
            if ! msg=$(run_c99 "$dir" "$log" 2>&1); then
                report FAIL "$board" "$msg (see $log)"; show_log "$log"; return
            fi
            detail="$detail; $msg" ;;
    esac
    report PASS "$board" "$detail"
}

# check_esphome DIR: the ESPHome configuration, and the manifest and model it names.
check_esphome() {
    local dir=$1 name
    name=$(cd "$dir/model" && ls *_model.h 2>/dev/null | head -n 1 | sed 's/_model\.h$//')
    local yaml=$dir/esphome/micro_wake_word.yaml
    if [ ! -f "$yaml" ]; then echo "missing esphome/micro_wake_word.yaml"; return 1; fi
    if grep -q '{{' "$yaml"; then echo "unsubstituted {{...}} in esphome/micro_wake_word.yaml"; return 1; fi
    python3 - "$dir/esphome" "$name" <<'EOF'
import json, os, sys
folder, name = sys.argv[1], sys.argv[2]
text = open(os.path.join(folder, "micro_wake_word.yaml")).read()
try:
    import yaml
    class Loader(yaml.SafeLoader):
        pass
    # ESPHome tags (!secret, !include, !lambda) are not used here; refuse any.
    config = yaml.load(text, Loader=Loader)
    models = config["micro_wake_word"]["models"]
    paths = [m["model"] if isinstance(m, dict) else m for m in models]
except ImportError:
    paths = [line.split("model:", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("- model:")]
if paths != [name + ".json"]:
    sys.exit(f"the configuration's models are {paths}, expected ['{name}.json']")
manifest_path = os.path.join(folder, paths[0])
if not os.path.isfile(manifest_path):
    sys.exit(f"esphome/{paths[0]} is missing (the generator writes the manifest beside the configuration)")
try:
    m = json.load(open(manifest_path))
except ValueError as e:
    sys.exit(f"esphome/{paths[0]} is not JSON: {e}")
# ESPHome's micro_wake_word manifest schema, version 2.
need = {"type": str, "wake_word": str, "author": str, "model": str, "trained_languages": list, "version": int, "micro": dict}
for k, t in need.items():
    if not isinstance(m.get(k), t):
        sys.exit(f"esphome/{paths[0]}: field {k} missing or not a {t.__name__}")
if m["type"] != "micro" or m["version"] != 2:
    sys.exit(f"esphome/{paths[0]}: type must be 'micro' and version 2")
micro = {"probability_cutoff": (int, float), "sliding_window_size": int, "feature_step_size": int,
         "tensor_arena_size": int, "minimum_esphome_version": str}
for k, t in micro.items():
    if not isinstance(m["micro"].get(k), t):
        sys.exit(f"esphome/{paths[0]}: micro.{k} missing or of the wrong type")
if not 0 <= m["micro"]["feature_step_size"] <= 30 or m["micro"]["sliding_window_size"] < 1:
    sys.exit(f"esphome/{paths[0]}: micro.feature_step_size or sliding_window_size out of range")
tflite = os.path.join(folder, m["model"])
if not os.path.isfile(tflite):
    sys.exit(f"esphome/{m['model']} (the manifest's model) is missing")
with open(tflite, "rb") as f:
    head = f.read(8)
if head[4:8] != b"TFL3":
    sys.exit(f"esphome/{m['model']} is not a TFLite flatbuffer")
print(f"esphome config, {paths[0]} (v2) and {m['model']} ok")
EOF
}

# run_c99 DIR LOG: build with the project's Makefile, run on speech, compare with harken simulate.
run_c99() {
    local dir=$1 log=$2 name
    name=$(cd "$dir/model" && ls *_model.h | head -n 1 | sed 's/_model\.h$//')
    if ! make -C "$dir" CC="${CC:-cc}" >>"$log" 2>&1; then echo "make failed"; return 1; fi
    if [ ! -x "$dir/${name}_wake" ]; then echo "make did not produce ${name}_wake"; return 1; fi
    if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v sox >/dev/null 2>&1; then
        echo "built ${name}_wake (espeak-ng or sox missing: not run)"; return 0
    fi
    local phrase wav raw
    phrase=$(echo "$name" | tr '_' ' ')
    wav=$OUT/c99_clip.wav
    raw=$OUT/c99_clip.raw
    # The phrase three times with pauses, at 16 kHz (a voice, rate and pitch with which
    # microWakeWord's hey_jarvis fires once: a trace with high probabilities and a detection).
    if ! espeak-ng -v en-us+f2 -s 180 -p 70 -w "$OUT/c99_tts.wav" "$phrase. $phrase. $phrase." >>"$log" 2>&1 \
        || ! sox "$OUT/c99_tts.wav" -r 16000 -c 1 -b 16 -e signed-integer "$wav" pad 0.5 1 >>"$log" 2>&1 \
        || ! sox "$wav" -t raw -r 16000 -c 1 -b 16 -e signed-integer -L "$raw" >>"$log" 2>&1; then
        echo "could not make the speech clip"; return 1
    fi
    local out=$OUT/c99_run.out err=$OUT/c99_run.err
    "$dir/${name}_wake" --trace <"$raw" >"$out" 2>"$err"
    local rc=$?
    cat "$err" >>"$log"
    if [ $rc -ne 0 ]; then echo "${name}_wake exited with $rc"; return 1; fi
    if ! grep -q "samples" "$err"; then echo "${name}_wake printed no summary"; return 1; fi
    # The simulator on the same audio: every step's probability and time, and the detections.
    if ! "$HARKEN" simulate --model "$MODEL" --wav "$wav" --json >"$OUT/c99_sim.json" 2>>"$log"; then
        echo "harken simulate failed on the clip"; return 1
    fi
    python3 - "$out" "$OUT/c99_sim.json" "$name" "$phrase" <<'EOF'
import json, re, sys
out, sim_path, name, phrase = sys.argv[1:]
steps, detections = [], []
for line in open(out):
    m = re.fullmatch(r"step=(\d+) time_ms=(\d+) probability=(\d+)/256\n", line)
    if m:
        steps.append(tuple(int(g) for g in m.groups()))
        continue
    m = re.fullmatch(r"detected (\S+) step=(\d+) time_ms=(\d+) probability=(\d+)/256 window_mean=(\d+)/1000\n", line)
    if m and m.group(1) == name:
        detections.append((int(m.group(2)), int(m.group(3))))
        continue
    sys.exit(f"{name}_wake printed an unexpected line: {line!r}")
sim = json.load(open(sim_path))
expected = [(p["step"], round(p["time_s"] * 1000), p["raw"]) for p in sim["trace"]]
if steps != expected:
    first = next((i for i, (a, b) in enumerate(zip(steps, expected)) if a != b), min(len(steps), len(expected)))
    got = steps[first] if first < len(steps) else None
    want = expected[first] if first < len(expected) else None
    sys.exit(f"{name}_wake and harken simulate differ at step {first}: (step, time_ms, probability) {got} vs {want}"
             f" ({len(steps)} vs {len(expected)} steps)")
want_det = [(d["step"], round(d["time_s"] * 1000)) for d in sim["detections"]]
if detections != want_det:
    sys.exit(f"{name}_wake detected at {detections}, harken simulate at {want_det}")
print(f"ran {name}_wake on espeak-ng '{phrase}' x3: {len(steps)} steps and {len(detections)} detection(s),"
      f" every probability and time equal to harken simulate's")
EOF
}

for board in $BOARDS; do
    check_board "$board"
done
if [ "$failures" -ne 0 ]; then
    echo "check_templates: $failures board(s) failed; logs in $OUT" >&2
    exit 1
fi
exit 0
