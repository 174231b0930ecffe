/// Errors of reading, checking and lowering a model. Each names the file and the
/// byte offset, table, operator or tensor at fault, and what was expected.
public enum GraphError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case malformed(file: String, byteOffset: Int, table: String, expected: String)
    case unsupportedOperator(file: String, op: String, version: Int32, operatorIndex: Int)
    case invalid(file: String, location: String, expected: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the model: \(reason)"
        case let .malformed(file, offset, table, expected):
            return "\(file): malformed TFLite flatbuffer at byte offset \(offset), in \(table): expected \(expected)"
        case let .unsupportedOperator(file, op, version, index):
            return "\(file): operator \(index) is \(op) version \(version), which Harken does not support"
        case let .invalid(file, location, expected):
            return "\(file): \(location): expected \(expected)"
        }
    }
}
