import Foundation
import XCTest
import HarkenAudio
import HarkenBench
import HarkenCodegen
import HarkenData
import HarkenPipeline
import HarkenRuntime
import HarkenTargets
import HarkenSupport
import HarkenTestSupport

/// The device-side C (bench protocol, wake-word app core) on the host, against
/// Harken's Swift host side and simulator.
final class DeviceCodeTests: XCTestCase {
    /// The same fuzzed byte stream through the device's C receiver and the host's
    /// Swift decoder: both survive and accept exactly the same frames.
    func testCReceiverMatchesSwiftDecoderOnFuzz() {
        var rng = SplitMix64(seed: 99)
        let rx = UnsafeMutablePointer<hk_bench_rx_t>.allocate(capacity: 1)
        defer { rx.deallocate() }
        hk_bench_rx_init(rx)
        var swift = FrameDecoder()
        var accepted = 0
        for i in 0..<100_000 {
            var bytes: [UInt8]
            let good = Frame(type: UInt8(rng.below(256)), seq: UInt8(i & 0xFF), payload: (0..<rng.below(48)).map { _ in UInt8(rng.below(256)) })
            switch rng.below(5) {
            case 0: bytes = (0..<rng.below(40)).map { _ in UInt8(rng.below(256)) }
            case 1: bytes = [0] + good.encoded; bytes[1 + rng.below(bytes.count - 2)] ^= UInt8(1 + rng.below(255))
            case 2: bytes = Array(good.encoded.prefix(rng.below(good.encoded.count)))
            case 3: bytes = (0..<rng.below(2500)).map { _ in UInt8(1 + rng.below(255)) }
            default: bytes = [0] + good.encoded
            }
            for b in bytes {
                let c = hk_bench_rx_feed(rx, b) != 0
                let s = swift.feed(b)
                XCTAssertEqual(c, s != nil, "stream \(i)")
                if c, let s {
                    let payload = rx.pointee.len > 0 ? Array(UnsafeBufferPointer(start: rx.pointee.payload, count: Int(rx.pointee.len))) : []
                    XCTAssertEqual(Frame(type: rx.pointee.type, seq: rx.pointee.seq, payload: payload), s)
                    accepted += 1
                }
            }
        }
        XCTAssertGreaterThan(accepted, 20_000)
    }

    func testCFramingDecodesInSwift() {
        for n in [0, 1, 254, 255, 700, 1024] {
            let payload = (0..<n).map { UInt8(($0 * 7) & 0xFF) }
            var frame = [UInt8](repeating: 0, count: 8 + n)
            let len = hk_bench_frame(0x83, 9, payload, UInt16(n), &frame)
            var enc = [UInt8](repeating: 0, count: 8 + n + n / 254 + 4)
            let elen = hk_bench_cobs_encode(frame, len, &enc)
            var d = FrameDecoder()
            let got = (Array(enc.prefix(elen)) + [0]).compactMap { d.feed($0) }
            XCTAssertEqual(got, [Frame(type: 0x83, seq: 9, payload: payload)], "n=\(n)")
        }
    }

    /// The device application core (hk_wake.c) with the generated C, built by the
    /// host compiler, detects at the same steps as `harken simulate` on the same audio.
    func testWakeAppMatchesSimulator() throws {
        let model = try Support.modelPath("hey_jarvis")
        let (_, plan) = try Pipeline.load(model: model)
        let defaults = try Pipeline.deviceDefaults(model: model, plan: plan)
        let dir = try Support.tempDir("wake")
        let gen = FirmwareGenerator(plan: plan, name: "hey_jarvis", target: try TargetCatalog.board("generic-dsp", home: Support.home),
                                    home: Support.home, defaults: defaults)
        var sources: [String] = []
        for f in try gen.files() where f.path.hasPrefix("model/") {
            let url = dir.appendingPathComponent((f.path as NSString).lastPathComponent)
            try f.contents.write(to: url)
            if f.path.hasSuffix(".c") { sources.append(url.path) }
        }
        let driver = """
        #include <stdio.h>
        #include "harken/hk_wake.h"
        extern const hk_model_api_t hk_model;
        static void hit(void *ctx, uint32_t step, uint8_t p, int32_t sum) { (void)ctx; (void)p; (void)sum; printf("%u\\n", (unsigned)step); }
        int main(void) {
            static hk_wake_t w;
            int16_t buf[256];
            size_t n;
            if (hk_wake_init(&w, &hk_model, hit, NULL) != 0) return 2;
            while ((n = fread(buf, 2, 256, stdin)) > 0) hk_wake_feed(&w, buf, n);
            return 0;
        }
        """
        try driver.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let fw = Support.repo.appendingPathComponent("Firmware")
        let runtime = try ["kernels", "frontend", "detector", "app"].flatMap { part in
            try FileManager.default.contentsOfDirectory(atPath: fw.appendingPathComponent(part).path).filter { $0.hasSuffix(".c") }
                .map { fw.appendingPathComponent("\(part)/\($0)").path }
        }
        let exe = dir.appendingPathComponent("wake").path
        try Support.run("/usr/bin/cc", ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I" + fw.appendingPathComponent("include").path,
                                        "-I", dir.path, "-o", exe, dir.appendingPathComponent("main.c").path] + sources + runtime + ["-lm"])
        let audio = try DemoScene.make(phrase: "hey jarvis").audio
        let raw = dir.appendingPathComponent("scene.raw")
        try audio.samples.withUnsafeBytes { try Data($0).write(to: raw) }
        let shell = try Support.run("/bin/sh", ["-c", "\(exe) < \(raw.path)"])
        let deviceSteps = shell.stdout.split(separator: "\n").compactMap { Int($0) }
        let report = try Pipeline.simulate(model: model, audio: audio, keepTrace: false)
        XCTAssertFalse(report.detections.isEmpty, "the scene should trigger hey_jarvis at its own cutoff")
        XCTAssertEqual(deviceSteps, report.detections.map(\.step))
    }
}
