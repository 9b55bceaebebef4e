/// Feeds lines to an engine one event behind the parser: while an event is applied, the next
/// one is already parsed and its guest's state is on its way into the cache, so the cache
/// misses of finding a guest among many overlap with useful work instead of stalling it.
///
/// Each line is parsed in place into one of two events, in turn (no event is copied). Right
/// after parsing, the index slot of the new event's guest is asked for; the previous event is
/// then applied; after that the new event's guest is looked up (its slot has arrived) and its
/// state asked for, which arrives while the next line is parsed. Events are applied in input
/// order and rejections reported in line order, exactly as without the pipeline: call
/// ``flush(onReject:)`` at the end of each input, before reading the next or reporting.
public final class EventPipeline {
    private let engine: Engine
    /// Two events, parsed into in turn.
    private let slots: UnsafeMutablePointer<Event>
    /// The slot the next line is parsed into; the other one holds the event waiting to be
    /// applied when `waiting` is true.
    private var current = 0
    private var waiting = false

    public init(engine: Engine) {
        self.engine = engine
        slots = .allocate(capacity: 2)
        slots.initialize(repeating: Event.placeholder, count: 2)
    }

    deinit {
        slots.deinitialize(count: 2)
        slots.deallocate()
    }

    /// Parses `line` with `parser` and applies the event parsed before it. A line that is not
    /// a valid event is counted as rejected by the engine; every rejection goes to `onReject`.
    /// (The caller keeps the parser, so its tapes and string cache last from line to line and
    /// batch to batch.)
    public func feed(_ line: LineReader.Line, parser: inout EventParser, onReject: (EventRejection) -> Void) {
        switch line {
        case .text(let bytes, let number):
            feed(bytes, line: number, parser: &parser, onReject: onReject)
        case .oversize(let byteCount, let number):
            reject(.lineTooLong(line: number, byteCount: byteCount), onReject: onReject)
        }
    }

    /// Parses the bytes of line number `line` with `parser` and applies the event parsed before
    /// it (see ``feed(_:parser:onReject:)``).
    public func feed(_ bytes: UnsafeRawBufferPointer, line: Int, parser: inout EventParser,
                     onReject: (EventRejection) -> Void) {
        let slot = slots + current
        if let rejection = parser.parse(bytes, line: line, into: &slot.pointee) {
            reject(rejection, onReject: onReject)
            return
        }
        engine.prefetchGuestSlot(of: &slot.pointee)
        flush(onReject: onReject)
        engine.prefetchGuestState(of: &slot.pointee)
        waiting = true
        current = 1 - current
    }

    /// A line that is not an event: the one before it is applied first, so rejections stay in
    /// line order.
    private func reject(_ rejection: EventRejection, onReject: (EventRejection) -> Void) {
        flush(onReject: onReject)
        engine.countRejected()
        onReject(rejection)
    }

    /// Applies the event still waiting, if any.
    public func flush(onReject: (EventRejection) -> Void) {
        guard waiting else { return }
        waiting = false
        if let rejection = engine.ingest(inPlace: &slots[1 - current]) { onReject(rejection) }
    }
}
