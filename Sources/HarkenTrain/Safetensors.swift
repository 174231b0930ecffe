// Safetensors.swift: the safetensors format (an 8-byte little-endian header length, a JSON
// header of name → dtype, shape, data_offsets plus string metadata, then the raw data), F32 only.
// Writes go to a temporary file renamed over the target, so a kill never leaves half a checkpoint.

import Foundation
import HarkenNN

public enum Safetensors {
    public static func write(_ tensors: [(name: String, value: HarkenNN.Tensor)], metadata: [String: String],
                             to path: String) throws {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, t) in tensors {
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors { t.data.withUnsafeBufferPointer { out.append(Data(buffer: $0)) } }
        let tmp = path + ".tmp-\(getpid())"
        try out.write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw TrainError.checkpoint("\(path): cannot write (\(String(cString: strerror(errno))))")
        }
    }

    public static func read(_ path: String) throws -> (tensors: [String: HarkenNN.Tensor], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainError.checkpoint("\(path): cannot read the file")
        }
        func fail(_ what: String) -> TrainError { .checkpoint("\(path): \(what)") }
        guard data.count >= 8 else { throw fail("\(data.count) bytes, shorter than the 8-byte header length") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(data.count - 8) else { throw fail("header length \(n) at byte 0 runs past the end of the file (\(data.count) bytes)") }
        let body = 8 + Int(n)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<body)) as? [String: Any] else {
            throw fail("the JSON header at bytes 8..<\(body) does not parse")
        }
        var tensors: [String: HarkenNN.Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32",
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor \(name): expected dtype F32, a shape and two data_offsets")
            }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] - offsets[0] == 4 * count, body + offsets[1] <= data.count else {
                throw fail("tensor \(name): data_offsets \(offsets) do not hold \(count) floats inside the file (\(data.count - body) data bytes)")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: (body + offsets[0])..<(body + offsets[1]))
            }
            tensors[name] = HarkenNN.Tensor(shape: shape, data: values)
        }
        return (tensors, metadata)
    }
}
