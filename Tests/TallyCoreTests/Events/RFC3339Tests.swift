import Testing

@testable import TallyCore

/// The date-time parser on its own: calendar arithmetic against known instants.
@Suite struct RFC3339Tests {
    private func ms(_ text: String) -> Result<Int64, RFC3339.Problem> {
        var text = text
        return text.withUTF8 { RFC3339.milliseconds($0) }
    }

    @Test func daysSinceEpoch() {
        #expect(RFC3339.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(RFC3339.daysSinceEpoch(year: 1969, month: 12, day: 31) == -1)
        #expect(RFC3339.daysSinceEpoch(year: 2000, month: 3, day: 1) == 11_017)
        #expect(RFC3339.daysSinceEpoch(year: 2026, month: 11, day: 20) == 20_777)
        #expect(RFC3339.daysSinceEpoch(year: 0, month: 1, day: 1) == -719_528)
    }

    @Test func everyDayOfFourHundredYearsIsConsecutive() {
        var expected = RFC3339.daysSinceEpoch(year: 1900, month: 1, day: 1)
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for year in 1900..<2300 {
            for month in 1...12 {
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                let days = month == 2 && leap ? 29 : lengths[month - 1]
                for day in 1...days {
                    #expect(RFC3339.daysSinceEpoch(year: year, month: month, day: day) == expected)
                    expected += 1
                }
            }
        }
    }

    @Test func instants() {
        #expect(ms("2026-11-20T10:00:00.250Z") == .success(1_795_168_800_250))
        #expect(ms("2026-11-20T11:00:00+01:00") == .success(1_795_168_800_000))
        #expect(ms("2026-11-20T23:30:00+23:59") == .success(1_795_168_800_000 - 37_740_000))  // 2026-11-19T23:31:00Z
        #expect(ms("1969-12-31T23:59:59.9999Z") == .success(-1))
        #expect(ms("2026-11-20T10:00:00.0001Z") == .success(1_795_168_800_000))
    }

    @Test func problems() {
        #expect(ms("2026-11-2T10:00:00Z") == .failure(.date))
        #expect(ms("2026/11/20T10:00:00Z") == .failure(.date))
        #expect(ms("2026-11-20T1:00:00Z") == .failure(.time))
        #expect(ms("2026-11-20T10:00:00.5") == .failure(.offset))
        #expect(ms("2026-11-20T10:00:00+01") == .failure(.offset))
        #expect(ms("2026-11-20T10:00:00+01:00:00") == .failure(.trailing))
        #expect(ms("1900-02-29T00:00:00Z") == .failure(.day))
        #expect(ms("2000-02-30T00:00:00Z") == .failure(.day))
        #expect(ms("2026-04-31T00:00:00Z") == .failure(.day))
    }
}
