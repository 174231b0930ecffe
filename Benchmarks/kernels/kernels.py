#!/usr/bin/env python3
"""Kernel throughput per target: MAC per cycle by layer type and by model, measured by Harken's
instruction-set simulator (`harken cost --measure --json`, each layer's worst cycles over the
steps), for the target's own kernels and for the plain reference kernels, beside the previous
run's figures (the committed results.json, read before it is overwritten).

usage: kernels.py --harken BIN [--steps N] [--targets a,b] [--qemu-targets a,b] [--models a,b] [--jobs N]
                  [--results Benchmarks/kernels/results.json] [--markdown OUT.md]

RV32IMC (qemu-riscv32-virt) and Xtensa (qemu-xtensa-sim-lx106) have no cycle simulator: their
bench firmware runs on QEMU and reports instructions per inference for the whole model (RV32IMC:
mcycle under -icount; Xtensa: the Debug option's ICOUNT register), for models whose input fits
one bench frame, 1,024 bytes: not the images nor the streaming wake word net's 1,200-byte window.

Models: Harken's zoo (`harken zoo`: DS-CNN-S/M/L, MLPerf Tiny's streaming wake word net,
ResNet-8) and microWakeWord's four published models. Layer types: conv (k x k, k > 1),
pointwise (1 x 1 convolution), depthwise, fc (fully connected), other (pooling, ADD, softmax,
streaming copies, ...: their share of the cycles, not MAC/cycle). A model's MAC/cycle counts the
MACs of its convolution, depthwise and fully connected layers (the count papers publish) over
all of its cycles. Flash is the model's constants (weights, biases, tables), RAM its arena and
streaming state, as `harken cost` reports them.
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGETS = [("Cortex-M0+", "rp2040"), ("Cortex-M4", "qemu-mps2-an386"), ("Cortex-M7", "qemu-mps2-an500"),
           ("Cortex-M33", "qemu-mps2-an505")]
# Cores no cycle simulator models here: the bench firmware on QEMU, whose cycle counter advances
# once per instruction (Firmware/port/riscv-virt/hk_riscv_virt_cycles.c under -icount,
# Firmware/port/xtensa-sim/hk_xtensa_sim_cycles.c's ICOUNT): instructions per inference, not
# cycles, and per model only.
QEMU_TARGETS = [("RV32IMC", "qemu-riscv32-virt"), ("Xtensa LX106", "qemu-xtensa-sim-lx106")]
MWW = ["hey_jarvis", "alexa", "hey_mycroft", "okay_nabu"]
BENCH_MAX_PAYLOAD = 1024
TYPES = ["conv", "pointwise", "depthwise", "fc", "other"]
WEIGHT_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}): {p.stderr.strip()[-2000:]}")
    return p.stdout


def model_facts(path):
    """(kh, kw) of each CONV_2D of the model's main subgraph, in operator order (the order of
    Harken's CONV_2D layers: lowering walks the operators in order), and the input's bytes."""
    from ai_edge_litert.interpreter import Interpreter
    it = Interpreter(model_path=str(path))
    shapes = {t["index"]: list(t["shape"]) for t in it.get_tensor_details()}
    sizes = [tuple(int(x) for x in shapes[o["inputs"][1]][1:3]) for o in it._get_ops_details() if o["op_name"] == "CONV_2D"]
    inp = it.get_input_details()[0]
    return sizes, int(inp["shape"].prod()) * inp["dtype"]().itemsize


def layer_type(layer, conv_sizes):
    op = layer["op"]
    if op == "CONV_2D":
        return "pointwise" if next(conv_sizes) == (1, 1) else "conv"
    return {"DEPTHWISE_CONV_2D": "depthwise", "FULLY_CONNECTED": "fc"}.get(op, "other")


def measure(harken, model, target, kernels, steps):
    cost = json.loads(run([harken, "cost", "--model", model["path"], "--target", target, "--measure", "--steps", steps,
                           "--kernels", kernels, "--json"]))
    sizes = iter(model["conv_sizes"])
    by_type = {t: {"macs": 0, "cycles": 0.0} for t in TYPES}
    macs = 0
    for layer in cost["layers"]:
        t = layer_type(layer, sizes)
        by_type[t]["macs"] += int(layer["macs"])
        by_type[t]["cycles"] += layer["measured_cycles"]
        if layer["op"] in WEIGHT_OPS:
            macs += int(layer["macs"])
    return {"macs": macs, "cycles": cost["measured_total_cycles"], "by_type": by_type,
            "flash_bytes": cost["weight_bytes"], "ram_bytes": cost["arena_bytes"] + cost["state_bytes"],
            "kernel_variant": cost.get("kernel_variant", kernels)}


def measure_qemu(harken, model, board, steps, work):
    out = work / f"fw-{board}-{model['name']}"
    fw = json.loads(run([harken, "firmware", "--model", model["path"], "--board", board, "--out", out, "--build", "--json"]))
    b = json.loads(run([harken, "bench", "--emulate", fw["elf"], "--board", board, "--model", model["path"], "--steps", steps, "--json"]))
    if b["mismatches"]:
        raise RuntimeError(f"{model['name']} on {board}: {b['mismatches']} outputs differ from the simulator")
    return {"instructions": b["cycles_mean"], "flash_bytes": fw["flash_bytes"], "ram_bytes": fw["ram_bytes"]}


def ratio(macs, cycles):
    return macs / cycles if cycles else None


def summarise(per_model):
    """MAC/cycle per layer type over all models of one target and kernel set."""
    out = {}
    total = sum(m["cycles"] for m in per_model.values())
    for t in TYPES:
        macs = sum(m["by_type"][t]["macs"] for m in per_model.values())
        cycles = sum(m["by_type"][t]["cycles"] for m in per_model.values())
        out[t] = {"macs": macs, "cycles": cycles, "mac_per_cycle": ratio(macs, cycles) if t != "other" else None,
                  "cycle_share": cycles / total if total else None}
    return out


def fmt(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def lookup(results, core, *path):
    if not results:
        return None
    for t in results.get("targets", []):
        if core in (t["core"], t["target"]):
            node = t
            for p in path:
                node = node.get(p) if isinstance(node, dict) else None
                if node is None:
                    return None
            return node
    return None


def cell(value, reference, prev):
    parts = [fmt(value)]
    if reference is not None:
        parts.append(f"ref {fmt(reference)}")
    parts.append(f"prev {fmt(prev)}")
    return " · ".join(parts)


def summary(report, previous):
    """Every core side by side: MAC/cycle by layer type and by model (the README's tables)."""
    cores = report["targets"]
    qemu = report.get("instruction_targets", [])
    lines = ["MAC per cycle by layer type (all models' layers of the type together; other: share of all cycles):", "",
             "| layer type | " + " | ".join(t["core"] for t in cores) + " |", "|---|" + "---:|" * len(cores)]
    for ty in TYPES:
        row = []
        for t in cores:
            o, r = t["layer_types"]["optimized"][ty], t["layer_types"]["reference"][ty]
            p = lookup(previous, t["core"], "layer_types", "optimized", ty) or {}
            if ty == "other":
                def share(x):
                    return "–" if x is None else f"{x * 100:.1f} %"
                row.append(f"{share(o['cycle_share'])} · ref {share(r['cycle_share'])} · prev {share(p.get('cycle_share'))}")
            else:
                row.append(cell(o["mac_per_cycle"], r["mac_per_cycle"], p.get("mac_per_cycle")))
        lines.append(f"| {ty} | " + " | ".join(row) + " |")
    lines += ["", "MAC per cycle by model (convolution, depthwise and fully connected MACs over all cycles)"
              + (f"; {', '.join(t['core'] for t in qemu)}: MAC per instruction" if qemu else "") + ":", "",
              "| model | MACs | flash B | RAM B | " + " | ".join(t["core"] for t in cores + qemu) + " |",
              "|---|---:|---:|---:|" + "---:|" * (len(cores) + len(qemu))]
    for i, m in enumerate(cores[0]["models"] if cores else []):
        row = []
        for t in cores:
            mm = t["models"][i]
            p = next((pm for pm in (lookup(previous, t["core"], "models") or []) if pm["name"] == mm["name"]), {})
            row.append(cell(mm["mac_per_cycle"], mm["reference_mac_per_cycle"], p.get("mac_per_cycle")))
        for t in qemu:
            mm = next((x for x in t["models"] if x["name"] == m["name"]), None)
            if mm is None:
                row.append("– (input > 1 KB bench frame)")
                continue
            prev_t = next((pt for pt in (previous or {}).get("instruction_targets", []) if pt["target"] == t["target"]), {})
            p = next((pm for pm in prev_t.get("models", []) if pm["name"] == m["name"]), {})
            row.append(cell(mm["mac_per_instruction"], None, p.get("mac_per_instruction")))
        lines.append(f"| {m['name']} | {m['macs']:,} | {m['flash_bytes']:,} | {m['ram_bytes']:,} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def markdown(report, previous):
    prev_commit = previous.get("commit", "?") if previous else None
    lines = [f"Measured at {report['commit']} ({report['steps']} steps per model, each layer's worst; ISS timing tables, "
             f"zero wait states). Beside each figure: the reference kernels' (`--kernels reference`) and the previous "
             f"run's ({prev_commit or 'none'}).", "", summary(report, previous), "", "Per target:", ""]
    for t in report["targets"]:
        lines += [f"**{t['core']}** (`{t['target']}`)", "",
                  "| layer type | MAC/cycle | reference | previous |", "|---|---:|---:|---:|"]
        for ty in TYPES:
            o, r = t["layer_types"]["optimized"][ty], t["layer_types"]["reference"][ty]
            p = lookup(previous, t["core"], "layer_types", "optimized", ty)
            if ty == "other":
                lines.append(f"| other (share of cycles) | {fmt(o['cycle_share'] * 100 if o['cycle_share'] is not None else None, 1)} % | "
                             f"{fmt(r['cycle_share'] * 100 if r['cycle_share'] is not None else None, 1)} % | "
                             f"{fmt(p['cycle_share'] * 100, 1) + ' %' if p and p.get('cycle_share') is not None else '–'} |")
            else:
                lines.append(f"| {ty} | {fmt(o['mac_per_cycle'])} | {fmt(r['mac_per_cycle'])} | "
                             f"{fmt(p.get('mac_per_cycle')) if p else '–'} |")
        lines += ["", "| model | MACs | MAC/cycle | reference | previous | cycles | flash B | RAM B |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for m in t["models"]:
            p = None
            for pm in (lookup(previous, t["core"], "models") or []):
                if pm["name"] == m["name"]:
                    p = pm
            lines.append(f"| {m['name']} | {m['macs']:,} | {fmt(m['mac_per_cycle'])} | {fmt(m['reference_mac_per_cycle'])} | "
                         f"{fmt(p['mac_per_cycle']) if p else '–'} | {m['cycles']:,.0f} | {m['flash_bytes']:,} | {m['ram_bytes']:,} |")
        lines.append("")
    for t in report.get("instruction_targets", []):
        lines += [f"**{t['core']}** (`{t['target']}`, QEMU: instructions, not cycles; whole firmware, flash and static RAM of the ELF)", "",
                  "| model | MACs | MAC/instruction | previous | instructions | flash B | RAM B |", "|---|---:|---:|---:|---:|---:|---:|"]
        prev = {}
        for pt in (previous or {}).get("instruction_targets", []):
            if pt["target"] == t["target"]:
                prev = {pm["name"]: pm for pm in pt["models"]}
        for m in t["models"]:
            p = prev.get(m["name"])
            lines.append(f"| {m['name']} | {m['macs']:,} | {fmt(m['mac_per_instruction'])} | {fmt(p['mac_per_instruction']) if p else '–'} | "
                         f"{m['instructions']:,.0f} | {m['flash_bytes']:,} | {m['ram_bytes']:,} |")
        lines.append("")
    return "\n".join(lines)


def git_commit(harken):
    """The commit the binary was built from: its checkout's HEAD (a build's binary sits in <checkout>/.build/<config>/)."""
    # Not resolved: .build/release is a link into .build/<triple>/release.
    here = pathlib.Path(os.path.abspath(harken)).parent
    repo = next((p for p in [here, *here.parents] if (p / ".git").exists()), ROOT)
    return subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--harken", required=True)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--targets", default=",".join(b for _, b in TARGETS))
    ap.add_argument("--qemu-targets", default=",".join(b for _, b in QEMU_TARGETS))
    ap.add_argument("--models", default="")
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)))
    ap.add_argument("--results", default=str(ROOT / "Benchmarks/kernels/results.json"))
    ap.add_argument("--markdown", default="")
    args = ap.parse_args()

    results = pathlib.Path(args.results)
    previous = json.loads(results.read_text()) if results.exists() else None
    work = pathlib.Path(tempfile.mkdtemp(prefix="harken-kernels-"))
    log("harken zoo")
    zoo = json.loads(run([args.harken, "zoo", "--out", work / "zoo", "--json"]))
    models = [{"name": m["name"], "path": m["file"]} for m in zoo["models"]]
    for name in MWW:
        models.append({"name": name, "path": run([sys.executable, ROOT / "scripts/mww_model.py", name]).strip()})
    if args.models:
        wanted = args.models.split(",")
        models = [m for m in models if m["name"] in wanted]
    for m in models:
        m["conv_sizes"], m["input_bytes"] = model_facts(m["path"])
        estimate = json.loads(run([args.harken, "cost", "--model", m["path"], "--target", "qemu-mps2-an386", "--json"]))
        m["macs"] = sum(int(layer["macs"]) for layer in estimate["layers"] if layer["op"] in WEIGHT_OPS)

    targets = [(core, board) for core, board in TARGETS if board in args.targets.split(",")]
    jobs = [(core, board, m, k) for core, board in targets for m in models for k in ("optimized", "reference")]
    measured = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(measure, args.harken, m, board, k, args.steps): (core, board, m["name"], k) for core, board, m, k in jobs}
        for f in concurrent.futures.as_completed(futures):
            key = futures[f]
            measured[key] = f.result()
            log(f"{key[1]} {key[2]} {key[3]}: {measured[key]['macs'] / measured[key]['cycles']:.3f} MAC/cycle")

    qemu = [(core, board) for core, board in QEMU_TARGETS if board in args.qemu_targets.split(",")]
    qemu_measured = {}
    for core, board in qemu:
        for m in models:
            # The bench protocol carries one step's input in one frame of at most HK_BENCH_MAX_PAYLOAD
            # bytes (Firmware/include/harken/hk_bench_proto.h).
            if m["input_bytes"] > BENCH_MAX_PAYLOAD:
                log(f"{board} {m['name']}: left out, its {m['input_bytes']}-byte input exceeds the bench frame ({BENCH_MAX_PAYLOAD} B)")
                continue
            log(f"{board} {m['name']}: firmware on QEMU")
            qemu_measured[(board, m["name"])] = measure_qemu(args.harken, m, board, max(args.steps, 3), work)

    report = {"schema_version": 1, "commit": git_commit(args.harken), "steps": args.steps, "targets": [], "instruction_targets": []}
    for core, board in qemu:
        report["instruction_targets"].append({"core": core, "target": board, "models": [
            {"name": m["name"], "macs": m["macs"], "instructions": qemu_measured[(board, m["name"])]["instructions"],
             "mac_per_instruction": ratio(m["macs"], qemu_measured[(board, m["name"])]["instructions"]),
             "flash_bytes": qemu_measured[(board, m["name"])]["flash_bytes"], "ram_bytes": qemu_measured[(board, m["name"])]["ram_bytes"]}
            for m in models if (board, m["name"]) in qemu_measured]})
    for core, board in targets:
        t = {"core": core, "target": board, "models": [], "layer_types": {}}
        for k in ("optimized", "reference"):
            t["layer_types"][k] = summarise({m["name"]: measured[(core, board, m["name"], k)] for m in models})
        for m in models:
            o, r = measured[(core, board, m["name"], "optimized")], measured[(core, board, m["name"], "reference")]
            t["models"].append({"name": m["name"], "macs": o["macs"], "cycles": o["cycles"], "mac_per_cycle": ratio(o["macs"], o["cycles"]),
                                "reference_cycles": r["cycles"], "reference_mac_per_cycle": ratio(r["macs"], r["cycles"]),
                                "flash_bytes": o["flash_bytes"], "ram_bytes": o["ram_bytes"]})
        report["targets"].append(t)

    text = markdown(report, previous)
    print(text)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(text + "\n")
    tmp = results.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    tmp.replace(results)
    log(f"wrote {results}")


if __name__ == "__main__":
    main()
