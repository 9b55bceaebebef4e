import CEventJSON

/// Turns one line of JSON into a validated ``Event`` or an ``EventRejection`` (SPEC §1).
///
/// Reusable: it owns a cache of repeated strings and the tape each line is scanned onto. An
/// event keeps its line's tape and reads its fields from it lazily; once the event is gone
/// the next line reuses the tape, so a parser whose events do not outlive the next line
/// allocates almost nothing. Never traps on bad input. A copy of a parser makes its own tape
/// on first use, so copies may be used on different threads.
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
///
/// Hot loops use ``parse(_:into:)`` instead: it writes the line into an event the caller
/// owns, where returning a new one copies every field once more.
public struct EventParser: Sendable {
    private var tape: TapeStorage

    /// How many tapes a parser keeps: a caller may hold the events of the last `tapeCount - 1`
    /// lines while it parses the next without the parser making a new tape.
    static let tapeCount = 4

    /// A parser with a tape sized for typical event lines.
    public init() {
        tape = TapeStorage()
    }

    /// Parses the bytes of one line (without its line break) numbered `line` (1-based).
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, line: Int) -> Result<Event, EventRejection> {
        var event = Event.placeholder
        if let rejection = parse(bytes, line: line, into: &event) { return .failure(rejection) }
        return .success(event)
    }

    /// Parses the bytes of one line into `event`, returning nil, or the rejection (`event` is
    /// then left with no fields). The fast way to read many lines: `event` is reused, and its
    /// old fields are let go of first, so their tape can take the new line.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, line: Int, into event: inout Event) -> EventRejection? {
        event.fields = JSONObject()
        guard bytes.count <= EventRejection.maxLineLength else {
            return .lineTooLong(line: line, byteCount: bytes.count)
        }
        let (result, eventTape) = scan(bytes)
        guard result.code == Int32(CEJ_OK) else {
            return .syntax(code: result.code, offset: Int(result.offset), bytes: bytes, line: line)
        }
        return fill(&event, TapeReader(tokens: eventTape.tokens, input: eventTape.bytes, cache: tape.cache),
                    eventTape: eventTape, line: line)
    }

    /// Parses a line handed out by ``EventIntake`` into `event` (see ``parse(_:line:into:)``).
    @inlinable
    public mutating func parse(_ line: EventIntake.Line, into event: inout Event) -> EventRejection? {
        switch line {
        case .text(let bytes, let number):
            return parse(bytes, line: number, into: &event)
        case .oversize(let byteCount, let number):
            event.fields = JSONObject()
            return .lineTooLong(line: number, byteCount: byteCount)
        }
    }

    /// Parses a line handed out by ``EventIntake``; an oversize line is rejected.
    @inlinable
    public mutating func parse(_ line: EventIntake.Line) -> Result<Event, EventRejection> {
        switch line {
        case .text(let bytes, let number):
            return parse(bytes, line: number)
        case .oversize(let byteCount, let number):
            return .failure(.lineTooLong(line: number, byteCount: byteCount))
        }
    }

    /// Copies `bytes` onto a tape and runs the scanner over the copy, growing the token
    /// buffer when a line needs it. The parser's tapes take lines in turn: a tape is free again
    /// once the event of the line it last held is gone (a caller may hold up to
    /// ``tapeCount`` - 1 events, as ``EventPipeline`` does), else it is replaced.
    private mutating func scan(_ bytes: UnsafeRawBufferPointer) -> (cej_result, EventTape) {
        if !isKnownUniquelyReferenced(&tape) {
            tape = TapeStorage()
        }
        let position = tape.nextTape
        tape.nextTape = (position + 1) % Self.tapeCount
        if !isKnownUniquelyReferenced(&tape.tapes[position]) || tape.tapes[position].isOversized(for: bytes.count) {
            tape.tapes[position] = EventTape()
        }
        let eventTape = tape.tapes[position]
        eventTape.load(bytes)
        var result = cej_result()
        if cej_parse(eventTape.bytes, bytes.count, eventTape.tokens, UInt32(eventTape.tokenCapacity), &result)
            == Int32(CEJ_ERR_TAPE_FULL)
        {
            eventTape.resizeTokens(to: max(eventTape.tokenCapacity * 2, Int(result.count)))
            cej_parse(eventTape.bytes, bytes.count, eventTape.tokens, UInt32(eventTape.tokenCapacity), &result)
        }
        return (result, eventTape)
    }

    /// Finds the reserved fields among the top-level keys and writes the event into `event`,
    /// its other fields left on a copy of the tape until a rule reads them. Lines whose
    /// top-level object has escapes in its keys or many members are decoded at once instead.
    @inline(__always)
    private func fill(_ event: inout Event, _ reader: TapeReader, eventTape: EventTape, line: Int) -> EventRejection? {
        let top = reader.tokens[0]
        guard top.kind == TapeReader.kindObject else {
            return .notAnObject(line: line, found: TapeReader.kindName(top))
        }
        guard Int(top.length) <= JSONObject.linearLimit else { return fillDecoded(&event, reader, line: line) }
        var reserved = ReservedFields()
        var index = 1
        for _ in 0..<Int(top.length) {
            let keyToken = reader.tokens[index]
            guard keyToken.flags & TapeReader.flagEscaped == 0 else { return fillDecoded(&event, reader, line: line) }
            if let field = ReservedField(tapeKey: reader.rawBytes(keyToken)) { reserved.set(field, at: index + 1) }
            index = Int(reader.tokens[index + 1].next)
        }
        let fields = JSONObject(tape: TapeObject(topLevelOf: eventTape))
        return reserved.fill(&event, fields: fields, line: line, values: TapeReservedValues(reader: reader))
    }

    /// Decodes every member at once, noting reserved fields by the decoded key.
    private func fillDecoded(_ event: inout Event, _ reader: TapeReader, line: Int) -> EventRejection? {
        var reserved = ReservedFields()
        var index = 1
        let fields = reader.members(of: reader.tokens[0], at: &index) { keyToken, position in
            let field =
                keyToken.flags & TapeReader.flagEscaped == 0
                ? ReservedField(tapeKey: reader.rawBytes(keyToken)) : ReservedField(reader.string(keyToken))
            if let field { reserved.set(field, at: position) }
        }
        return reserved.fill(&event, fields: fields, line: line, values: DecodedReservedValues(fields: fields))
    }

    /// Validates `bytes` as one JSON value and returns it (tests and tools; events use
    /// ``parse(_:line:)``), or the rejection text for line 0.
    mutating func parseJSON(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, EventRejection> {
        let (result, eventTape) = scan(bytes)
        guard result.code == Int32(CEJ_OK) else {
            return .failure(.syntax(code: result.code, offset: Int(result.offset), bytes: bytes, line: 0))
        }
        var index = 0
        return .success(TapeReader(tokens: eventTape.tokens, input: eventTape.bytes, cache: tape.cache).value(at: &index))
    }
}

/// The tape of the line being parsed and the string cache, owned by one ``EventParser``
/// (which makes its own when it finds them shared, so no two threads ever use one).
private final class TapeStorage: @unchecked Sendable {
    /// Tapes taken by lines in turn.
    var tapes = (0..<EventParser.tapeCount).map { _ in EventTape() }
    /// The tape the next line goes on.
    var nextTape = 0
    private let cacheEntries = StringCache.allocateEntries()

    var cache: StringCache { StringCache(entries: cacheEntries) }

    deinit {
        StringCache.deallocateEntries(cacheEntries)
    }
}
