/// Renders an imported C struct value as a C99 initializer by reflection, so each
/// kernel's parameters are written field for field in declaration order without a
/// hand-kept copy of every struct. Pointer fields take the given names, in order.
enum CLiteral {
    static func render(_ value: Any, pointers: [String] = []) -> String {
        var names = pointers[...]
        return render(value, &names)
    }

    private static func render(_ value: Any, _ pointers: inout ArraySlice<String>) -> String {
        switch value {
        case let v as Int32: return v == Int32.min ? "(-2147483647 - 1)" : String(v)
        case let v as Int16: return String(v)
        case let v as UInt16: return String(v)
        case let v as Int8: return String(v)
        case let v as UInt8: return String(v)
        case let v as Float:
            // Swift prints the shortest decimal that reads back as the same float.
            return v.isFinite ? "\(v)f" : "0.0f"
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional || String(describing: type(of: value)).contains("Pointer") {
                return pointers.popFirst() ?? "NULL"
            }
            let fields = mirror.children.map { render($0.value, &pointers) }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }
}
