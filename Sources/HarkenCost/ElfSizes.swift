import CLibElf
import Foundation
import HarkenGraph
import HarkenSupport

/// Flash and RAM of a built firmware image, read with libelf: per section, the
/// largest symbols, and the split into weights, kernels, runtime and application.
public struct ElfSizes: Codable, Sendable {
    public struct Section: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var flash: Bool
        public var ram: Bool
    }

    public struct Symbol: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var section: String
        public var part: Part
    }

    public enum Part: String, Codable, Sendable, CaseIterable {
        case weights, model, kernels, runtime, application
    }

    public var schemaVersion = 1
    public var file: String
    public var sections: [Section]
    /// text + rodata + the load image of data: what the flash holds.
    public var flashBytes: Int
    /// data + bss: static RAM (the stack's high-water mark, measured on the device, comes on top).
    public var ramBytes: Int
    /// RAM set aside for the stack and heap by the linker script.
    public var reservedBytes: Int
    public var largest: [Symbol]
    public var partBytes: [String: Int]
}

public enum ElfError: CodedError, Equatable {
    public static let domain = "elf"

    case cannotOpen(file: String, reason: String)
    case notElf(file: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .notElf(file, reason): return "\(file): not a readable ELF file: \(reason)"
        }
    }
}

extension ElfSizes {
    public static func read(_ path: String, top: Int = 15) throws -> ElfSizes {
        guard elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE) else { throw ElfError.notElf(file: path, reason: "libelf is too old") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ElfError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard let elf = elf_begin(fd, ELF_C_READ, nil) else { throw ElfError.notElf(file: path, reason: String(cString: elf_errmsg(-1))) }
        defer { elf_end(elf) }
        guard elf_kind(elf) == ELF_K_ELF else { throw ElfError.notElf(file: path, reason: "not an ELF object (e.g. an archive or a text file)") }
        var shstrndx = 0
        guard elf_getshdrstrndx(elf, &shstrndx) == 0 else { throw ElfError.notElf(file: path, reason: String(cString: elf_errmsg(-1))) }

        var sections: [Section] = []
        var sectionNames: [Int: String] = [:]
        var symtab: (OpaquePointer, GElf_Shdr)?
        var scn: OpaquePointer? = nil
        while let s = elf_nextscn(elf, scn) {
            scn = s
            var shdr = GElf_Shdr()
            guard gelf_getshdr(s, &shdr) != nil else { continue }
            let name = elf_strptr(elf, shstrndx, Int(shdr.sh_name)).map { String(cString: $0) } ?? ""
            sectionNames[Int(elf_ndxscn(s))] = name
            if shdr.sh_type == UInt32(SHT_SYMTAB) { symtab = (s, shdr) }
            // Allocated sections occupy the device: executable or read-only ones in flash,
            // writable ones in RAM (and, when they have contents, their image in flash too).
            guard shdr.sh_flags & UInt64(SHF_ALLOC) != 0, shdr.sh_size > 0 else { continue }
            let writable = shdr.sh_flags & UInt64(SHF_WRITE) != 0
            let nobits = shdr.sh_type == UInt32(SHT_NOBITS)
            sections.append(Section(name: name, bytes: Int(shdr.sh_size), flash: !nobits, ram: writable))
        }
        let flash = sections.filter(\.flash).reduce(0) { $0 + $1.bytes }
        let reserved: Set<String> = [".stack", ".heap"]
        let ram = sections.filter { $0.ram && !reserved.contains($0.name) }.reduce(0) { $0 + $1.bytes }
        let reservedBytes = sections.filter { reserved.contains($0.name) }.reduce(0) { $0 + $1.bytes }

        var symbols: [Symbol] = []
        if let (s, shdr) = symtab, let data = elf_getdata(s, nil), shdr.sh_entsize > 0 {
            let count = Int(shdr.sh_size / shdr.sh_entsize)
            var file = ""   // local symbols follow the STT_FILE entry of their source file
            for i in 0..<count {
                var sym = GElf_Sym()
                guard gelf_getsym(data, Int32(i), &sym) != nil else { continue }
                let type = Int32(sym.st_info & 0xF)
                if type == STT_FILE {
                    file = elf_strptr(elf, Int(shdr.sh_link), Int(sym.st_name)).map { String(cString: $0) } ?? ""
                    continue
                }
                let local = Int32(sym.st_info >> 4) == STB_LOCAL
                guard sym.st_size > 0 else { continue }
                guard type == STT_FUNC || type == STT_OBJECT, Int(sym.st_shndx) != Int(SHN_UNDEF) else { continue }
                let name = elf_strptr(elf, Int(shdr.sh_link), Int(sym.st_name)).map { String(cString: $0) } ?? "?"
                let section = sectionNames[Int(sym.st_shndx)] ?? "?"
                symbols.append(Symbol(name: name, bytes: Int(sym.st_size), section: section,
                                      part: local && part(of: name) != .weights ? part(file: file) ?? part(of: name) : part(of: name)))
            }
        }
        var parts: [String: Int] = [:]
        for p in Part.allCases { parts[p.rawValue] = 0 }
        for s in symbols { parts[s.part.rawValue, default: 0] += s.bytes }
        let largest = Array(symbols.sorted { ($0.bytes, $1.name) > ($1.bytes, $0.name) }.prefix(top))
        return ElfSizes(file: path, sections: sections, flashBytes: flash, ramBytes: ram, reservedBytes: reservedBytes,
                        largest: largest, partBytes: parts)
    }

    /// Which part a local symbol belongs to, by its source file.
    static func part(file: String) -> Part? {
        if file.isEmpty { return nil }
        if file.hasSuffix("_weights.c") { return .weights }
        if file.hasSuffix("_model.c") || file == "hk_model_binding.c" { return .model }
        if part(of: (file as NSString).deletingPathExtension) == .kernels || file == "hk_fixedpoint.c" { return .kernels }
        if file.hasPrefix("hk_") && !file.hasPrefix("hk_mps2") { return .runtime }
        return .application
    }

    /// Which part of the firmware a symbol belongs to, by the names the generator gives.
    static func part(of name: String) -> Part {
        // The plan's weight arrays, and the copies a kernel variant reads in its own layout (opN_packed).
        if name.range(of: #"(_w[0-9]+|^op[0-9]+_packed)$"#, options: .regularExpression) != nil { return .weights }
        if name.range(of: #"^op[0-9]+(_[a-z]+)?$"#, options: .regularExpression) != nil || name.hasSuffix("_invoke")
            || name.hasSuffix("_init") && !name.hasPrefix("hk_") || name == "arena" || name == "state" || name == "state_initial"
            || name == "hk_model" || name.hasPrefix("model_") { return .model }
        // The kernel files' functions, as the operator families name them (a local helper a
        // compiler splits off, e.g. hk_conv2d_s8.part.0, still starts with its function's name).
        if Operators.kernelSymbols.contains(where: { name.hasPrefix($0) }) { return .kernels }
        if name.hasPrefix("hk_") { return .runtime }
        return .application
    }
}
