/// The fields SPEC §1 gives a meaning to.
enum ReservedField {
    case type, guest, browserID, ts, session, page, revenue, experiment, variant

    /// The field named by these (unescaped) key bytes, if reserved.
    @inline(__always)
    init?(_ key: UnsafeBufferPointer<UInt8>) {
        switch key.count {
        case 2 where Self.equal(key, "ts"): self = .ts
        case 4 where Self.equal(key, "type"): self = .type
        case 4 where Self.equal(key, "page"): self = .page
        case 5 where Self.equal(key, "guest"): self = .guest
        case 7 where Self.equal(key, "session"): self = .session
        case 7 where Self.equal(key, "revenue"): self = .revenue
        case 7 where Self.equal(key, "variant"): self = .variant
        case 10 where Self.equal(key, "browser_id"): self = .browserID
        case 10 where Self.equal(key, "experiment"): self = .experiment
        default: return nil
        }
    }

    /// The field named by a decoded key, if reserved.
    init?(_ key: String) {
        var key = key
        guard let field = key.withUTF8({ ReservedField($0) }) else { return nil }
        self = field
    }

    @inline(__always)
    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        let expected = name.utf8Start
        for i in 0..<bytes.count where bytes[i] != expected[i] { return false }
        return true
    }
}

/// The values of the reserved fields of one line (a repeated key: the last value).
struct ReservedFields {
    var type: JSONValue?
    var guest: JSONValue?
    var browserID: JSONValue?
    var ts: JSONValue?
    var session: JSONValue?
    var page: JSONValue?
    var revenue: JSONValue?
    var experiment: JSONValue?
    var variant: JSONValue?

    @inline(__always)
    mutating func set(_ field: ReservedField, _ value: JSONValue) {
        switch field {
        case .type: type = value
        case .guest: guest = value
        case .browserID: browserID = value
        case .ts: ts = value
        case .session: session = value
        case .page: page = value
        case .revenue: revenue = value
        case .experiment: experiment = value
        case .variant: variant = value
        }
    }

    /// Validates the fields and builds the event, or says what is wrong.
    ///
    /// Order of checks: `type`, `guest` (or `browser_id`), `ts`, then `session`, `page`,
    /// `revenue`, `experiment`, `variant`, then what `EXPOSURE` requires. Optional fields that
    /// are `null` count as absent; a `null` `guest` falls back to `browser_id`.
    func event(fields: JSONObject, line: Int) -> Result<Event, EventRejection> {
        guard let type else { return .failure(.missing("type", line: line)) }
        guard case .string(let rawType) = type, !rawType.isEmpty else {
            return .failure(.wrongType("type", expected: "a non-empty string", found: type, line: line))
        }
        let guestID: String
        switch self.guestID(line: line) {
        case .success(let id): guestID = id
        case .failure(let rejection): return .failure(rejection)
        }
        let timestamp: Int64
        switch self.timestamp(line: line) {
        case .success(let ms): timestamp = ms
        case .failure(let rejection): return .failure(rejection)
        }

        var event = Event(
            type: Self.upperCased(rawType), guest: guestID, timestamp: timestamp,
            fields: fields, line: line)
        switch optionalString(session, "session", line) {
        case .success(let value): event.session = value
        case .failure(let rejection): return .failure(rejection)
        }
        switch optionalString(page, "page", line) {
        case .success(let value): event.page = value
        case .failure(let rejection): return .failure(rejection)
        }
        switch revenue {
        case nil, .null?: break
        case .int(let i)?: event.revenue = Double(i)
        case .number(let d)? where d.isFinite: event.revenue = d
        case let other?:
            return .failure(.wrongType("revenue", expected: "a finite number", found: other, line: line))
        }
        switch optionalString(experiment, "experiment", line) {
        case .success(let value): event.experiment = value
        case .failure(let rejection): return .failure(rejection)
        }
        switch optionalString(variant, "variant", line) {
        case .success(let value): event.variant = value
        case .failure(let rejection): return .failure(rejection)
        }
        if event.type == "EXPOSURE" {
            if event.experiment == nil { return .failure(.exposureMissing("experiment", line: line)) }
            if event.variant == nil { return .failure(.exposureMissing("variant", line: line)) }
        }
        return .success(event)
    }

    private func guestID(line: Int) -> Result<String, EventRejection> {
        let (name, value): (String, JSONValue)
        switch (guest, browserID) {
        case (let g?, _) where !g.isNull: (name, value) = ("guest", g)
        case (_, let b?) where !b.isNull: (name, value) = ("browser_id", b)
        case (let g?, _): (name, value) = ("guest", g)
        default: return .failure(.missing("guest", line: line))
        }
        guard case .string(let id) = value, !id.isEmpty else {
            return .failure(.wrongType(name, expected: "a non-empty string", found: value, line: line))
        }
        return .success(id)
    }

    private func timestamp(line: Int) -> Result<Int64, EventRejection> {
        guard let ts else { return .failure(.missing("ts", line: line)) }
        switch ts {
        case .int(let ms):
            return .success(ms)
        case .number(let ms):
            let floored = ms.rounded(.down)
            // Int64 holds [-2^63, 2^63): both bounds are exact doubles.
            guard floored.isFinite, floored >= -9_223_372_036_854_775_808.0,
                floored < 9_223_372_036_854_775_808.0
            else { return .failure(.timestampOutOfRange(ts, line: line)) }
            return .success(Int64(floored))
        case .string(var text):
            let parsed = text.withUTF8 { RFC3339.milliseconds($0) }
            switch parsed {
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

    private func optionalString(_ value: JSONValue?, _ name: String, _ line: Int)
        -> Result<String?, EventRejection>
    {
        switch value {
        case nil, .null?: return .success(nil)
        case .string(let s)?: return .success(s)
        case let other?: return .failure(.wrongType(name, expected: "a string", found: other, line: line))
        }
    }

    /// Upper-cases an event type; ASCII types already in upper case are returned as they are.
    static func upperCased(_ text: String) -> String {
        var hasLower = false
        for byte in text.utf8 {
            if byte >= 0x80 { return text.uppercased() }
            if byte >= 0x61 && byte <= 0x7A { hasLower = true }
        }
        return hasLower ? text.uppercased() : text
    }
}
