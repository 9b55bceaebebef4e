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
        return event(TapeReader(tokens: tape.tokens, input: input, cache: tape.cache), bytes: bytes,
                     tokenCount: Int(result.count), line: line)
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

    /// Finds the reserved fields among the top-level keys and builds the event, its other
    /// fields left on a copy of the tape until a rule reads them. Lines whose top-level
    /// object has escapes in its keys or many members are decoded at once instead.
    @inline(__always)
    private mutating func event(_ reader: TapeReader, bytes: UnsafeRawBufferPointer, tokenCount: Int, line: Int)
        -> Result<Event, EventRejection>
    {
        let top = reader.tokens[0]
        guard top.kind == TapeReader.kindObject else {
            return .failure(.notAnObject(line: line, found: TapeReader.kindName(top)))
        }
        guard Int(top.length) <= JSONObject.linearLimit else { return decodedEvent(reader, line: line) }
        var reserved = ReservedFields()
        var index = 1
        for _ in 0..<Int(top.length) {
            let keyToken = reader.tokens[index]
            guard keyToken.flags & TapeReader.flagEscaped == 0 else { return decodedEvent(reader, line: line) }
            if let field = ReservedField(reader.rawBytes(keyToken)) { reserved.set(field, at: index + 1) }
            index = Int(reader.tokens[index + 1].next)
        }
        let fields = JSONObject(tape: TapeObject(topLevelOf: eventTape(bytes: bytes, tokenCount: tokenCount)))
        return reserved.event(fields: fields, line: line) { position in
            var index = position
            return reader.value(at: &index)
        }
    }

    /// A tape holding a copy of `bytes` and of the scanner's tokens: the previous line's when
    /// its event is gone, else a new one.
    private mutating func eventTape(bytes: UnsafeRawBufferPointer, tokenCount: Int) -> EventTape {
        if var recycled = tape.recycledEventTape.take() {
            if isKnownUniquelyReferenced(&recycled) && !recycled.isOversized(for: bytes.count) {
                recycled.fill(bytes: bytes, tokens: tape.tokens, count: tokenCount)
                tape.recycledEventTape = recycled
                return recycled
            }
        }
        let fresh = EventTape(bytes: bytes, tokens: tape.tokens, count: tokenCount)
        tape.recycledEventTape = fresh
        return fresh
    }

    /// Decodes every member at once, noting reserved fields by the decoded key.
    private func decodedEvent(_ reader: TapeReader, line: Int) -> Result<Event, EventRejection> {
        var reserved = ReservedFields()
        var index = 1
        let fields = reader.members(of: reader.tokens[0], at: &index) { keyToken, position in
            let field =
                keyToken.flags & TapeReader.flagEscaped == 0
                ? ReservedField(reader.rawBytes(keyToken)) : ReservedField(reader.string(keyToken))
            if let field { reserved.set(field, at: position) }
        }
        return reserved.event(fields: fields, line: line) { fields.value(at: $0) }
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
    /// The tape of the last event parsed, for the next one to reuse once that event is gone.
    var recycledEventTape: EventTape?
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
