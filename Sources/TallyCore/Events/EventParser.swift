import CEventJSON

/// Turns one line of JSON into a validated ``Event`` or an ``EventRejection`` (SPEC §1).
///
/// Reusable: it owns the scanner's tape (grown only for unusually large lines) and a cache
/// of repeated strings, so parsing allocates little beyond the event's own values. Never
/// traps on bad input. A copy of a parser makes its own tape on first use, so copies may be
/// used on different threads.
///
/// ```swift
/// var parser = EventParser()
/// try reader.readAll { line in
///     switch parser.parse(line) {
///     case .success(let event): engine.process(event)
///     case .failure(let rejection): rejects.append(rejection.description(file: name))
///     }
/// }
/// ```
public struct EventParser: Sendable {
    private var tape: TapeStorage

    /// A parser with a tape sized for typical event lines.
    public init() {
        tape = TapeStorage(capacity: TapeStorage.initialCapacity)
    }

    /// Parses the bytes of one line (without its line break) numbered `line` (1-based).
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, line: Int) -> Result<Event, EventRejection> {
        guard bytes.count <= EventRejection.maxLineLength else {
            return .failure(.lineTooLong(line: line, byteCount: bytes.count))
        }
        let result = scan(bytes)
        let input = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard result.code == Int32(CEJ_OK), let input else {
            return .failure(.syntax(code: result.code, offset: Int(result.offset), bytes: bytes, line: line))
        }
        return event(TapeReader(tokens: tape.tokens, input: input, cache: tape.cache), line: line)
    }

    /// Parses a line handed out by ``LineReader``; an oversize line is rejected.
    @inlinable
    public mutating func parse(_ line: LineReader.Line) -> Result<Event, EventRejection> {
        switch line {
        case .text(let bytes, let number):
            return parse(bytes, line: number)
        case .oversize(let byteCount, let number):
            return .failure(.lineTooLong(line: number, byteCount: byteCount))
        }
    }

    /// Runs the scanner over `bytes` into the tape, growing the tape when a line needs it.
    private mutating func scan(_ bytes: UnsafeRawBufferPointer) -> cej_result {
        if !isKnownUniquelyReferenced(&tape) {
            tape = TapeStorage(capacity: TapeStorage.initialCapacity)
        } else if tape.capacity > TapeStorage.keptCapacity && bytes.count < TapeStorage.keptCapacity {
            tape.resize(to: TapeStorage.initialCapacity)  // let go of one huge line's tape
        }
        let input = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var result = cej_result()
        if cej_parse(input, bytes.count, tape.tokens, UInt32(tape.capacity), &result) == Int32(CEJ_ERR_TAPE_FULL) {
            tape.resize(to: max(tape.capacity * 2, Int(result.count)))
            cej_parse(input, bytes.count, tape.tokens, UInt32(tape.capacity), &result)
        }
        return result
    }

    /// Walks the top-level object once: every member goes into `fields`, reserved ones are
    /// matched on their raw key bytes as they pass.
    @inline(__always)
    private func event(_ reader: TapeReader, line: Int) -> Result<Event, EventRejection> {
        let top = reader.tokens[0]
        guard top.kind == TapeReader.kindObject else {
            return .failure(.notAnObject(line: line, found: TapeReader.kindName(top)))
        }
        var reserved = ReservedFields()
        var index = 1
        // The previous line's member storage, reused once that event is gone (when the event
        // is still alive, emptying the array gives it storage of its own).
        var members = tape.recycledMembers
        tape.recycledMembers = []
        members.removeAll(keepingCapacity: true)
        reader.readMembers(of: top, at: &index, into: &members) { keyToken, position in
            let field =
                keyToken.flags & TapeReader.flagEscaped == 0
                ? ReservedField(reader.rawBytes(keyToken)) : ReservedField(reader.string(keyToken))
            if let field { reserved.set(field, at: position) }
        }
        if members.capacity <= TapeStorage.recycledMemberLimit { tape.recycledMembers = members }
        return reserved.event(fields: JSONObject(members: members), line: line)
    }

    /// Validates `bytes` as one JSON value and returns it (tests and tools; events use
    /// ``parse(_:line:)``), or the rejection text for line 0.
    mutating func parseJSON(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, EventRejection> {
        let result = scan(bytes)
        let input = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard result.code == Int32(CEJ_OK), let input else {
            return .failure(.syntax(code: result.code, offset: Int(result.offset), bytes: bytes, line: 0))
        }
        var index = 0
        return .success(TapeReader(tokens: tape.tokens, input: input, cache: tape.cache).value(at: &index))
    }
}

/// The scanner's token buffer and the string cache, owned by one ``EventParser`` (which
/// makes its own when it finds them shared, so no two threads ever use one).
private final class TapeStorage: @unchecked Sendable {
    /// Tokens for typical event lines (a 110-byte event needs about 20).
    static let initialCapacity = 256
    /// A tape larger than this (1.5 MiB) is given back once a small line comes along.
    static let keptCapacity = 1 << 16

    private(set) var tokens: UnsafeMutablePointer<cej_token>
    private(set) var capacity: Int
    /// Member storage larger than this is not kept for the next line.
    static let recycledMemberLimit = 64
    /// The member storage of the last event parsed, for the next one to reuse.
    var recycledMembers: [JSONObject.Member] = []
    private let cacheEntries: UnsafeMutablePointer<StringCache.Entry>

    init(capacity: Int) {
        self.capacity = capacity
        tokens = .allocate(capacity: capacity)
        cacheEntries = StringCache.allocateEntries()
    }

    var cache: StringCache { StringCache(entries: cacheEntries) }

    /// Replaces the token buffer with one of `capacity` tokens (contents not kept).
    func resize(to capacity: Int) {
        tokens.deallocate()
        tokens = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit {
        tokens.deallocate()
        StringCache.deallocateEntries(cacheEntries)
    }
}
