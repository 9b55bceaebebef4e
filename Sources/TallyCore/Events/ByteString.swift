#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string that is equal to, hashed and ordered like another by its UTF-8 bytes alone, as Lua
/// and JSON see text (SPEC §3, "Text is bytes"): `"café"` (NFC) and `"cafe\u{301}"` (NFD) are two
/// keys, where Swift's `String` would take them for one. Use it for dictionary keys and sets of
/// ids, names and texts taken from rules or events.
///
/// Encoded as the plain string, so a `[ByteString: V]` encodes like a `[String: V]`.
public struct ByteString: Hashable, Comparable, Sendable, Codable, CodingKeyRepresentable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The text.
    public let string: String

    public init(_ string: String) { self.string = string }

    public init(stringLiteral value: String) { string = value }

    public init(from decoder: any Decoder) throws {
        string = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }

    public init?<T: CodingKey>(codingKey: T) { string = codingKey.stringValue }

    public var codingKey: any CodingKey { Key(stringValue: string) }

    /// The coding key of a ``ByteString`` dictionary key: its text, never an integer.
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public var description: String { string }

    public static func == (lhs: ByteString, rhs: ByteString) -> Bool { lhs.string.hasSameBytes(as: rhs.string) }

    /// Byte order (which is also Unicode scalar order): deterministic, as Lua's `<` on UTF-8.
    public static func < (lhs: ByteString, rhs: ByteString) -> Bool { lhs.string.precedesInBytes(rhs.string) }

    public func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(string.utf8.count)
    }
}

extension String {
    /// True when both strings have the same UTF-8 bytes (`==` on `String` is canonical
    /// equivalence: `"é" == "e\u{301}"`).
    @inline(__always)
    func hasSameBytes(as other: String) -> Bool {
        // The same bits are the same inline bytes or the same storage.
        if unsafeBitCast(self, to: (UInt64, UInt64).self) == unsafeBitCast(other, to: (UInt64, UInt64).self) {
            return true
        }
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        let compared = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                count == 0 || memcmp(a.baseAddress!, b.baseAddress!, count) == 0
            }
        }
        if let compared, let compared { return compared }
        return utf8.elementsEqual(other.utf8)
    }

    /// True when the UTF-8 bytes of `prefix` begin this string's.
    @inline(__always)
    func hasBytePrefix(_ prefix: String) -> Bool {
        utf8.count >= prefix.utf8.count && utf8.starts(with: prefix.utf8)
    }

    /// True when this string's UTF-8 bytes sort before `other`'s.
    @inline(__always)
    func precedesInBytes(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// The string with ASCII letters `a`–`z` upper-cased and every other byte as it is, as
    /// Lua's `string.upper` does (event types: SPEC §1). Itself when there is nothing to change.
    var asciiUppercased: String {
        guard utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return self }
        return String(decoding: utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}

extension Array where Element == String {
    /// True when both lists hold strings with the same bytes in the same order (variant ids).
    func hasSameBytes(as other: [String]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.hasSameBytes(as: $1) }
    }
}
