/// Text of up to 32 UTF-8 bytes held in place (no heap storage, no reference counting), or a
/// `String` when longer: guest ids are read on every event, yet rarely needed as a `String`.
///
/// Compared by UTF-8 bytes, as JSON and Lua compare text.
struct CompactString: Sendable, Equatable {
    private enum Storage: Sendable {
        case inline(words: (UInt64, UInt64, UInt64, UInt64), length: UInt8)
        case string(String)
    }

    private let storage: Storage

    /// The text of `string`.
    init(_ string: String) {
        var string = string
        let key = string.withUTF8 { StringCache.Key($0) }
        if let key {
            storage = .inline(words: key.words, length: UInt8(key.length))
        } else {
            storage = .string(string)
        }
    }

    /// The text of `bytes`, which must be valid UTF-8 (as the scanner has checked).
    @inline(__always)
    init(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        if let key = StringCache.Key(bytes) {
            storage = .inline(words: key.words, length: UInt8(key.length))
        } else {
            storage = .string(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The text as a `String` (built on each call for inline text).
    var string: String {
        switch storage {
        case .inline(let words, let length):
            let littleEndian = (words.0.littleEndian, words.1.littleEndian, words.2.littleEndian, words.3.littleEndian)
            return withUnsafeBytes(of: littleEndian) { bytes in
                String(decoding: bytes.prefix(Int(length)), as: UTF8.self)
            }
        case .string(let string):
            return string
        }
    }

    /// True for the empty text.
    var isEmpty: Bool {
        if case .inline(_, let length) = storage { return length == 0 }
        return false  // only texts over 32 bytes are stored as strings
    }

    /// The bytes as four zero-padded little-endian words and the byte count, for text of up
    /// to 32 bytes (the inline key ``StringIndex`` stores).
    @inline(__always)
    var inlineWords: (words: (UInt64, UInt64, UInt64, UInt64), length: Int)? {
        if case .inline(let words, let length) = storage { return (words, Int(length)) }
        return nil
    }

    static func == (lhs: CompactString, rhs: CompactString) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.inline(let a, let m), .inline(let b, let n)): return m == n && a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        default: return false  // each text has one form: inline exactly when it fits
        }
    }
}
