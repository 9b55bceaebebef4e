import CEventJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A copy of one line's bytes and the scanner's tokens for it, from which a ``JSONObject``
/// reads its members lazily: most fields of most events are never read by any rule, so they
/// are never turned into Swift values.
///
/// ``EventParser`` scans each line into a tape and hands the tape out with the event. It
/// refills a tape only while it holds the sole reference (the event that used it is gone), so
/// a tape never changes under a reader.
final class EventTape: @unchecked Sendable {
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var tokens: UnsafeMutablePointer<cej_token>
    private var byteCapacity: Int
    private(set) var tokenCapacity: Int

    /// Tokens for a new tape (a 110-byte event needs about 20; a line needing more grows it).
    static let initialTokenCapacity = 64
    /// Buffers for lines longer than this (64 KiB) are not kept for the next line.
    static let keptByteCapacity = 1 << 16
    /// Bytes the byte buffer holds past the end of the line, so that reading a word at any
    /// byte of the line stays in the buffer: the scanner reads text 16 bytes at a time
    /// (`CEJ_PADDING`), ``ReservedField/init(tapeKey:)`` keys 8 at a time.
    static let readPadding = max(Int(CEJ_PADDING), 8)

    /// An empty tape with room for `tokenCapacity` tokens.
    init(tokenCapacity: Int = EventTape.initialTokenCapacity) {
        byteCapacity = 256
        self.tokenCapacity = tokenCapacity
        bytes = .allocate(capacity: byteCapacity + Self.readPadding)
        tokens = .allocate(capacity: tokenCapacity)
    }

    /// Copies a line in (growing the byte buffer when needed). Only for a tape nobody else holds.
    func load(_ source: UnsafeRawBufferPointer) {
        if source.count > byteCapacity {
            bytes.deallocate()
            byteCapacity = source.count
            bytes = .allocate(capacity: byteCapacity + Self.readPadding)
        }
        if let base = source.baseAddress { UnsafeMutableRawPointer(bytes).copyMemory(from: base, byteCount: source.count) }
    }

    /// Replaces the token buffer with one of `capacity` tokens (contents not kept).
    func resizeTokens(to capacity: Int) {
        tokens.deallocate()
        tokenCapacity = capacity
        tokens = .allocate(capacity: capacity)
    }

    /// True when the buffers are much larger than a line of `byteCount` bytes needs (a
    /// parser then lets go of this tape rather than keep one huge line's buffers).
    func isOversized(for byteCount: Int) -> Bool {
        (byteCapacity > Self.keptByteCapacity || tokenCapacity > Self.keptByteCapacity)
            && byteCount < Self.keptByteCapacity
    }

    /// A reader over this tape (no string cache: lazily read values are few).
    var reader: TapeReader { TapeReader(tokens: tokens, input: bytes, cache: nil) }

    deinit {
        bytes.deallocate()
        tokens.deallocate()
    }
}

/// A JSON object still on its ``EventTape``: the tape and the index of the object's token.
/// Only objects of at most ``JSONObject/linearLimit`` members without escaped keys are kept
/// this way (their keys compare byte for byte with the raw text).
struct TapeObject: Sendable {
    let tape: EventTape
    let token: Int

    /// The object at `token` on `tape` kept on the tape, or nil when it must be read eagerly
    /// (too many members for linear lookups, or a key with escapes).
    init?(tape: EventTape, token: Int) {
        let object = tape.tokens[token]
        guard object.kind == TapeReader.kindObject, Int(object.length) <= JSONObject.linearLimit else { return nil }
        var index = token + 1
        for _ in 0..<Int(object.length) {
            guard tape.tokens[index].flags & TapeReader.flagEscaped == 0 else { return nil }
            index = Int(tape.tokens[index + 1].next)
        }
        self.tape = tape
        self.token = token
    }

    /// The line's top-level object, which the parser has checked qualifies.
    @inline(__always)
    init(topLevelOf tape: EventTape) {
        self.tape = tape
        token = 0
    }

    /// The number of members as written (a repeated key counts once per appearance).
    var writtenCount: Int { Int(tape.tokens[token].length) }

    /// The token index of the value of `key` (the last one when the key repeats), or nil.
    func valueToken(of key: String) -> Int? {
        if let found = key.utf8.withContiguousStorageIfAvailable({ valueToken(ofKeyBytes: $0) }) { return found }
        var key = key
        return key.withUTF8 { valueToken(ofKeyBytes: $0) }
    }

    /// ``valueToken(of:)`` for a key's UTF-8 bytes: a key of another length or first byte is
    /// passed over without calling `memcmp`.
    @inline(__always)
    func valueToken(ofKeyBytes wanted: UnsafeBufferPointer<UInt8>) -> Int? {
        let tokens = tape.tokens
        var found: Int?
        var index = token + 1
        for _ in 0..<writtenCount {
            let keyToken = tokens[index]
            if Int(keyToken.length) == wanted.count,
               wanted.isEmpty || (tape.bytes[Int(keyToken.start)] == wanted[0]
                   && memcmp(tape.bytes + Int(keyToken.start), wanted.baseAddress!, wanted.count) == 0)
            {
                found = index + 1
            }
            index = Int(tokens[index + 1].next)
        }
        return found
    }

    /// The value of `key`, nested objects kept on the tape; nil when absent.
    func value(of key: String) -> JSONValue? {
        valueToken(of: key).map(value(at:))
    }

    /// The value at a path of keys through nested objects, read without decoding the
    /// objects on the way; nil when a key is missing or a step is not an object.
    func value<Path: Sequence>(atPath path: Path) -> JSONValue? where Path.Element == String {
        switch walk(path) {
        case .missing: return nil
        case .token(let index): return value(at: index)
        case .decodedObject(let index, let remaining):
            guard case .object(let decoded) = value(at: index) else { return nil }
            return decoded.value(atPath: remaining)
        }
    }

    /// Where a path of keys ends on the tape.
    private enum PathEnd {
        /// At the value whose token is this.
        case token(Int)
        /// A key is missing, or a step is not an object.
        case missing
        /// At an object that is not read on the tape (escapes in keys, many members), with the
        /// keys still to follow in it.
        case decodedObject(Int, remaining: [String])
    }

    private func walk<Path: Sequence>(_ path: Path) -> PathEnd where Path.Element == String {
        var keys = path.makeIterator()
        guard let first = keys.next(), var index = valueToken(of: first) else { return .missing }
        while let key = keys.next() {
            guard let nested = TapeObject(tape: tape, token: index) else {
                guard tape.tokens[index].kind == TapeReader.kindObject else { return .missing }
                return .decodedObject(index, remaining: [key] + IteratorSequence(keys))
            }
            guard let found = nested.valueToken(of: key) else { return .missing }
            index = found
        }
        return .token(index)
    }

    /// The value whose token is at `index`, nested objects kept on the tape where they can be.
    func value(at index: Int) -> JSONValue {
        if let nested = TapeObject(tape: tape, token: index) { return .object(JSONObject(tape: nested)) }
        var position = index
        return tape.reader.value(at: &position)
    }

    /// Every member decoded (a repeated key keeps its first position and its last value).
    func members() -> [JSONObject.Member] {
        var index = token + 1
        return tape.reader.memberList(of: tape.tokens[token], at: &index)
    }
}
