import HarkenRuntime

/// The Swift face of the C frontend in Firmware/: 160 samples in, 40 features out.
/// Its tables are built here by the C builder (hk_frontend_build), the same code
/// that `harken firmware` runs to write them into a device's flash.
public final class Frontend {
    private let state: UnsafeMutablePointer<hk_frontend_t>
    /// The built tables; the state points into them, so they live as long as it does.
    private let built: UnsafeMutablePointer<hk_frontend_build_t>
    public let channels: Int

    public init(config: hk_frontend_config_t? = nil) throws {
        var c = hk_frontend_config_t()
        if let config { c = config } else { hk_frontend_config_default(&c) }
        built = .allocate(capacity: 1)
        state = .allocate(capacity: 1)
        var status = hk_frontend_build(built, &c)
        if status == 0 { status = hk_frontend_init(state, &built.pointee.tables) }
        guard status == 0 else {
            state.deallocate()
            built.deallocate()
            throw AudioError.frontendConfig(code: status)
        }
        channels = Int(hk_frontend_num_channels(state))
    }

    deinit {
        state.deallocate()
        built.deallocate()
    }

    public func reset() { hk_frontend_reset(state) }

    /// Streams samples through the frontend; calls `frame` with each new feature vector.
    public func process(_ samples: ArraySlice<Int16>, frame: (UnsafeBufferPointer<UInt16>) -> Void) {
        var features = [UInt16](repeating: 0, count: channels)
        samples.withUnsafeBufferPointer { buf in
            var at = 0
            while at < buf.count {
                var consumed = 0
                let ready = features.withUnsafeMutableBufferPointer {
                    hk_frontend_process(state, buf.baseAddress! + at, buf.count - at, &consumed, $0.baseAddress)
                }
                at += consumed
                if ready != 0 { features.withUnsafeBufferPointer(frame) }
                if consumed == 0 && ready == 0 { break }
            }
        }
    }

    /// Every feature frame of a whole clip, frame-major.
    public func features(of audio: Audio) -> [[UInt16]] {
        var frames: [[UInt16]] = []
        process(audio.samples[...]) { frames.append(Array($0)) }
        return frames
    }
}
