/// RFC 3339 date-times (`2026-11-20T10:00:00.250Z`, `2026-11-20T11:00:00+01:00`) to
/// milliseconds since the Unix epoch, without Foundation.
///
/// Accepted: `YYYY-MM-DD`, `T` or `t`, `hh:mm:ss`, an optional `.` fraction of any length
/// (digits after the third are truncated: the result is the floor of the exact time), then `Z`,
/// `z` or `±hh:mm` (`-00:00` is UTC). Days are checked against the month (leap years
/// included); second 60 (a leap second) is accepted and counts as the first second of the next
/// minute. Not accepted: a space for `T`, missing seconds, missing offset, years outside
/// 0000–9999, offsets of 24 hours or more.
enum RFC3339 {
    /// What is wrong with a date-time text, for messages.
    enum Problem: String, Error, Sendable {
        case date = "expected YYYY-MM-DD"
        case separator = "expected 'T' between date and time"
        case time = "expected hh:mm:ss"
        case month = "month out of range"
        case day = "day out of range"
        case hour = "hour out of range"
        case minute = "minute out of range"
        case second = "second out of range"
        case fraction = "expected digits after '.'"
        case offset = "expected 'Z' or an offset like +01:00"
        case offsetRange = "offset out of range"
        case trailing = "unexpected text after the offset"
    }

    /// The time in milliseconds since 1970-01-01T00:00:00Z, or what is wrong.
    static func milliseconds(_ text: UnsafeBufferPointer<UInt8>) -> Result<Int64, Problem> {
        let n = text.count
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= n else { return nil }
            var value = 0
            for i in at..<(at + count) {
                let d = Int(text[i]) &- 0x30
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        func byte(_ at: Int) -> UInt8 { at < n ? text[at] : 0 }

        guard let year = digits(0, 4), byte(4) == 0x2D, let month = digits(5, 2), byte(7) == 0x2D,
            let day = digits(8, 2)
        else { return .failure(.date) }
        guard byte(10) == 0x54 || byte(10) == 0x74 else { return .failure(.separator) }
        guard let hour = digits(11, 2), byte(13) == 0x3A, let minute = digits(14, 2),
            byte(16) == 0x3A, let second = digits(17, 2)
        else { return .failure(.time) }
        guard (1...12).contains(month) else { return .failure(.month) }
        guard day >= 1 && day <= daysIn(month: month, year: year) else { return .failure(.day) }
        guard hour <= 23 else { return .failure(.hour) }
        guard minute <= 59 else { return .failure(.minute) }
        guard second <= 60 else { return .failure(.second) }

        var i = 19
        var millis = 0
        if byte(i) == 0x2E {
            i += 1
            let first = i
            var scale = 100
            while i < n, text[i] >= 0x30, text[i] <= 0x39 {
                millis += Int(text[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > first else { return .failure(.fraction) }
        }

        var offsetSeconds = 0
        switch byte(i) {
        case 0x5A, 0x7A:  // Z z
            i += 1
        case 0x2B, 0x2D:  // + -
            guard let oh = digits(i + 1, 2), byte(i + 3) == 0x3A, let om = digits(i + 4, 2) else {
                return .failure(.offset)
            }
            guard oh <= 23, om <= 59 else { return .failure(.offsetRange) }
            offsetSeconds = (oh * 3600 + om * 60) * (byte(i) == 0x2D ? -1 : 1)
            i += 6
        default:
            return .failure(.offset)
        }
        guard i == n else { return .failure(.trailing) }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return .success(Int64(seconds) * 1000 + Int64(millis))
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
