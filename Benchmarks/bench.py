"""Harken beside TFLM and pymicro-wakeword, measured in one run, reported as ratios.

usage: bench.py --harken BIN [--work DIR] [--steps N] [--hour-seconds S] [--models a,b] [--json]

For each of microWakeWord's published models (shipped in pymicro-wakeword):
  arena   Harken's arena + state bytes (`harken compile --json`) beside TFLM's arena
          ("Arena allocation total" printed by the PyPI tflite-micro interpreter's
          print_allocations(), after AllocateTensors on this x86-64 host) and beside the
          manifest's tensor_arena_size.
  steps   host instructions per streaming step under callgrind, on the same real-feature
          inputs: the generated C built with `cc -O2 -std=c99` (counted inside <name>_invoke)
          against the PyPI TFLM interpreter (counted inside
          tflite::micro::MicroInterpreter::Invoke()); the two output streams must be identical.
  firmware  the bench firmware for an emulated board (default qemu-mps2-an386, Cortex-M4):
          flash (text + rodata + data image) and static RAM (data + bss) of the built ELF,
          the stack high-water the device reports after streaming steps in QEMU, beside the
          .tflite's size and TFLM's arena.
Then, for the first model:
  rtf     `harken simulate` over an hour of 16 kHz audio, timed end to end, and
          pymicro-wakeword's Python runtime (its frontend + TFLite) over the same file.
"""
import argparse
import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import time

import pymicro_wakeword

ROOT = pathlib.Path(__file__).resolve().parent.parent
PY = sys.executable
MODELS = ["hey_jarvis", "alexa", "hey_mycroft", "okay_nabu"]
TFLM_INVOKE = "tflite::micro::MicroInterpreter::Invoke()"
ARENA_GOAL = 0.40
HOUR_GOAL_S = 10.0


def log(msg: str) -> None:
    sys.stderr.write(f"[bench] {msg}\n")
    sys.stderr.flush()


def run(cmd, **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kw)
    except subprocess.CalledProcessError as e:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed ({e.returncode}):\n{e.stderr[-4000:]}")
    except FileNotFoundError as e:
        sys.exit(f"bench: {e.filename} is not installed")


def callgrind(cmd, toggle: str, out: pathlib.Path) -> int:
    """Instructions executed inside `toggle` (and what it calls) while running cmd."""
    run(["valgrind", "--tool=callgrind", f"--toggle-collect={toggle}", f"--callgrind-out-file={out}"] + list(cmd))
    m = re.search(r"^totals:\s+(\d+)", out.read_text(), re.M) or re.search(r"^summary:\s+(\d+)", out.read_text(), re.M)
    if not m or int(m.group(1)) == 0:
        sys.exit(f"bench: callgrind counted nothing inside {toggle!r} ({out})")
    return int(m.group(1))


def top_functions(out: pathlib.Path, steps: int, count: int = 6) -> list:
    """The functions with the most instructions of their own (self cost), per step."""
    text = run(["callgrind_annotate", "--inclusive=no", out]).stdout
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(?:\S*?:)?(.+?)(?:\s+\[[^\]]*\])?$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = re.sub(r"\(.*", "", m.group(2)).strip()
            rows.append({"function": name, "instructions_per_step": int(m.group(1).replace(",", "")) / steps})
    return rows[:count]


def tflm_arena(text: str) -> dict:
    def grab(pattern):
        m = re.search(pattern, text)
        if not m:
            sys.exit(f"bench: TFLM's print_allocations() output has no {pattern!r}:\n{text}")
        return int(m.group(1))
    return {"total": grab(r"Arena allocation total (\d+) bytes"),
            "head": grab(r"Arena allocation head (\d+) bytes"),
            "tail": grab(r"Arena allocation tail (\d+) bytes")}


def object_ram(obj: pathlib.Path) -> int:
    """.data + .bss of a compiled object: the static RAM it really takes."""
    out = run(["size", "-A", obj]).stdout
    ram = 0
    for line in out.splitlines():
        parts = line.split()
        # .data.rel.ro holds the generated tables of pointers: read-only once relocated (flash on a device).
        if len(parts) >= 2 and (parts[0].split(".")[1:2] in (["data"], ["bss"])) and not parts[0].startswith(".data.rel.ro"):
            ram += int(parts[1])
    return ram


def bench_model(name: str, args, work: pathlib.Path, inputs_for) -> dict:
    model = pathlib.Path(pymicro_wakeword.__file__).parent / "models" / f"{name}.tflite"
    manifest = json.loads(model.with_suffix(".json").read_text())
    d = work / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    log(f"{name}: harken compile")
    comp = json.loads(run([args.harken, "compile", "--model", model, "--out", d / "c", "--name", name, "--json"]).stdout)
    header = (d / "c" / f"{name}_model.h").read_text()
    in_bytes = int(re.search(rf"#define {name.upper()}_INPUT_BYTES (\d+)", header).group(1))
    out_bytes = int(re.search(rf"#define {name.upper()}_OUTPUT_BYTES (\d+)", header).group(1))
    inputs = inputs_for(in_bytes // 40)

    cflags = ["-O2", "-std=c99", f"-I{ROOT / 'Firmware/include'}", f"-I{d / 'c'}"]
    run(["cc"] + cflags + ["-c", d / "c" / f"{name}_model.c", "-o", d / "model.o"])
    kernels = sorted((ROOT / "Firmware/kernels").glob("*.c"))
    run(["cc"] + cflags + [f"-DHK_NAME={name}", f"-DHK_INPUT_BYTES={in_bytes}", f"-DHK_OUTPUT_BYTES={out_bytes}",
                           "-include", f"{name}_model.h", ROOT / "Benchmarks/step_driver.c",
                           d / "c" / f"{name}_model.c", d / "c" / f"{name}_weights.c"] + kernels + ["-o", d / "driver", "-lm"])

    log(f"{name}: callgrind, generated C")
    ours_ir = callgrind([d / "driver", inputs, d / "out_harken.bin"], f"{name}_invoke", d / "callgrind.harken")
    log(f"{name}: callgrind, TFLM")
    tflm_ir = callgrind([PY, ROOT / "Benchmarks/tflm_steps.py", model, inputs, d / "out_tflm.bin"],
                        TFLM_INVOKE, d / "callgrind.tflm")
    alloc = json.loads(run([PY, ROOT / "Benchmarks/tflm_steps.py", model]).stdout)["allocations"]
    steps = os.path.getsize(inputs) // in_bytes
    ours_out, tflm_out = (d / "out_harken.bin").read_bytes(), (d / "out_tflm.bin").read_bytes()
    identical = len(ours_out) == steps * out_bytes and ours_out == tflm_out
    if not identical:
        first = next((i for i, (a, b) in enumerate(zip(ours_out, tflm_out)) if a != b), min(len(ours_out), len(tflm_out)))
        log(f"{name}: WARNING: generated C and TFLM outputs differ (first at byte {first})")

    arena = tflm_arena(alloc)
    ours_ram = comp["arena_bytes"] + comp["state_bytes"]
    return {
        "model": name,
        "harken": {"arena_bytes": comp["arena_bytes"], "state_bytes": comp["state_bytes"], "weight_bytes": comp["weight_bytes"],
                   "ram_bytes": ours_ram, "object_data_bss_bytes": object_ram(d / "model.o"),
                   "instructions_per_step": ours_ir / steps,
                   "top_functions": top_functions(d / "callgrind.harken", steps)},
        "tflm": {"arena_total_bytes": arena["total"], "arena_head_bytes": arena["head"], "arena_tail_bytes": arena["tail"],
                 "allocations": [l.strip() for l in alloc.splitlines() if l.strip()],
                 "instructions_per_step": tflm_ir / steps,
                 "top_functions": top_functions(d / "callgrind.tflm", steps)},
        "manifest_tensor_arena_size": manifest["micro"]["tensor_arena_size"],
        "steps": steps,
        "outputs_identical": identical,
        "ram_ratio_vs_tflm": ours_ram / arena["total"],
        "ram_ratio_vs_manifest": ours_ram / manifest["micro"]["tensor_arena_size"],
        "arena_ratio_vs_tflm_head": comp["arena_bytes"] / arena["head"],
        "instruction_ratio": ours_ir / tflm_ir,
    }


def bench_firmware(name: str, args, work: pathlib.Path, tflm_arena_total: int) -> dict:
    model = pathlib.Path(pymicro_wakeword.__file__).parent / "models" / f"{name}.tflite"
    d = work / name / f"fw-{args.board}"
    shutil.rmtree(d, ignore_errors=True)
    log(f"{name}: harken firmware --board {args.board} --build")
    fw = json.loads(run([args.harken, "firmware", "--model", model, "--board", args.board, "--out", d, "--build", "--json"]).stdout)
    log(f"{name}: harken bench --emulate (QEMU)")
    b = json.loads(run([args.harken, "bench", "--emulate", fw["elf"], "--board", args.board, "--model", model,
                        "--steps", 60, "--json"]).stdout)
    ram = fw["ram_bytes"] + b["stats"]["stack_used_bytes"]
    return {"board": args.board, "flash_bytes": fw["flash_bytes"], "static_ram_bytes": fw["ram_bytes"],
            "stack_high_water_bytes": b["stats"]["stack_used_bytes"], "ram_bytes": ram, "model_file_bytes": model.stat().st_size,
            "tflm_arena_total_bytes": tflm_arena_total, "cycles_per_step": b["cycles_mean"], "device_outputs_identical": b["mismatches"] == 0}


def bench_rtf(name: str, args, work: pathlib.Path, base_wav: pathlib.Path) -> dict:
    model = pathlib.Path(pymicro_wakeword.__file__).parent / "models" / f"{name}.tflite"
    hour = work / "hour.wav"
    log(f"writing {args.hour_seconds:.0f} s of audio")
    run([PY, ROOT / "Benchmarks/make_hour.py", base_wav, hour, "--seconds", args.hour_seconds])
    log(f"{name}: harken simulate over {args.hour_seconds:.0f} s")
    ru0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    sim = json.loads(run([args.harken, "simulate", "--model", model, "--wav", hour, "--json"]).stdout)
    wall, ru1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    log(f"{name}: pymicro-wakeword over {args.hour_seconds:.0f} s")
    mww = json.loads(run([PY, ROOT / "Benchmarks/mww_rtf.py", name, hour]).stdout)
    hour.unlink()
    return {
        "model": name,
        "audio_seconds": sim["audio_seconds"],
        "harken": {"wall_seconds": wall, "cpu_seconds": cpu, "real_time_factor": sim["real_time_factor"],
                   "end_to_end_real_time_factor": sim["audio_seconds"] / wall,
                   "host_mean_step_us": sim["host_mean_step_us"], "steps": sim["steps"],
                   "detections": len(sim["detections"]),
                   "detection_times_s": [x["time_s"] for x in sim["detections"]]},
        "pymicro_wakeword": mww,
        "hour_wall_seconds": wall * 3600.0 / sim["audio_seconds"],
        "rtf_ratio": sim["real_time_factor"] / mww["real_time_factor"],
    }


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return "unknown"
    return (head or "unknown") + ("+modified" if dirty else "")


def table(report: dict) -> str:
    lines = [f"Harken binary: {report['harken']} ({report['build']}), commit {report['commit']}", ""]
    lines.append("RAM (bytes)    harken arena+state   (.bss)   TFLM arena total   ours/TFLM   manifest arena   ours/manifest")
    for m in report["models"]:
        h = m["harken"]
        lines.append(f"{m['model']:<14} {h['arena_bytes']:>6} + {h['state_bytes']:>5} = {h['ram_bytes']:>5}   ({h['object_data_bss_bytes']:>5})"
                     f"   {m['tflm']['arena_total_bytes']:>16}   {100 * m['ram_ratio_vs_tflm']:>8.1f} %"
                     f"   {m['manifest_tensor_arena_size']:>14}   {100 * m['ram_ratio_vs_manifest']:>11.1f} %")
    lines.append(f"goal: ours/TFLM <= {100 * ARENA_GOAL:.0f} %.  Activations alone, harken arena / TFLM arena head: "
                 + ", ".join(f"{m['model']} {100 * m['arena_ratio_vs_tflm_head']:.0f} %" for m in report["models"]))
    lines.append("")
    same = all(m["outputs_identical"] for m in report["models"])
    lines.append(f"Instructions per step (callgrind, {report['models'][0]['steps']} steps of real features; "
                 f"{'outputs identical' if same else 'OUTPUTS DIFFER'})")
    lines.append("               harken C (-O2)    TFLM Invoke()   ours/TFLM")
    for m in report["models"]:
        lines.append(f"{m['model']:<14} {m['harken']['instructions_per_step']:>14,.0f}   {m['tflm']['instructions_per_step']:>14,.0f}"
                     f"   {m['instruction_ratio']:>9.2f}")
    if report["models"] and "firmware" in report["models"][0]:
        f0 = report["models"][0]["firmware"]
        lines.append("")
        lines.append(f"Bench firmware on {f0['board']} (built ELF; stack high-water reported by the device in QEMU)")
        lines.append("               flash (text+rodata+data)   RAM (data+bss+stack)   .tflite size   TFLM arena   cycles/step")
        for m in report["models"]:
            f = m["firmware"]
            lines.append(f"{m['model']:<14} {f['flash_bytes']:>24,}   {f['static_ram_bytes']:>7,} + {f['stack_high_water_bytes']:>5,} = {f['ram_bytes']:>6,}"
                         f"   {f['model_file_bytes']:>12,}   {f['tflm_arena_total_bytes']:>10,}   {f['cycles_per_step']:>11,.0f}")
    if report["models"] and "cost_model" in report["models"][0]:
        lines.append("")
        lines.append("Cost model (harken cost --target stm32f4): one evaluation of the analytic model (goal < 10 ms)")
        for m in report["models"]:
            c = m["cost_model"]
            lines.append(f"{m['model']:<14} {c['evaluation_microseconds']:>8.0f} us   ({c['estimated_cycles']:,.0f} cycles per step estimated)")
    r = report.get("rtf")
    if r:
        lines.append("")
        lines.append(f"Simulator, {r['model']}, {r['audio_seconds'] / 60:.0f} min of 16 kHz audio")
        lines.append(f"  harken simulate    {r['harken']['wall_seconds']:6.2f} s end to end ({r['harken']['cpu_seconds']:.2f} s CPU)   "
                     f"loop RTF {r['harken']['real_time_factor']:7.0f}x   ({r['hour_wall_seconds']:.2f} s per hour; goal < {HOUR_GOAL_S:.0f} s)")
        lines.append(f"  pymicro-wakeword   {r['pymicro_wakeword']['wall_seconds']:6.2f} s loop only                  "
                     f"loop RTF {r['pymicro_wakeword']['real_time_factor']:7.0f}x")
        lines.append(f"  RTF ratio harken/pymicro-wakeword: {r['rtf_ratio']:.2f}   "
                     f"(detections: harken {r['harken']['detections']}, pymicro-wakeword {r['pymicro_wakeword']['detections']})")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--harken", required=True)
    ap.add_argument("--work", default=str(ROOT / "build/bench"))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--hour-seconds", type=float, default=3600.0)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--no-rtf", action="store_true")
    ap.add_argument("--board", default="qemu-mps2-an386", help="emulated board for the firmware sizes")
    ap.add_argument("--no-firmware", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.harken = os.path.abspath(args.harken)
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in MODELS:
            sys.exit(f"bench: unknown model {m!r}; expected some of {', '.join(MODELS)}")

    base = work / "mixed.wav"
    log("writing the speech/noise clip (espeak-ng + sox)")
    run([PY, ROOT / "Tests/Oracles/make_mixed_audio.py", base, "--seconds", 120, "--seed", 7])
    cache = {}

    def inputs_for(stride: int) -> pathlib.Path:
        if stride not in cache:
            path = work / f"inputs_stride{stride}.bin"
            run([PY, ROOT / "Benchmarks/features.py", base, path, "--steps", args.steps, "--stride", stride])
            cache[stride] = path
        return cache[stride]

    report = {"schema_version": 1, "harken": args.harken,
              "build": "release" if "/release/" in args.harken else "debug" if "/debug/" in args.harken else "unknown",
              "commit": git_commit(),
              "cc": run(["cc", "--version"]).stdout.splitlines()[0],
              "valgrind": run(["valgrind", "--version"]).stdout.strip(),
              "callgrind_toggle": {"harken": "<name>_invoke", "tflm": TFLM_INVOKE},
              "models": [bench_model(m, args, work, inputs_for) for m in models]}
    if not args.no_firmware:
        for m in report["models"]:
            m["firmware"] = bench_firmware(m["model"], args, work, m["tflm"]["arena_total_bytes"])
    for m in report["models"]:
        model = pathlib.Path(pymicro_wakeword.__file__).parent / "models" / f"{m['model']}.tflite"
        cost = json.loads(run([args.harken, "cost", "--model", model, "--target", "stm32f4", "--json"]).stdout)
        m["cost_model"] = {"target": "stm32f4", "evaluation_microseconds": cost["evaluation_microseconds"],
                          "estimated_cycles": cost["total_cycles"]}
    if not args.no_rtf:
        report["rtf"] = bench_rtf(models[0], args, work, base)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(report))
    if not all(m["outputs_identical"] and m.get("firmware", {}).get("device_outputs_identical", True) for m in report["models"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
