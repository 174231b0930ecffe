// swift-tools-version:6.0
import PackageDescription

// The device runtime is optimised even in debug builds: the simulator streams
// hours of audio through it, and tests compare it bit for bit, not step through it.
let runtimeFlags: [CSetting] = [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]
// The training engine likewise: its tests train small nets and check every gradient numerically;
// and the audio and data modules, whose room simulation and augmentation every training run and
// synthesized corpus go through (unoptimised, simulating the rooms took 50 s of each test's `harken train`).
let nnFlags: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "Harken",
    products: [
        .executable(name: "harken", targets: ["Harken"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // Firmware/ is the device runtime; the host compiles the very same files.
        .target(
            name: "HarkenRuntime",
            path: "Firmware",
            sources: ["frontend", "kernels", "detector", "app", "bench", "cascade"],
            publicHeadersPath: "include",
            cSettings: runtimeFlags
        ),
        .systemLibrary(name: "CSndFile", path: "Sources/CSndFile", pkgConfig: "sndfile",
                       providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSampleRate", path: "Sources/CSampleRate", pkgConfig: "samplerate",
                       providers: [.apt(["libsamplerate0-dev"])]),
        .target(
            name: "CTFLiteSchema",
            path: "Sources/CTFLiteSchema",
            exclude: ["schema"],
            sources: ["hk_tflite.cpp", "hk_tflite_writer.cpp"],
            publicHeadersPath: "include",
            cxxSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("stdc++")]
        ),
        .target(name: "HarkenAudio", dependencies: ["HarkenRuntime", "HarkenSupport", "CSndFile", "CSampleRate"], swiftSettings: nnFlags),
        .target(name: "HarkenData", dependencies: ["CSampleRate", "CSndFile", "HarkenAudio", "HarkenSupport"], swiftSettings: nnFlags),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "HarkenNN", dependencies: ["CBLAS", "HarkenSupport"], swiftSettings: nnFlags),
        .target(name: "HarkenTrain", dependencies: ["HarkenNN", "HarkenGraph", "HarkenData", "HarkenAudio", "HarkenStream", "HarkenSupport", .product(name: "Yams", package: "Yams")], swiftSettings: nnFlags),
        .target(name: "HarkenGraph", dependencies: ["CTFLiteSchema", "HarkenRuntime", "HarkenSupport"]),
        // Swift code generated once from proto/harken_onnx.proto (make onnx-proto); only the runtime library is a dependency.
        .target(name: "HarkenONNX", dependencies: ["HarkenTrain", "HarkenNN", "HarkenGraph", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["proto"]),
        // Board and core descriptions (Targets/*.yaml) and the Harken home folder: codegen, cost and the pipeline read them here.
        .target(name: "HarkenTargets", dependencies: ["HarkenSupport", .product(name: "Yams", package: "Yams")]),
        .target(name: "HarkenCodegen", dependencies: ["HarkenGraph", "HarkenTargets", "HarkenRuntime", "HarkenSupport"]),
        .target(name: "HarkenStream", dependencies: ["HarkenGraph", "HarkenAudio", "HarkenRuntime", "HarkenSupport"]),
        .target(name: "HarkenSupport"),
        .target(name: "HarkenBench", dependencies: ["HarkenSupport"]),
        .systemLibrary(name: "CLibElf", path: "Sources/CLibElf", pkgConfig: "libelf", providers: [.apt(["libelf-dev"])]),
        .target(name: "CArmISS", path: "Sources/CArmISS", publicHeadersPath: "include",
                cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("unicorn"), .linkedLibrary("capstone"), .linkedLibrary("elf")]),
        .target(name: "HarkenCost", dependencies: ["CLibElf", "CArmISS", "HarkenGraph", "HarkenSupport"]),
        .target(name: "CPty", path: "Sources/CPty"),
        .target(name: "HarkenPipeline",
                dependencies: ["CPty", "HarkenAudio", "HarkenData", "HarkenGraph", "HarkenCodegen", "HarkenTargets", "HarkenStream", "HarkenBench", "HarkenCost", "HarkenSupport", "HarkenTrain", "HarkenNN", "HarkenONNX",
                               .product(name: "Yams", package: "Yams"), .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // `harken judge serve` and `harken serve` (Harken Studio): HTTP and WebSocket handlers over HarkenPipeline.
        .target(name: "HarkenServer",
                dependencies: ["HarkenPipeline", "HarkenStream", "HarkenSupport", "HarkenTargets", "HarkenTrain", .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                               .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                // Harken Studio's page: HTML, CSS and ES modules served as they are, no build step.
                resources: [.copy("Studio")],
                // Optimised like the runtime: it parses every request's window, and its tests send 10,000 of them.
                swiftSettings: nnFlags),
        .executableTarget(
            name: "Harken",
            dependencies: ["HarkenPipeline", "HarkenServer", "HarkenStream", "HarkenAudio", "HarkenData", "HarkenBench", "HarkenCodegen", "HarkenGraph", "HarkenTargets", "HarkenCost", "HarkenSupport", "HarkenTrain", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Tests: one target per module, the slow ones (QEMU boards, training, long fuzzing) in
        // HarkenDeviceTests; `make test-fast` runs everything else.
        .target(name: "HarkenTestSupport", dependencies: ["HarkenBench", "HarkenGraph", "HarkenNN", "HarkenStream", "HarkenSupport", "HarkenTargets"], path: "Tests/HarkenTestSupport"),
        .testTarget(name: "HarkenAudioTests", dependencies: ["HarkenAudio", "HarkenTestSupport"]),
        .testTarget(name: "HarkenNNTests", dependencies: ["HarkenNN", "HarkenTestSupport"]),
        .testTarget(name: "HarkenDataTests", dependencies: ["HarkenAudio", "HarkenData", "HarkenSupport", "HarkenTestSupport"]),
        .testTarget(name: "HarkenTrainTests",
                    dependencies: ["HarkenAudio", "HarkenData", "HarkenGraph", "HarkenNN", "HarkenPipeline", "HarkenStream", "HarkenSupport", "HarkenTestSupport", "HarkenTrain"]),
        .testTarget(name: "HarkenONNXTests",
                    dependencies: ["HarkenAudio", "HarkenData", "HarkenGraph", "HarkenNN", "HarkenONNX", "HarkenPipeline", "HarkenStream", "HarkenTestSupport", "HarkenTrain"]),
        .testTarget(name: "HarkenGraphTests",
                    dependencies: ["HarkenAudio", "HarkenCodegen", "HarkenData", "HarkenGraph", "HarkenRuntime", "HarkenStream", "HarkenTestSupport"]),
        .testTarget(name: "HarkenStreamTests",
                    dependencies: ["HarkenAudio", "HarkenData", "HarkenGraph", "HarkenPipeline", "HarkenRuntime", "HarkenStream", "HarkenSupport", "HarkenTestSupport"]),
        .testTarget(name: "HarkenCodegenTests",
                    dependencies: ["HarkenAudio", "HarkenBench", "HarkenCodegen", "HarkenData", "HarkenPipeline", "HarkenRuntime", "HarkenStream", "HarkenSupport", "HarkenTargets", "HarkenTestSupport"]),
        .testTarget(name: "HarkenCostTests",
                    dependencies: ["HarkenCodegen", "HarkenCost", "HarkenGraph", "HarkenPipeline", "HarkenTargets", "HarkenTestSupport"]),
        .testTarget(name: "HarkenBenchTests", dependencies: ["CPty", "HarkenBench", "HarkenSupport", "HarkenTestSupport"]),
        .testTarget(name: "HarkenPipelineTests",
                    dependencies: ["HarkenData", "HarkenGraph", "HarkenNN", "HarkenPipeline", "HarkenSupport", "HarkenTargets", "HarkenTestSupport", "HarkenTrain"]),
        .testTarget(name: "HarkenServerTests",
                    dependencies: ["HarkenPipeline", "HarkenServer", "HarkenStream", "HarkenSupport", "HarkenTestSupport"]),
        .testTarget(name: "HarkenDeviceTests",
                    dependencies: ["HarkenAudio", "HarkenBench", "HarkenCodegen", "HarkenCost", "HarkenData", "HarkenGraph", "HarkenNN", "HarkenPipeline",
                                   "HarkenRuntime", "HarkenServer", "HarkenStream", "HarkenSupport", "HarkenTargets", "HarkenTestSupport", "HarkenTrain"]),
    ],
    cLanguageStandard: .c99,
    cxxLanguageStandard: .cxx17
)
