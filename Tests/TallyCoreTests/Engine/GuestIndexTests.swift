import Testing
@testable import TallyCore

@Suite struct GuestIndexTests {
    /// Ids of every length around the inline limit (32 bytes), including ones that share a
    /// prefix, survive growth and are found again; unknown ids are not.
    @Test func findsEveryInsertedGuestAcrossGrowth() {
        var guests = ContiguousArray<GuestState>()
        var index = GuestIndex(minimumCapacity: 4)
        var ids: [String] = []
        for number in 0..<5_000 {
            let length = 1 + number % 40
            let stem = String(number, radix: 36)
            let id = String((stem + String(repeating: "x", count: 40)).prefix(max(length, stem.count)))
            if ids.contains(id) { continue }
            ids.append(id)
            #expect(index.insert(id, number: guests.count, guests: guests) == nil)
            guests.append(GuestState(id: id, goals: 0, outcomes: 0))
        }
        #expect(index.count == ids.count)
        for (number, id) in ids.enumerated() {
            #expect(index.find(id, guests: guests) == number)
            #expect(index.insert(id, number: guests.count, guests: guests) == number)
        }
        #expect(index.find("not-a-guest", guests: guests) == nil)
        #expect(index.find(String(repeating: "x", count: 33), guests: guests) == nil)
        // Rebuilt from the guests (a restored snapshot): same numbers.
        let rebuilt = GuestIndex(guests)
        #expect(ids.indices.allSatisfy { rebuilt.find(ids[$0], guests: guests) == $0 })
    }

    @Test func nonASCIIAndEmptyIdsAreDistinct() {
        var guests = ContiguousArray<GuestState>()
        var index = GuestIndex()
        for id in ["é", "e\u{301}", "", "\0", "ü-long-id-with-more-than-thirty-two-bytes-🙂"] {
            #expect(index.insert(id, number: guests.count, guests: guests) == nil)
            guests.append(GuestState(id: id, goals: 0, outcomes: 0))
        }
        #expect(index.find("e\u{301}", guests: guests) == 1)
        #expect(index.find("ü-long-id-with-more-than-thirty-two-bytes-🙂", guests: guests) == 4)
    }
}
