// CascadeStages+Device.swift: a stage on a microcontroller. Cycles from the target's cost model
// and from the instruction-set simulator running the stage's generated C (as `harken cost
// --measure`: the same inputs, each layer's worst over the steps); the code's flash read from the
// simulator's image. A core the simulator does not model (the ESP32-S3's Xtensa LX7) runs on a
// stated stand-in instead, and says so.

import Foundation
import HarkenCost
import HarkenGraph
import HarkenSupport
import HarkenTargets

/// One stage measured on one target.
struct DeviceStage {
    var latency: DeviceLatency
    var codeBytes: Int?
    var codeSource: String
}

extension Pipeline {
    static func measureDeviceStage(plan: Plan, name: String, target: Target, home: HarkenHome, steps: Int) throws -> DeviceStage {
        let variant = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        let costModel = try Pipeline.costModel(target: target, home: home)   // same-core fallbacks and the flash data cache, as `harken cost`
        let ms = { (cycles: Double) in cycles / Double(target.clock_hz) * 1000 }
        var latency = DeviceLatency(simulator: "", steps: steps)
        // A core nothing is calibrated for (no simulator: Xtensa, RISC-V) would get only the cost model's
        // generic figures; the stage says so instead of reporting them as an estimate.
        if costModel.coefficients.kernels.isEmpty && costModel.fallbacks.isEmpty {
            latency.costModelNote = "\(target.name): no cost coefficients for \(target.core) (the instruction-set simulator models Cortex-M only)"
        } else {
            do {
                let c = try costModel.evaluate(plan, variant: variant)
                latency.costModelCycles = c.totalCycles
                latency.costModelMs = ms(c.totalCycles)
            } catch let e as CostError {
                latency.costModelNote = e.description
            }
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("harken-stages-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let simulated: Target
        if InstructionSetSimulator.Core(targetCore: target.core) != nil {
            simulated = target
            latency.simulator = "\(target.core) instruction-set simulator"
        } else {
            simulated = try proxyTarget(for: target, home: home)
            latency.simulator = "\(simulated.core) instruction-set simulator (a proxy: \(target.core) is not modelled)"
            latency.proxy = "\(simulated.core) running the portable C kernels (\(target.name)'s, no SIMD) at 0 flash wait states, its cycles timed at \(target.name)'s \(target.clock_hz / 1_000_000) MHz"
        }
        let m = try measureCycles(plan: plan, name: name, target: simulated, home: home, inputs: try costInputs(plan: plan, steps: steps), workDir: work)
        latency.simulatorCycles = m.total
        latency.simulatorMs = ms(m.total)
        let code = try codeBytes(elf: (work as NSString).appendingPathComponent("iss.elf"))
        let source = simulated.name == target.name
            ? "\(target.toolchain.cc) -O2 for \(target.core) (the simulator's image)"
            : "\(simulated.toolchain.cc) -O2 for \(simulated.core), standing in for \(target.core) (no \(target.toolchain.cc) here)"
        return DeviceStage(latency: latency, codeBytes: code, codeSource: source)
    }

    /// The core that stands in for one the simulator does not model: the catalog's Cortex-M4 with
    /// the portable kernels (what the generator picks for a core without Arm's DSP extension) and
    /// no flash wait states (code runs from a cache).
    static func proxyTarget(for target: Target, home: HarkenHome) throws -> Target {
        guard var p = try TargetCatalog.load(home: home).first(where: { $0.core == "cortex-m4" && $0.isa.hasPrefix("armv7") }) else {
            throw PipelineError.notBuildable(board: target.name, reason: "\(target.core) is not simulated and Targets/ has no Cortex-M4 to stand in for it")
        }
        p.simd = []
        p.flash_wait_states = 0
        p.clock_hz = target.clock_hz
        p.cost = nil
        return p
    }

    /// Flash of the model's code and the kernels it calls (functions and read-only data, weights
    /// aside) in a linked image.
    static func codeBytes(elf: String) throws -> Int {
        let sizes = try ElfSizes.read(elf, top: Int.max)
        let flashOnly = Set(sizes.sections.filter { $0.flash && !$0.ram }.map(\.name))
        return sizes.largest.filter { flashOnly.contains($0.section) && ($0.part == .kernels || $0.part == .model) }.reduce(0) { $0 + $1.bytes }
    }

    /// `harken firmware --build` of each deployment's device side on the emulated board with the
    /// same core as its target (the targets' own boards have no linker script here).
    static func buildDeploymentImages(_ o: CascadeStagesOptions, dir: String, sentryTarget: Target, judgeTarget: Target, home: HarkenHome,
                                      job: Job) throws -> [FirmwareImage] {
        let all = try TargetCatalog.load(home: home)
        func standIn(_ t: Target) -> Target? {
            let buildable = { (b: Target) in b.template == "baremetal" && b.port != nil && b.linker_script != nil }
            return buildable(t) ? t : all.first { $0.core == t.core && buildable($0) }
        }
        let builds: [(key: String, what: String, target: Target, placement: JudgeStage.Placement?)] = [
            ("sentry_alone", "Sentry alone", sentryTarget, nil),
            ("one_chip", "Sentry + Judge on one chip (on \(judgeTarget.name)'s core)", judgeTarget, .device),
            ("server_judge", "Sentry + server Judge (the serial link's side)", sentryTarget, .server),
        ]
        var images: [FirmwareImage] = []
        for (i, b) in builds.enumerated() {
            try job.checkCancelled()
            guard let board = standIn(b.target) else {
                job.log("no emulated board here has \(b.target.name)'s core (\(b.target.core)): \(b.what) not built")
                continue
            }
            job.progress(ProgressEvent(stage: "firmware", fraction: Double(i) / Double(builds.count), detail: "\(b.key) on \(board.name)"))
            let out = (dir as NSString).appendingPathComponent(b.key)
            let r = try firmware(model: o.sentry, target: board, home: home, outDir: out, build: true,
                                 judge: b.placement.map { JudgeOptions(model: o.judge, placement: $0) })
            guard let elf = r.elf else { continue }
            let sizes = try ElfSizes.read(elf, top: Int.max)
            let flash = Set(sizes.sections.filter(\.flash).map(\.name))
            var parts: [String: Int] = Dictionary(uniqueKeysWithValues: ElfSizes.Part.allCases.map { ($0.rawValue, 0) })
            for s in sizes.largest where flash.contains(s.section) { parts[s.part.rawValue, default: 0] += s.bytes }
            images.append(FirmwareImage(what: b.what, board: board.name, standsInFor: b.target.name, core: board.core, elf: elf,
                                        flashBytes: sizes.flashBytes, ramBytes: sizes.ramBytes, flashPartBytes: parts))
        }
        job.progress(ProgressEvent(stage: "firmware", fraction: 1))
        return images
    }
}
