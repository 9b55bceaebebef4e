/// The fields SPEC §1 gives a meaning to.
enum ReservedField {
    case type, guest, browserID, ts, session, page, revenue, experiment, variant

    /// The field named by unescaped key bytes on an ``EventTape``, if reserved. The key's first
    /// 8 bytes are read as one word (and bytes 8 and 9 of a 10-byte key as another), which reads
    /// up to 6 bytes past a short key: the tape's buffer holds its line and
    /// ``EventTape/readPadding`` bytes more, so this stays inside it.
    @inline(__always)
    init?(tapeKey key: UnsafeBufferPointer<UInt8>) {
        guard let base = key.baseAddress else { return nil }
        let head = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
        switch key.count {
        case 2 where head & 0xFFFF == Packed.ts: self = .ts
        case 4 where head & 0xFFFF_FFFF == Packed.type: self = .type
        case 4 where head & 0xFFFF_FFFF == Packed.page: self = .page
        case 5 where head & 0xFF_FFFF_FFFF == Packed.guest: self = .guest
        case 7 where head & 0xFF_FFFF_FFFF_FFFF == Packed.session: self = .session
        case 7 where head & 0xFF_FFFF_FFFF_FFFF == Packed.revenue: self = .revenue
        case 7 where head & 0xFF_FFFF_FFFF_FFFF == Packed.variant: self = .variant
        case 10:
            let tail = UInt16(littleEndian: UnsafeRawPointer(base + 8).loadUnaligned(as: UInt16.self))
            if head == Packed.browser && tail == Packed.id {
                self = .browserID
            } else if head == Packed.experime && tail == Packed.nt {
                self = .experiment
            } else {
                return nil
            }
        default: return nil
        }
    }

    /// The reserved names' bytes as little-endian words (a 10-byte name as its first 8 bytes
    /// and its last 2), as ``init(tapeKey:)`` compares them. Tested against the names.
    enum Packed {
        static let ts: UInt64 = 0x7374
        static let type: UInt64 = 0x6570_7974
        static let page: UInt64 = 0x6567_6170
        static let guest: UInt64 = 0x74_7365_7567
        static let session: UInt64 = 0x6E_6F69_7373_6573
        static let revenue: UInt64 = 0x65_756E_6576_6572
        static let variant: UInt64 = 0x74_6E61_6972_6176
        static let browser: UInt64 = 0x5F72_6573_776F_7262  // "browser_"
        static let id: UInt16 = 0x6469
        static let experime: UInt64 = 0x656D_6972_6570_7865  // "experime"
        static let nt: UInt16 = 0x746E
    }

    /// The field named by a decoded key, if reserved (read as ``init(tapeKey:)`` reads it, from
    /// a zero-padded copy).
    init?(_ key: String) {
        var key = key
        let field = key.withUTF8 { bytes -> ReservedField? in
            guard bytes.count <= 10 else { return nil }
            var padded: (UInt64, UInt64) = (0, 0)
            return withUnsafeMutableBytes(of: &padded) { copy in
                copy.copyMemory(from: UnsafeRawBufferPointer(bytes))
                return ReservedField(tapeKey: UnsafeBufferPointer(
                    start: copy.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count))
            }
        }
        guard let field else { return nil }
        self = field
    }
}

/// Where the reserved fields of one line are: member positions of a decoded object, or token
/// indices on the tape (a repeated key notes its last value either way).
struct ReservedFields {
    private var type = -1
    private var guest = -1
    private var browserID = -1
    private var ts = -1
    private var session = -1
    private var page = -1
    private var revenue = -1
    private var experiment = -1
    private var variant = -1

    /// Notes that `field` is the value at `position`.
    @inline(__always)
    mutating func set(_ field: ReservedField, at position: Int) {
        switch field {
        case .type: type = position
        case .guest: guest = position
        case .browserID: browserID = position
        case .ts: ts = position
        case .session: session = position
        case .page: page = position
        case .revenue: revenue = position
        case .experiment: experiment = position
        case .variant: variant = position
        }
    }

    /// Validates the fields and writes the event into `event`, or says what is wrong (`event`
    /// then left as it was). `values` reads the values at the noted positions. The fields are
    /// moved in one by one: building a new event and returning it copied every field once more.
    ///
    /// Order of checks: `type`, `guest` (or `browser_id`), `ts`, then `session`, `page`,
    /// `revenue`, `experiment`, `variant`, then what `EXPOSURE` requires. Optional fields that
    /// are `null` count as absent; a `null` `guest` falls back to `browser_id`.
    @inline(__always)
    func fill<Values: ReservedValueReader>(_ event: inout Event, fields: consuming JSONObject, line: Int,
                                           values: Values) -> EventRejection? {
        guard type >= 0 else { return .missing("type", line: line) }
        guard let rawType = values.string(type), !rawType.isEmpty else {
            return .wrongType("type", expected: "a non-empty string", found: values.value(type), line: line)
        }
        let guestID: CompactString
        switch Self.guestID(values, guest, browserID, line) {
        case .success(let id): guestID = id
        case .failure(let rejection): return rejection
        }
        let timestamp: Int64
        switch Self.timestamp(values, ts, line) {
        case .success(let ms): timestamp = ms
        case .failure(let rejection): return rejection
        }
        let session: String?
        switch Self.optionalString(values, self.session, "session", line) {
        case .success(let value): session = value
        case .failure(let rejection): return rejection
        }
        let page: String?
        switch Self.optionalString(values, self.page, "page", line) {
        case .success(let value): page = value
        case .failure(let rejection): return rejection
        }
        var revenue: Double? = nil
        if self.revenue >= 0 {
            switch values.value(self.revenue) {
            case .null: break
            case .int(let i): revenue = Double(i)
            case .number(let d) where d.isFinite: revenue = d
            case let other:
                return .wrongType("revenue", expected: "a finite number", found: other, line: line)
            }
        }
        let experiment: String?
        switch Self.optionalString(values, self.experiment, "experiment", line) {
        case .success(let value): experiment = value
        case .failure(let rejection): return rejection
        }
        let variant: String?
        switch Self.optionalString(values, self.variant, "variant", line) {
        case .success(let value): variant = value
        case .failure(let rejection): return rejection
        }
        let upperType = Self.upperCased(rawType)
        if upperType.hasSameBytes(as: "EXPOSURE") {
            if experiment == nil { return .exposureMissing("experiment", line: line) }
            if variant == nil { return .exposureMissing("variant", line: line) }
        }
        event.type = upperType
        event.guestID = guestID
        event.timestamp = timestamp
        event.session = session
        event.page = page
        event.revenue = revenue
        event.experiment = experiment
        event.variant = variant
        event.fields = fields
        event.line = line
        return nil
    }

    private static func guestID<Values: ReservedValueReader>(_ values: Values, _ guest: Int, _ browserID: Int,
                                                            _ line: Int) -> Result<CompactString, EventRejection> {
        let name: String
        let position: Int
        if guest >= 0 && !values.isNull(guest) {
            (name, position) = ("guest", guest)
        } else if browserID >= 0 && !values.isNull(browserID) {
            (name, position) = ("browser_id", browserID)
        } else if guest >= 0 {
            (name, position) = ("guest", guest)
        } else {
            return .failure(.missing("guest", line: line))
        }
        guard let id = values.compactString(position), !id.isEmpty else {
            return .failure(.wrongType(name, expected: "a non-empty string", found: values.value(position), line: line))
        }
        return .success(id)
    }

    private static func timestamp<Values: ReservedValueReader>(_ values: Values, _ position: Int, _ line: Int)
        -> Result<Int64, EventRejection>
    {
        guard position >= 0 else { return .failure(.missing("ts", line: line)) }
        if let ms = values.integer(position) {
            if ms >= EventRejection.smallestNumericTimestamp { return .success(ms) }
            return .failure(.implausibleTimestamp(ms, text: String(ms), line: line))
        }
        let ts = values.value(position)
        switch ts {
        case .number(let ms):
            let floored = ms.rounded(.down)
            // Int64 holds [-2^63, 2^63): both bounds are exact doubles.
            guard floored.isFinite, floored >= -9_223_372_036_854_775_808.0,
                floored < 9_223_372_036_854_775_808.0
            else { return .failure(.timestampOutOfRange(ts, line: line)) }
            let milliseconds = Int64(floored)
            guard milliseconds >= EventRejection.smallestNumericTimestamp else {
                return .failure(.implausibleTimestamp(milliseconds, text: "\(ms)", line: line))
            }
            return .success(milliseconds)
        case .string(var text):
            switch text.withUTF8({ RFC3339.milliseconds($0) }) {
            case .success(let ms) where ms < 0: return .failure(.dateTimeBeforeEpoch(text, line: line))
            case .success(let ms): return .success(ms)
            case .failure(let problem):
                return .failure(.badDateTime(text, problem: problem.rawValue, line: line))
            }
        default:
            return .failure(
                .wrongType(
                    "ts", expected: "a number or an RFC 3339 date-time string", found: ts,
                    line: line))
        }
    }

    @inline(__always)
    private static func optionalString<Values: ReservedValueReader>(
        _ values: Values, _ position: Int, _ name: String, _ line: Int
    ) -> Result<String?, EventRejection> {
        guard position >= 0 else { return .success(nil) }
        if let text = values.string(position) { return .success(text) }
        if values.isNull(position) { return .success(nil) }
        return .failure(.wrongType(name, expected: "a string", found: values.value(position), line: line))
    }

    /// Upper-cases an event type as Lua's `string.upper` does: ASCII letters only, every other
    /// byte kept (`"vué"` becomes `"VUé"`), so `e.type`, `on` matchers and `regex` agree.
    /// Types already in upper case are returned as they are.
    static func upperCased(_ text: String) -> String { text.asciiUppercased }
}

/// Reads the values at the positions ``ReservedFields`` noted.
protocol ReservedValueReader {
    /// The value at `position`.
    func value(_ position: Int) -> JSONValue
    /// True when the value at `position` is `null`.
    func isNull(_ position: Int) -> Bool
    /// The text at `position` when it is a string, else nil (without making a ``JSONValue``).
    func string(_ position: Int) -> String?
    /// The number at `position` when it is an integer that fits `Int64`, else nil.
    func integer(_ position: Int) -> Int64?
    /// The text at `position` when it is a string, else nil.
    func compactString(_ position: Int) -> CompactString?
}

/// Reads reserved values from the members of a decoded object (positions are member positions).
struct DecodedReservedValues: ReservedValueReader {
    let fields: JSONObject

    func value(_ position: Int) -> JSONValue { fields.value(at: position) }
    func isNull(_ position: Int) -> Bool { fields.value(at: position).isNull }
    func string(_ position: Int) -> String? { fields.value(at: position).stringValue }
    func integer(_ position: Int) -> Int64? {
        if case .int(let number) = fields.value(at: position) { return number }
        return nil
    }
    func compactString(_ position: Int) -> CompactString? { string(position).map(CompactString.init) }
}

/// Reads reserved values from the scanner's tape (positions are token indices): a string
/// without escapes becomes a ``CompactString`` straight from its bytes.
struct TapeReservedValues: ReservedValueReader {
    let reader: TapeReader

    @inline(__always)
    func value(_ position: Int) -> JSONValue {
        var index = position
        return reader.value(at: &index)
    }

    @inline(__always)
    func isNull(_ position: Int) -> Bool { reader.tokens[position].kind == TapeReader.kindNull }

    @inline(__always)
    func string(_ position: Int) -> String? {
        let token = reader.tokens[position]
        return token.kind == TapeReader.kindString ? reader.string(token) : nil
    }

    @inline(__always)
    func integer(_ position: Int) -> Int64? {
        let token = reader.tokens[position]
        return token.kind == TapeReader.kindNumber && token.flags & TapeReader.flagHasI64 != 0 ? token.value.i : nil
    }

    @inline(__always)
    func compactString(_ position: Int) -> CompactString? {
        let token = reader.tokens[position]
        guard token.kind == TapeReader.kindString else { return nil }
        if token.flags & TapeReader.flagEscaped != 0 { return CompactString(reader.string(token)) }
        return CompactString(validUTF8: reader.rawBytes(token))
    }
}
