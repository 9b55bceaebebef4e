#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key of the key table, equal to and hashed like another by its UTF-8 bytes alone: `==` on
/// `String` is canonical equivalence, but keys that differ in bytes (`"café"` in NFC and in NFD)
/// are two keys.
struct KeyBytes: Hashable {
    let string: String

    static func == (lhs: KeyBytes, rhs: KeyBytes) -> Bool { lhs.string.hasSameUTF8(as: rhs.string) }

    func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(string.utf8.count)
    }
}

extension String {
    /// True when both strings have the same UTF-8 bytes.
    @inline(__always)
    func hasSameUTF8(as other: String) -> Bool {
        // The same bits are the same inline bytes or the same storage.
        if unsafeBitCast(self, to: (UInt64, UInt64).self) == unsafeBitCast(other, to: (UInt64, UInt64).self) { return true }
        var (left, right) = (self, other)
        return left.withUTF8 { a in
            right.withUTF8 { b in a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0) }
        }
    }
}
