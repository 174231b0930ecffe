import Foundation
import HarkenAudio
import HarkenCodegen
import HarkenCost
import HarkenData
import HarkenRuntime
import XCTest
import HarkenTestSupport

/// The frontend's tables as a firmware carries them: const C data that the code
/// generator writes from the host's own C builder (hk_frontend_build). They must be
/// the builder's tables byte for byte, run the frontend to the same features without
/// the builder or libm, and on the emulated Cortex-M4 give the simulator's outputs
/// while their bytes move from RAM to flash.
final class FrontendTablesTests: XCTestCase {
    static var fw: URL { Support.repo.appendingPathComponent("Firmware") }

    /// A second setting beside microWakeWord's, so every table length is exercised.
    static var otherConfig: hk_frontend_config_t {
        var c = hk_frontend_config_t()
        hk_frontend_config_default(&c)
        c.window_ms = 25
        c.num_channels = 32
        c.lower_band_hz = 100
        c.upper_band_hz = 6000
        c.pcan_strength = 0.9
        c.pcan_offset = 60
        c.log_scale_shift = 5
        return c
    }

    /// What hk_frontend_build computes, in the order the C dumper below writes it.
    static func built(_ config: hk_frontend_config_t) throws -> [UInt8] {
        let b = UnsafeMutablePointer<hk_frontend_build_t>.allocate(capacity: 1)
        defer { b.deallocate() }
        var c = config
        let status = hk_frontend_build(b, &c)
        guard status == 0 else { throw NSError(domain: "frontend", code: Int(status)) }
        let t = b.pointee.tables
        var out: [UInt8] = []
        for v in [t.window_size, t.window_step, t.fft_size, t.num_channels, t.start_bin, t.end_bin, t.noise_smoothing_bits,
                  Int32(t.noise_even_smoothing), Int32(t.noise_odd_smoothing), Int32(t.noise_min_signal_remaining),
                  t.pcan_enable, t.pcan_snr_shift, t.log_enable, t.log_scale_shift, t.log_correction_bits] {
            withUnsafeBytes(of: v.littleEndian) { out += $0 }
        }
        func append<T>(_ p: UnsafePointer<T>, _ n: Int32) {
            out += UnsafeRawBufferPointer(start: p, count: Int(n) * MemoryLayout<T>.stride)
        }
        append(t.window, t.window_size)
        append(t.twiddle, t.fft_size / 2)
        append(t.split_twiddle, t.fft_size / 4)
        append(t.band_start, t.num_channels + 2)
        append(t.weight, t.fft_size / 2 + 1)
        append(t.unweight, t.fft_size / 2 + 1)
        append(t.pcan_lut, HK_FE_PCAN_LUT_SIZE)
        return out
    }

    /// Dumps hk_frontend_tables() (no argument) or streams stdin's PCM through the
    /// frontend that runs on it (`features`).
    static let dumper = """
    #include <stdio.h>
    #include <string.h>
    #include "harken/hk_frontend.h"

    static void i32(int32_t v)
    {
        unsigned char b[4];
        b[0] = (unsigned char)v; b[1] = (unsigned char)(v >> 8); b[2] = (unsigned char)(v >> 16); b[3] = (unsigned char)(v >> 24);
        fwrite(b, 1, 4, stdout);
    }

    int main(int argc, char **argv)
    {
        static hk_frontend_t fe;
        const hk_frontend_tables_t *t = hk_frontend_tables();
        if (argc > 1 && strcmp(argv[1], "features") == 0) {
            int16_t pcm[160];
            uint16_t features[HK_FE_MAX_CHANNELS];
            size_t n;
            if (hk_frontend_init(&fe, t) != 0) return 2;
            while ((n = fread(pcm, 2, 160, stdin)) > 0) {
                size_t at = 0;
                while (at < n) {
                    size_t used = 0;
                    const int ready = hk_frontend_process(&fe, pcm + at, n - at, &used, features);
                    at += used;
                    if (ready) fwrite(features, 2, (size_t)t->num_channels, stdout);
                    if (used == 0 && !ready) break;
                }
            }
            return 0;
        }
        i32(t->window_size); i32(t->window_step); i32(t->fft_size); i32(t->num_channels); i32(t->start_bin);
        i32(t->end_bin); i32(t->noise_smoothing_bits); i32(t->noise_even_smoothing); i32(t->noise_odd_smoothing);
        i32(t->noise_min_signal_remaining); i32(t->pcan_enable); i32(t->pcan_snr_shift); i32(t->log_enable);
        i32(t->log_scale_shift); i32(t->log_correction_bits);
        fwrite(t->window, sizeof t->window[0], (size_t)t->window_size, stdout);
        fwrite(t->twiddle, sizeof t->twiddle[0], (size_t)(t->fft_size / 2), stdout);
        fwrite(t->split_twiddle, sizeof t->split_twiddle[0], (size_t)(t->fft_size / 4), stdout);
        fwrite(t->band_start, sizeof t->band_start[0], (size_t)(t->num_channels + 2), stdout);
        fwrite(t->weight, sizeof t->weight[0], (size_t)(t->fft_size / 2 + 1), stdout);
        fwrite(t->unweight, sizeof t->unweight[0], (size_t)(t->fft_size / 2 + 1), stdout);
        fwrite(t->pcan_lut, sizeof t->pcan_lut[0], HK_FE_PCAN_LUT_SIZE, stdout);
        return 0;
    }

    """

    /// The emitted file, compiled by the host cc with the device part of the frontend
    /// only (Firmware/frontend/*.c, not host/) and without libm: it links, its tables
    /// are the builder's byte for byte, and its frontend gives the Swift frontend's
    /// features (the one FrontendTests holds to pymicro-features) on the mixed audio.
    func testEmittedTablesEqualBuiltTables() throws {
        let audio = try Audio.read(try Support.mixedAudio.get())
        let dir = try Support.tempDir("fe-tables")
        let raw = dir.appendingPathComponent("mixed.raw")
        try audio.samples.withUnsafeBytes { try Data($0).write(to: raw) }
        try Self.dumper.write(to: dir.appendingPathComponent("dump.c"), atomically: true, encoding: .utf8)
        let runtime = try FileManager.default.contentsOfDirectory(atPath: Self.fw.appendingPathComponent("frontend").path)
            .filter { $0.hasSuffix(".c") }.sorted().map { Self.fw.appendingPathComponent("frontend/\($0)").path }
        XCTAssertFalse(runtime.contains { $0.contains("/host/") })

        var defaults = hk_frontend_config_t()
        hk_frontend_config_default(&defaults)
        for (label, config) in [("default", defaults), ("other", Self.otherConfig)] {
            let source = try FrontendTablesEmitter(config: config).source()
            XCTAssertEqual(source, try FrontendTablesEmitter(config: config).source(), "\(label): deterministic")
            let tables = dir.appendingPathComponent("\(label)_tables.c")
            try source.write(to: tables, atomically: true, encoding: .utf8)
            let exe = dir.appendingPathComponent("dump_\(label)").path
            try Support.run("/usr/bin/cc", ["-std=c99", "-pedantic", "-O2", "-Wall", "-Wextra", "-Werror",
                                            "-I" + Self.fw.appendingPathComponent("include").path, "-o", exe,
                                            dir.appendingPathComponent("dump.c").path, tables.path] + runtime)
            let dumped = try Support.run("/bin/sh", ["-c", "\(exe) | od -An -v -tu1"]).stdout
                .split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0)! }
            let expected = try Self.built(config)
            XCTAssertEqual(dumped.count, expected.count, "\(label): table bytes")
            XCTAssertEqual(dumped, expected, "\(label): first differing byte at \(Self.firstDifference(dumped, expected))")

            let featuresFile = dir.appendingPathComponent("features_\(label).bin")
            try Support.run("/bin/sh", ["-c", "\(exe) features < \(raw.path) > \(featuresFile.path)"])
            let device = try Data(contentsOf: featuresFile)
            let host = try Frontend(config: config).features(of: audio).flatMap { $0 }
            XCTAssertGreaterThan(host.count, 5000 * 32)
            XCTAssertEqual(device, host.withUnsafeBytes { Data($0) }, "\(label): const-table features differ from the host's")
        }
    }

    /// The Cortex-M4 board end to end. `harken firmware --build` gives the bench image
    /// and `harken bench --emulate` must find every output equal to the simulator's.
    /// The bench image runs no frontend (the host sends it features), so the frontend
    /// is checked in a wake-app image built from the same generated project (its
    /// hk_wake core, model and const tables, the board's port): on QEMU it must print the
    /// simulator's probability at every step and its detections, link no libm, and
    /// use exactly the builder's storage less static RAM than the same image built
    /// with the host's table builder in it.
    func testCortexM4RunsConstTablesLikeTheSimulator() throws {
        let board = "qemu-mps2-an386"
        let model = try Support.modelPath("hey_jarvis")
        let dir = try Support.tempDir("fe-tables-m4")
        let project = dir.appendingPathComponent("project")
        let harken = Support.harkenBinary

        let fw = try json(try Support.run(harken, ["firmware", "--model", model, "--board", board, "--out", project.path,
                                                   "--build", "--json"]).stdout)
        let benchElf = try XCTUnwrap(fw["elf"] as? String)
        let benchRam = try XCTUnwrap(fw["ram_bytes"] as? Int)
        let files = try FileManager.default.subpathsOfDirectory(atPath: project.path)
        XCTAssertTrue(files.contains("model/hk_frontend_tables.c"))
        XCTAssertFalse(files.contains { $0.contains("frontend/host") || $0.hasSuffix("hk_frontend_build.h") },
                       "the table builder must not reach a firmware project")
        for f in files where f.hasSuffix(".c") || f.hasSuffix(".h") {
            let text = try String(contentsOf: project.appendingPathComponent(f), encoding: .utf8)
            XCTAssertFalse(text.contains("<math.h>"), "\(f) includes math.h")
        }

        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let wav = dir.appendingPathComponent("scene.wav").path
        try scene.writeWAV(to: wav)
        let bench = try json(try Support.run(harken, ["bench", "--emulate", benchElf, "--board", board, "--model", model,
                                                      "--steps", "240", "--wav", wav, "--json"]).stdout)
        XCTAssertEqual(bench["steps"] as? Int, 240)
        XCTAssertEqual(bench["mismatches"] as? Int, 0, "bench: device outputs differ from harken simulate")

        // The wake-app image, twice: with the generated const tables (what a firmware
        // ships), and with the host's builder compiled in instead (tables built into RAM
        // at start-up, as every firmware did before).
        let cmake = try String(contentsOf: project.appendingPathComponent("CMakeLists.txt"), encoding: .utf8)
        let cpuLine = try XCTUnwrap(cmake.split(separator: "\n").first { $0.hasPrefix("set(CPU_FLAGS ") })
        let cpu = cpuLine.dropFirst("set(CPU_FLAGS ".count).dropLast().split(separator: " ").map(String.init)
        var common: [String] = []
        for part in ["kernels", "frontend", "detector", "app"] {
            common += try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("harken/src/\(part)").path)
                .filter { $0.hasSuffix(".c") }.sorted().map { project.appendingPathComponent("harken/src/\(part)/\($0)").path }
        }
        common += try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("model").path)
            .filter { $0.hasSuffix(".c") && $0 != FrontendTablesEmitter.fileName }.sorted()
            .map { project.appendingPathComponent("model/\($0)").path }
        common += ["hk_mps2_startup.c", "hk_mps2_uart.c", "hk_mps2_cycles.c", "hk_mps2_an386.c", "common/hk_port_memory.c"]
            .map { project.appendingPathComponent("port/\($0)").path }
        try Self.wakeDriver.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        try Self.pcmSource(scene.samples).write(to: dir.appendingPathComponent("scene.c"), atomically: true, encoding: .utf8)
        common += [dir.appendingPathComponent("main.c").path, dir.appendingPathComponent("scene.c").path]
        func link(_ elf: String, _ extra: [String], libs: [String]) throws {
            try Support.run("/usr/bin/arm-none-eabi-gcc", cpu + [
                "-std=c99", "-O2", "-ffunction-sections", "-fdata-sections", "-Wall", "-Wextra", "-Werror",
                "-I" + project.appendingPathComponent("harken/include").path, "-I" + project.appendingPathComponent("model").path,
                "-I" + project.appendingPathComponent("port").path, "-I" + Self.fw.appendingPathComponent("include").path,
                "-nostartfiles", "--specs=nano.specs", "-T" + project.appendingPathComponent("port/mps2_an386.ld").path,
                "-L" + project.appendingPathComponent("port").path, "-Wl,--gc-sections", "-o", elf,
            ] + common + extra + libs)
        }
        let constElf = dir.appendingPathComponent("wake_const.elf").path
        let builtElf = dir.appendingPathComponent("wake_built.elf").path
        // No -lm for the const image: a call into libm would not link.
        try link(constElf, [project.appendingPathComponent("model/\(FrontendTablesEmitter.fileName)").path], libs: ["-lc", "-lnosys"])
        let builder = try FileManager.default.contentsOfDirectory(atPath: Self.fw.appendingPathComponent("frontend/host").path)
            .filter { $0.hasSuffix(".c") }.sorted().map { Self.fw.appendingPathComponent("frontend/host/\($0)").path }
        try link(builtElf, builder, libs: ["-lc", "-lm", "-lnosys"])

        let run = try Support.run("/usr/bin/timeout", ["600", "qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none",
                                                       "-icount", "shift=0", "-semihosting-config", "enable=on,target=native",
                                                       "-no-reboot", "-serial", "stdio", "-kernel", constElf], check: false)
        XCTAssertEqual(run.status, 0, run.stdout.suffix(500) + run.stderr)
        var steps: [[Int]] = [], detections: [Int] = []
        var done = false
        for line in run.stdout.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let f = line.split(separator: " ")
            if f.first == "step", f.count == 3, let s = Int(f[1]), let p = Int(f[2]) { steps.append([s, p]) }
            else if f.first == "detected", f.count == 2, let s = Int(f[1]) { detections.append(s) }
            else if line == "done" { done = true }
        }
        XCTAssertTrue(done, "the wake image did not finish: \(run.stdout.suffix(300))")
        let sim = try json(try Support.run(harken, ["simulate", "--model", model, "--wav", wav, "--json"]).stdout)
        let trace = try XCTUnwrap(sim["trace"] as? [[String: Any]]).map { [$0["step"] as! Int, $0["raw"] as! Int] }
        let simDetections = try XCTUnwrap(sim["detections"] as? [[String: Any]]).map { $0["step"] as! Int }
        XCTAssertGreaterThan(trace.count, 300)
        XCTAssertEqual(steps.count, trace.count)
        XCTAssertEqual(steps, trace, "first differing step: \(Self.firstDifference(steps, trace))")
        XCTAssertFalse(simDetections.isEmpty, "the scene should trigger hey_jarvis")
        XCTAssertEqual(detections, simDetections)

        // Where the tables live. Flash: the generated arrays, at their emitted lengths.
        let constSymbols = try symbols(constElf), builtSymbols = try symbols(builtElf)
        let tableNames = ["fe_window", "fe_twiddle", "fe_split_twiddle", "fe_band_start", "fe_weight", "fe_unweight", "fe_pcan_lut"]
        let tableBytes = tableNames.map { constSymbols[$0]?.bytes ?? 0 }.reduce(0, +)
        let bins = 512 / 2 + 1
        XCTAssertEqual(tableBytes, 2 * 480 + 4 * 256 + 4 * 128 + 2 * 42 + 2 * 2 * bins + 2 * Int(HK_FE_PCAN_LUT_SIZE))
        // The MPS2 scripts place .rodata in the flash output section .text, so nm says t.
        XCTAssertTrue(tableNames.allSatisfy { constSymbols[$0].map { "rRtT".contains($0.type) } ?? false },
                      "tables in read-only memory: \(tableNames.map { "\($0): \(constSymbols[$0]?.type ?? "-")" })")
        // No libm in the const image; the builder's image shows the check would see it.
        let libm = ["cosf", "sinf", "cos", "sin", "powf", "log1pf", "floorf", "floor"]
        XCTAssertEqual(libm.filter { constSymbols[$0] != nil }, [])
        XCTAssertFalse(libm.filter { builtSymbols[$0] != nil }.isEmpty)
        // RAM: what the builder's image has in addition is the builder's table storage
        // (and the errno state libm brings along), to alignment padding.
        let constRam = try ElfSizes.read(constElf).ramBytes
        let builtRam = try ElfSizes.read(builtElf).ramBytes
        let ramOnlyInBuilt = builtSymbols.filter { "bBdD".contains($0.value.type) && constSymbols[$0.key] == nil }
        let extra = ramOnlyInBuilt.values.map(\.bytes).reduce(0, +)
        let storage = ramOnlyInBuilt.filter { $0.key.hasPrefix("built") }.values.map(\.bytes).reduce(0, +)
        XCTAssertTrue(builtRam - constRam >= extra && builtRam - constRam < extra + 8 * ramOnlyInBuilt.count,
                      "RAM difference \(builtRam - constRam) B vs the builder image's own statics \(ramOnlyInBuilt)")
        XCTAssertGreaterThanOrEqual(storage, tableBytes, "the builder's storage holds every table")
        XCTAssertGreaterThanOrEqual(builtRam - constRam, tableBytes)
        print("\(board): \(steps.count) wake-app steps and \(detections.count) detections equal to harken simulate; "
              + "static RAM \(builtRam) B with tables built at start-up -> \(constRam) B with const tables "
              + "(-\(builtRam - constRam) B; \(tableBytes) B of tables in flash); bench image static RAM \(benchRam) B")
    }

    static func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// `nm -S` of an image: defined symbols with size and type letter.
    func symbols(_ elf: String) throws -> [String: (bytes: Int, type: Character)] {
        var out: [String: (bytes: Int, type: Character)] = [:]
        for line in try Support.run("/usr/bin/arm-none-eabi-nm", ["-S", "--defined-only", elf]).stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 4, let size = Int(f[1], radix: 16), let t = f[2].first { out[String(f[3])] = (size, t) }
        }
        return out
    }

    static func pcmSource(_ samples: [Int16]) -> String {
        var s = "#include <stdint.h>\nconst uint32_t scene_samples = \(samples.count)u;\nconst int16_t scene[\(samples.count)] = {\n"
        for i in stride(from: 0, to: samples.count, by: 20) {
            s += samples[i..<min(i + 20, samples.count)].map { String($0) }.joined(separator: ",") + ",\n"
        }
        return s + "};\n"
    }

    /// hk_wake on the MPS2 port: the scene from flash one 10 ms hop at a time, a line
    /// per inference step and per detection on UART0, then a semihosting exit.
    static let wakeDriver = """
    #include <stddef.h>
    #include <stdint.h>
    #include "harken/hk_wake.h"
    #include "hk_mps2.h"

    extern const hk_model_api_t hk_model;
    extern const int16_t scene[];
    extern const uint32_t scene_samples;

    static void put(const char *s)
    {
        size_t n = 0;
        while (s[n] != 0) n++;
        hk_mps2_uart_write((const uint8_t *)s, n);
    }

    static void put_u32(uint32_t v)
    {
        char digits[11];
        int n = 0;
        do {
            digits[n++] = (char)('0' + v % 10u);
            v /= 10u;
        } while (v != 0u);
        while (n > 0) {
            hk_mps2_uart_write((const uint8_t *)&digits[--n], 1);
        }
    }

    static void on_detect(void *context, uint32_t step, uint8_t probability, int32_t window_sum)
    {
        (void)context; (void)probability; (void)window_sum;
        put("detected ");
        put_u32(step);
        put("\\n");
    }

    static void semihosting_exit(uint32_t reason)
    {
        register uint32_t r0 __asm__("r0") = 0x18u;
        register uint32_t r1 __asm__("r1") = reason;
        __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    }

    int main(void)
    {
        static hk_wake_t wake;
        uint32_t i;
        hk_mps2_uart_init();
        if (hk_wake_init(&wake, &hk_model, on_detect, NULL) != 0) {
            put("init failed\\n");
            semihosting_exit(0x20023u);
        }
        for (i = 0; i < scene_samples; i += 160u) {
            const uint32_t before = wake.step;
            const uint32_t n = scene_samples - i < 160u ? scene_samples - i : 160u;
            hk_wake_feed(&wake, scene + i, n);
            if (wake.step != before) {
                put("step ");
                put_u32(before);
                put(" ");
                put_u32(wake.last_probability);
                put("\\n");
            }
        }
        put("done\\n");
        semihosting_exit(0x20026u);
        for (;;) {
        }
    }

    """
}
