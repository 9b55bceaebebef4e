/// One validated input event (SPEC §1), made by ``EventParser``.
///
/// The typed properties hold the reserved fields after validation; ``fields`` keeps every
/// field of the line exactly as read (reserved ones included, `type` as written, not
/// upper-cased), for rules to read.
public struct Event: Sendable, Equatable {
    /// The event type, upper-cased (`VIEW`, `CONFIRM`, `EXPOSURE`, …). Never empty.
    public var type: String
    /// The guest: the `guest` field, or `browser_id` when `guest` is absent or null.
    /// Never empty.
    public var guest: String {
        get { guestID.string }
        set { guestID = CompactString(newValue) }
    }
    /// ``guest`` as the engine reads it: short ids without a `String`.
    var guestID: CompactString
    /// Event time in milliseconds since the Unix epoch. From a number: fractional
    /// milliseconds are rounded down (floor, so `-1.5` is `-2`). From an RFC 3339 string:
    /// digits finer than a millisecond are dropped.
    public var timestamp: Int64
    /// The explicit session id, when given.
    public var session: String?
    /// The page name or path, when given.
    public var page: String?
    /// The order revenue, when given (always finite).
    public var revenue: Double?
    /// The experiment id (always present on `EXPOSURE` events).
    public var experiment: String?
    /// The variant id (always present on `EXPOSURE` events).
    public var variant: String?
    /// Every field of the line, in order, nested objects and arrays kept.
    public var fields: JSONObject
    /// The 1-based line number in its input.
    public var line: Int

    /// An event with these values; `type` is used as given (callers upper-case it).
    public init(
        type: String, guest: String, timestamp: Int64, session: String? = nil,
        page: String? = nil, revenue: Double? = nil, experiment: String? = nil,
        variant: String? = nil, fields: JSONObject = JSONObject(), line: Int = 0
    ) {
        self.init(type: type, guestID: CompactString(guest), timestamp: timestamp, session: session, page: page,
                  revenue: revenue, experiment: experiment, variant: variant, fields: fields, line: line)
    }

    /// An event whose guest id is already compact (the parser's).
    init(
        type: String, guestID: CompactString, timestamp: Int64, session: String?, page: String?,
        revenue: Double?, experiment: String?, variant: String?, fields: JSONObject, line: Int
    ) {
        self.type = type
        self.guestID = guestID
        self.timestamp = timestamp
        self.session = session
        self.page = page
        self.revenue = revenue
        self.experiment = experiment
        self.variant = variant
        self.fields = fields
        self.line = line
    }
}

extension Event {
    /// An event with no content, for ``EventParser/parse(_:into:)`` to write lines into.
    public static let placeholder = Event(
        type: "", guestID: CompactString(""), timestamp: 0, session: nil, page: nil, revenue: nil, experiment: nil,
        variant: nil, fields: JSONObject(), line: 0)

    /// True for an `EXPOSURE` event (the byte count is checked first: most events are
    /// told apart without a string comparison).
    @inline(__always)
    var isExposure: Bool { type.hasSameBytes(as: "EXPOSURE") }

    /// True for a `VIEW` event.
    @inline(__always)
    var isView: Bool { type.hasSameBytes(as: "VIEW") }
}
