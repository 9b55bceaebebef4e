import TallyCore

/// The lines `:guest ID` prints for a ``GuestProfile``:
///
/// ```
/// guest g1
///   points       35
///   sessions     2
///   session      g1#2 (open): 15 points, 3 views, 4 events, last event 2026-11-20T10:00:00.000Z
///   goals        request_pricing ×1, read_docs ×2
///   outcomes     mql
///   data         demo_percent = 80, plan = "pro"
///   experiments  checkout: one_page
/// ```
enum ProfileText {
    typealias F = TableFormatting

    static func lines(_ profile: GuestProfile) -> [String] {
        let session = profile.session
        var table = TextTable([.left, .left])
        table.add(["points", F.plain(profile.points, maxDecimals: 6)])
        table.add(["sessions", String(profile.sessions)])
        table.add(["session", "\(session.id) (\(session.isOpen ? "open" : "closed")): "
            + "\(F.plain(session.points, maxDecimals: 6)) points, \(count(session.views, "view")), "
            + "\(count(session.events, "event")), last event \(UTCTime.text(milliseconds: session.lastTimestamp))"])
        table.add(["goals", list(profile.goals.map { "\($0.id) ×\($0.times)" })])
        table.add(["outcomes", list(profile.outcomes)])
        table.add(["data", list(profile.data.map { "\($0.key) = \(text($0.value))" })])
        table.add(["experiments", list(profile.experiments.map { "\($0.experiment): \($0.variant)" })])
        return ["guest \(profile.id)"] + table.lines(indent: "  ")
    }

    static func list(_ items: [String]) -> String {
        items.isEmpty ? F.dash : items.joined(separator: ", ")
    }

    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// A `guest.data` value as Lua would write it: `"pro"`, `80`, `0.5`, `true`.
    static func text(_ value: GuestDataValue) -> String {
        switch value {
        case .string(let text): "\"\(ReplText.oneLine(text))\""
        case .integer(let number): String(number)
        case .number(let number): number.description
        case .boolean(let flag): flag ? "true" : "false"
        }
    }
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC text with milliseconds.
enum UTCTime {
    /// `2026-11-20T10:00:00.250Z` (civil-from-days, proleptic Gregorian calendar).
    static func text(milliseconds: Int64) -> String {
        let (days, inDay) = floorDivision(milliseconds, 86_400_000)
        var z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        z -= era * 146_097
        let yearOfEra = (z - z / 1460 + z / 36524 - z / 146_096) / 365
        let dayOfYear = z - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let hour = inDay / 3_600_000, minute = inDay / 60_000 % 60, second = inDay / 1000 % 60
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):"
            + "\(pad(second, 2)).\(pad(inDay % 1000, 3))Z"
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let remainder = a % b
        return remainder < 0 ? (a / b - 1, remainder + b) : (a / b, remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
