import Testing
@testable import TallyCore

@Suite struct StringIndexTests {
    /// Keys of every length around the inline limit (32 bytes), including ones that share a
    /// prefix, survive growth and are found again; unknown keys are not.
    @Test func findsEveryInsertedKeyAcrossGrowth() {
        var index = StringIndex(minimumCapacity: 4)
        var keys: [String] = []
        for number in 0..<5_000 {
            let length = 1 + number % 40
            let stem = String(number, radix: 36)
            let key = String((stem + String(repeating: "x", count: 40)).prefix(max(length, stem.count)))
            if keys.contains(key) { continue }
            #expect(index.findOrInsert(key, value: keys.count) == nil)
            keys.append(key)
        }
        #expect(index.count == keys.count)
        for (number, key) in keys.enumerated() {
            #expect(index.find(key) == number)
            #expect(index.findOrInsert(key, value: 99_999) == number)
        }
        #expect(index.count == keys.count)
        #expect(index.find("not-a-key") == nil)
        #expect(index.find(String(repeating: "x", count: 33)) == nil)
        #expect(index.find(String(repeating: "x", count: 32)) == nil)
    }

    /// Keys are told apart by their bytes: canonically equivalent strings are different keys.
    @Test func nonASCIIAndEmptyKeysAreDistinct() {
        var index = StringIndex()
        let keys = ["é", "e\u{301}", "", "\0", "ü-long-id-with-more-than-thirty-two-bytes-🙂",
                    "u\u{308}-long-id-with-more-than-thirty-two-bytes-🙂"]
        for (number, key) in keys.enumerated() { #expect(index.findOrInsert(key, value: number) == nil) }
        for (number, key) in keys.enumerated() { #expect(index.find(key) == number) }
    }

    /// Guest ids are looked up from their bytes (and their slots prefetched) without being
    /// inserted: found when present, of any length, nil when absent.
    @Test func compactKeysAreFoundWithoutInserting() {
        var index = StringIndex(minimumCapacity: 4)
        let keys = ["a", "1b7375090c4fa47d", String(repeating: "g", count: 32), String(repeating: "h", count: 33)]
        for (number, key) in keys.enumerated() {
            #expect(index.findOrInsert(CompactString(key), value: number) == nil)
        }
        for (number, key) in keys.enumerated() {
            index.prefetchSlot(of: CompactString(key))  // a hint: changes nothing
            #expect(index.find(CompactString(key)) == number)
        }
        #expect(index.find(CompactString("absent")) == nil)
        #expect(index.find(CompactString(String(repeating: "h", count: 34))) == nil)
        #expect(index.count == keys.count)
    }
}

