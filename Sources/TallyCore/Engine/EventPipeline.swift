/// Feeds lines to an engine a few events behind the parser: while an event is applied, the next
/// ones are already parsed and their guests' state is on its way into the cache, so the cache
/// misses of finding a guest among many, and of its state, overlap with useful work instead of
/// stalling it.
///
/// Each line is parsed in place into one of a ring of events (no event is copied), and each
/// event then moves through one look-ahead step per line fed after it:
/// 1. right after parsing, the index slot of its guest is asked for;
/// 2. a line later (the slot has arrived), its guest is looked up (the number found is kept
///    for applying it) and the guest's state and experiment entries asked for;
/// 3. a line later again, the guest's participant records in each experiment are asked for
///    (their place comes from the entries of step 2);
/// 4. a line later, it is applied.
///
/// The plain engine (``Engine/isPlain``) gets no look-ahead: each event is applied as soon as it
/// is parsed.
///
/// Events are applied in input order and rejections reported in line order, exactly as without
/// the pipeline: call ``flush(onReject:)`` at the end of each input, before reading the next or
/// reporting.
public final class EventPipeline {
    /// Events parsed but not yet applied, at most.
    static let depth = 3

    private let engine: Engine
    /// `depth + 1` events, parsed into in turn.
    private let slots: UnsafeMutablePointer<Event>
    /// The guest number of each slot's event once step 2 has looked it up, handed to the engine
    /// with the event so it is not looked up twice.
    private let guests: UnsafeMutablePointer<GuestHint>
    /// The slot the next line is parsed into.
    private var next = 0
    /// Events waiting to be applied: the `waiting` slots before `next`, oldest first.
    private var waiting = 0

    public init(engine: Engine) {
        precondition(Self.depth < EventParser.tapeCount, "the parser must keep a tape per held event")
        self.engine = engine
        slots = .allocate(capacity: Self.depth + 1)
        slots.initialize(repeating: Event.placeholder, count: Self.depth + 1)
        guests = .allocate(capacity: Self.depth + 1)
        guests.initialize(repeating: .unknown, count: Self.depth + 1)
    }

    deinit {
        slots.deinitialize(count: Self.depth + 1)
        slots.deallocate()
        guests.deallocate()
    }

    /// Parses `line` with `parser` and applies the event parsed `depth` lines before it. A line
    /// that is not a valid event is counted as rejected by the engine; every rejection goes to
    /// `onReject`. (The caller keeps the parser, so its tapes and string cache last from line to
    /// line and batch to batch.)
    public func feed(_ line: EventIntake.Line, parser: inout EventParser, onReject: (EventRejection) -> Void) {
        switch line {
        case .text(let bytes, let number):
            feed(bytes, line: number, parser: &parser, onReject: onReject)
        case .oversize(let byteCount, let number):
            reject(.lineTooLong(line: number, byteCount: byteCount), onReject: onReject)
        }
    }

    /// Parses the bytes of line number `line` with `parser` and applies the event parsed
    /// `depth` lines before it (see ``feed(_:parser:onReject:)``).
    public func feed(_ bytes: UnsafeRawBufferPointer, line: Int, parser: inout EventParser,
                     onReject: (EventRejection) -> Void) {
        let slot = next
        if let rejection = parser.parse(bytes, line: line, into: &slots[slot]) {
            reject(rejection, onReject: onReject)
            return
        }
        if engine.isPlain {  // no look-ahead: each event is applied as soon as it is parsed
            if let rejection = engine.ingest(inPlace: &slots[slot], hint: .unknown) { onReject(rejection) }
            return
        }
        engine.prefetchGuestSlot(of: &slots[slot])
        if waiting >= 1 {
            let previous = Self.slot(before: slot, by: 1)
            guests[previous] = engine.prefetchGuestState(of: &slots[previous])
        }
        if waiting >= 2 {
            engine.prefetchParticipants(ofGuest: guests[Self.slot(before: slot, by: 2)])
        }
        if waiting == Self.depth { applyOldest(onReject: onReject) }
        guests[slot] = .unknown
        waiting += 1
        next = (slot + 1) % (Self.depth + 1)
    }

    /// A line that is not an event: the ones before it are applied first, so rejections stay
    /// in line order.
    private func reject(_ rejection: EventRejection, onReject: (EventRejection) -> Void) {
        flush(onReject: onReject)
        engine.countRejected()
        onReject(rejection)
    }

    /// Applies the events still waiting, if any, in input order.
    public func flush(onReject: (EventRejection) -> Void) {
        while waiting > 0 { applyOldest(onReject: onReject) }
    }

    private func applyOldest(onReject: (EventRejection) -> Void) {
        let oldest = Self.slot(before: next, by: waiting)
        waiting -= 1
        if let rejection = engine.ingest(inPlace: &slots[oldest], hint: guests[oldest]) { onReject(rejection) }
    }

    /// The slot `distance` places before `slot` in the ring.
    @inline(__always)
    private static func slot(before slot: Int, by distance: Int) -> Int {
        (slot - distance + depth + 1) % (depth + 1)
    }
}
