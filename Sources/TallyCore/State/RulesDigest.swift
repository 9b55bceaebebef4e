import Foundation

/// The content hash of a rules directory: which rule set produced a state (docs/state.md).
public enum RulesDigest {
    /// FNV-1a (64 bits, hex) over every `*.lua` file below `directory`, in path order: the
    /// relative path, a NUL, the content, a NUL. Not cryptographic: it tells whether the rules
    /// changed, nothing more. Unreadable files hash as empty (the loader reports them).
    public static func contentHash(directory: String) -> String {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath()
        var paths: [String] = []
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where url.pathExtension == "lua" {
                let full = url.resolvingSymlinksInPath().path
                let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
                paths.append(full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full)
            }
        }
        paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var hash = FNV1a()
        for path in paths {
            hash.add(Array(path.utf8))
            hash.add([0])
            hash.add([UInt8]((try? Data(contentsOf: root.appendingPathComponent(path))) ?? Data()))
            hash.add([0])
        }
        return hash.hex
    }
}

/// 64-bit FNV-1a.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
