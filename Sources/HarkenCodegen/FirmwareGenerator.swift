import Foundation
import HarkenGraph
import HarkenRuntime
import HarkenSupport
import HarkenTargets

/// What a device application needs beyond the model: how features become its
/// input and the detector's defaults, in the integer form the device uses.
public struct DeviceDefaults: Sendable {
    public var featureNum: Int32, featureBias: Int32, featureDen: Int32, featureZeroPoint: Int32
    public var window: Int32, triggerSum: Int32, releaseSum: Int32, refractorySteps: Int32

    public init(featureNum: Int32, featureBias: Int32, featureDen: Int32, featureZeroPoint: Int32,
                window: Int32, triggerSum: Int32, releaseSum: Int32, refractorySteps: Int32) {
        (self.featureNum, self.featureBias, self.featureDen, self.featureZeroPoint) = (featureNum, featureBias, featureDen, featureZeroPoint)
        (self.window, self.triggerSum, self.releaseSum, self.refractorySteps) = (window, triggerSum, releaseSum, refractorySteps)
    }
}

public struct ProjectFile: Sendable {
    public var path: String
    public var contents: Data
}

/// A complete firmware project for one board: the compiled model, the runtime
/// from Firmware/, the board port and the template of the board's project family.
public struct FirmwareGenerator {
    public let plan: Plan
    public let name: String
    public let target: Target
    public let home: HarkenHome
    public let defaults: DeviceDefaults
    /// The .tflite and its manifest (ESPHome runs the model itself from these).
    public let model: Data?
    public let manifest: ModelManifest?
    /// The frontend settings whose tables the firmware carries; microWakeWord's by default.
    public var frontend: hk_frontend_config_t = FrontendTablesEmitter().config
    /// The cascade behind the Sentry (bare-metal boards): the firmware then runs the wake app and
    /// the cascade on the bench link (hk_bench_cascade.h). nil: the bench harness and the Sentry alone.
    public var cascade: CascadeFirmware?

    public init(plan: Plan, name: String, target: Target, home: HarkenHome, defaults: DeviceDefaults,
                model: Data? = nil, manifest: ModelManifest? = nil) {
        self.plan = plan
        self.name = CEmitter.identifier(name)
        self.target = target
        self.home = home
        self.defaults = defaults
        self.model = model
        self.manifest = manifest
    }

    /// Where the runtime, the model and the port go. Arduino compiles only src/
    /// and puts only src/ on the include path.
    var layout: (include: String, runtime: String, model: String, port: String) {
        target.template == "arduino" ? ("src", "src/harken", "src/model", "src/port")
                                     : ("harken/include", "harken/src", "model", "port")
    }

    /// The Judge's C identifier prefix, apart from the Sentry's.
    public var judgeName: String { name + "_judge" }

    public func files() throws -> [ProjectFile] {
        var out: [ProjectFile] = []
        if let cascade {
            guard target.template == "baremetal" else { throw CascadeError.template(board: target.name, template: target.template) }
            let needs = cascade.ramBytes(sentry: plan, zeroCode: defaults.featureZeroPoint)
            guard needs <= target.sram_bytes else { throw CascadeError.ram(board: target.name, needs: needs, has: target.sram_bytes) }
        }
        // Cores with the DSP extension call the SMLAD kernels (byte-identical to the reference).
        let kernels = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        let emitter = CEmitter(plan: plan, name: name, kernels: kernels)
        let l = layout
        for f in emitter.files { out.append(ProjectFile(path: "\(l.model)/\(f.name)", contents: Data(f.contents.utf8))) }
        out.append(ProjectFile(path: "\(l.model)/hk_model_binding.c", contents: Data(binding.utf8)))
        if let cascade {
            if cascade.stage.placement == .device {
                for f in CEmitter(plan: cascade.judge, name: judgeName, kernels: kernels).files {
                    out.append(ProjectFile(path: "\(l.model)/\(f.name)", contents: Data(f.contents.utf8)))
                }
            }
            out.append(ProjectFile(path: "\(l.model)/hk_cascade_binding.c",
                                   contents: Data(cascade.binding(judgeName: judgeName, zeroCode: defaults.featureZeroPoint).utf8)))
        }
        // The frontend's tables as the host builds them, const (see FrontendTablesEmitter).
        out.append(ProjectFile(path: "\(l.model)/\(FrontendTablesEmitter.fileName)",
                               contents: Data(try FrontendTablesEmitter(config: frontend).source().utf8)))
        // The runtime, exactly as the host simulator compiles it, less the frontend's
        // table builder: the tables above replace it, so no device compiles it.
        let firmware = home.firmware
        out += try copy(firmware.appendingPathComponent("include"), to: l.include)
            .filter { !$0.path.hasSuffix("/harken/hk_frontend_build.h") }
        for part in ["kernels", "frontend", "detector", "app", "bench"] + (cascade == nil ? [] : ["cascade"]) {
            out += try copy(firmware.appendingPathComponent(part), to: "\(l.runtime)/\(part)")
                .filter { !$0.path.hasPrefix("\(l.runtime)/frontend/host/") }
        }
        if let port = target.port {
            out += try copy(firmware.appendingPathComponent("port/\(port)"), to: l.port)
            out += try copy(firmware.appendingPathComponent("port/common"), to: "\(l.port)/common")
        }
        if target.template == "esp-idf" { out += try esphomeFiles() }
        let template = home.templates.appendingPathComponent(target.template)
        for f in try copy(template, to: "") {
            if f.path.hasSuffix(".in") {
                let text = String(decoding: f.contents, as: UTF8.self)
                out.append(ProjectFile(path: String(f.path.dropLast(3)), contents: Data(substitute(text).utf8)))
            } else {
                out.append(f)
            }
        }
        return out
    }

    /// ESPHome's micro_wake_word runs the .tflite itself: the model and its v2 manifest (complete:
    /// the pipeline fills what a model's own manifest lacks) beside the generated YAML snippet.
    func esphomeFiles() throws -> [ProjectFile] {
        guard let model, let manifest else { return [] }
        return [ProjectFile(path: "esphome/\(name).tflite", contents: model),
                ProjectFile(path: "esphome/\(name).json", contents: try HarkenJSON.encode(manifest.esphome))]
    }

    var variables: [String: String] {
        let portSources = (target.port_sources ?? []).map { "port/\($0)" }
        // A port folder serves several boards: its common files, plus this board's own.
        let boardFiles = Set(((try? TargetCatalog.load(home: home)) ?? []).filter { $0.port == target.port }.flatMap { $0.port_sources ?? [] })
        let commonPort = (try? FileManager.default.contentsOfDirectory(atPath: home.firmware.appendingPathComponent("port/\(target.port ?? "-")").path))?
            .filter { $0.hasSuffix(".c") && !boardFiles.contains($0) }.sorted().map { "port/\($0)" } ?? []
        // The port's main() calls hk_port_serve(): the bench harness, or with a cascade the wake app behind it.
        let serve = cascade == nil ? "port/common/hk_port_serve.c" : "port/common/hk_port_cascade.c"
        let shared = target.port == nil ? [] : ["port/common/hk_port_memory.c", serve]
        let run = target.emulator.map { cmd in
            "In QEMU, with the serial port on a pseudo-terminal (QEMU prints its path):\n\n```sh\n"
                + (cmd + ["-kernel", "build/firmware.elf", "-serial", "pty"]).joined(separator: " ") + "\n```"
        } ?? "Flash `build/firmware.elf` with your board's programmer (OpenOCD, pyOCD or the vendor's tool)."
        return [
            "NAME": name, "BOARD": target.name, "BOARD_DESCRIPTION": target.description, "CORE": target.core,
            "CC": target.toolchain.cc, "CFLAGS": target.toolchain.cflags.joined(separator: " "),
            "CLOCK_HZ": String(target.clock_hz), "CLOCK_MHZ": String(target.clock_hz / 1_000_000),
            "IDF_TARGET": target.idf_target ?? "", "PORT_SOURCES": (shared + commonPort + portSources).joined(separator: " "),
            "LINKER_SCRIPT": target.linker_script ?? "",
            "LDFLAGS": (target.toolchain.ldflags ?? ["-nostartfiles", "--specs=nano.specs"]).joined(separator: " "),
            "LIBS": (target.toolchain.libs ?? ["c", "m", "nosys"]).joined(separator: " "),
            "ARCH": target.isa.hasPrefix("rv") ? "riscv" : (target.isa == "xtensa" ? "xtensa" : "arm"),
            "TOOLCHAIN_PACKAGES": "Debian: apt-get install cmake " + (target.toolchain.packages ?? ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"]).joined(separator: " "),
            "ARENA_BYTES": String(plan.arenaBytes), "STATE_BYTES": String(plan.stateBytes), "WEIGHT_BYTES": String(plan.weightBytes),
            "RUN_INSTRUCTIONS": run, "CASCADE": cascadeReadme,
        ]
    }

    /// What the README says of the cascade (nothing without one).
    var cascadeReadme: String {
        guard let c = cascade else { return "" }
        let z = defaults.featureZeroPoint
        let where_ = c.stage.placement == .device
            ? "the Judge `\(judgeName)` runs on this core (`model/\(judgeName)_model.c`: arena \(c.judge.arenaBytes) B, weights \(c.judge.weightBytes) B)"
            : "the Judge runs on a server: the device sends each window over the serial link (JUDGE frames) and waits up to \(c.stage.timeoutMs) ms, then \(c.stage.fallback == .failOpen ? "accepts (fail-open)" : "rejects (fail-closed)")"
        return "\n\nCascade: the Sentry fires at \(c.stage.sentryCutoff) and hands \(c.stage.framesBefore) + \(c.stage.framesAfter) feature frames "
            + "(ring \(c.ringBytes(zeroCode: z)) B) to the Judge, which accepts above \(c.stage.cutoff); \(where_). The firmware runs the wake app "
            + "on the bench link: audio in (FEED), decisions out (`harken` drives it with CascadeClient)."
    }

    func substitute(_ text: String) -> String {
        var s = text
        for (k, v) in variables { s = s.replacingOccurrences(of: "{{\(k)}}", with: v) }
        return s
    }

    var binding: String {
        let upper = name.uppercased()
        let d = defaults
        return """
        /* Generated by harken firmware: the model as the application and the bench harness see it. */
        #include "harken/hk_model.h"

        #include "\(name)_model.h"

        static void *model_input(void) { return \(name)_input(); }
        static const void *model_output(void) { return \(name)_output(); }

        const hk_model_api_t hk_model = {
            "\(name)", \(name)_init, model_input, \(name)_invoke, model_output,
            \(upper)_INPUT_BYTES, \(upper)_OUTPUT_BYTES, \(upper)_ARENA_BYTES, \(upper)_STATE_BYTES, \(upper)_WEIGHT_BYTES,
            \(d.featureNum), \(d.featureBias), \(d.featureDen), \(d.featureZeroPoint),
            \(d.window), \(d.triggerSum), \(d.releaseSum), \(d.refractorySteps)
        };

        """
    }

    func copy(_ dir: URL, to prefix: String) throws -> [ProjectFile] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [ProjectFile] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let rel = String(url.standardizedFileURL.path.dropFirst(dir.standardizedFileURL.path.count + 1))
            out.append(ProjectFile(path: prefix.isEmpty ? rel : "\(prefix)/\(rel)", contents: try Data(contentsOf: url)))
        }
        return out.sorted { $0.path < $1.path }
    }
}
