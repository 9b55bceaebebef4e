/// Strings → small numbers (guest ids → guest numbers, pages and event types → dispatch
/// entries): an open-addressing hash table whose slots hold keys of up to 32 bytes inline, so a
/// lookup reads one slot and never the key's own storage (with 100 k guests, that storage is
/// rarely in cache), and hashes with a few multiplies instead of SipHash.
///
/// Keys are compared by their UTF-8 bytes, not by Swift's canonical equivalence (`"é"` and
/// `"e\u{301}"` are different keys), as JSON and Lua compare them. Longer keys are kept in a
/// side array and compared there.
struct StringIndex {
    private struct Slot {
        /// The key's bytes as four zero-padded words; for a long key, `words.0` is its
        /// position in `longKeys`.
        var words: (UInt64, UInt64, UInt64, UInt64)
        /// The key's byte count, or -1 for a key too long to hold inline.
        var length: Int32
        /// The value, or -1 for an empty slot.
        var value: Int32

        static let empty = Slot(words: (0, 0, 0, 0), length: 0, value: -1)
    }

    private var slots: ContiguousArray<Slot>
    private var mask: Int
    private var longKeys: [String] = []
    /// The number of keys.
    private(set) var count = 0

    /// An empty index with room for `minimumCapacity` keys before it grows.
    init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity *= 2 }
        slots = ContiguousArray(repeating: .empty, count: capacity)
        mask = capacity - 1
    }

    /// The value of `key`, if present.
    func find(_ key: String) -> Int? {
        find(Probe(key)) { key }
    }

    /// The value of `key`; when absent, `value` (0 ..< 2³¹) is recorded for it and nil returned.
    mutating func findOrInsert(_ key: String, value: Int) -> Int? {
        findOrInsert(Probe(key), value: value) { key }
    }

    /// The value stored for `key`, looked up from its bytes. (Its own loop: an inline key only
    /// ever matches inline words, and this runs once per event in the look-ahead, where going
    /// through `matches` and a key closure cost a third more.)
    @inline(__always)
    func find(_ key: CompactString) -> Int? {
        guard let (words, length) = key.inlineWords else { return find(key.string) }
        let probe = Probe(words: words, length: length)
        var position = probe.start & mask
        while true {
            let slot = slots[position]
            if slot.value < 0 { return nil }
            if slot.length == probe.length && slot.words == probe.words { return Int(slot.value) }
            position = (position + 1) & mask
        }
    }

    @inline(__always)
    private func find(_ probe: Probe, key: () -> String) -> Int? {
        var position = probe.start & mask
        while true {
            let slot = slots[position]
            if slot.value < 0 { return nil }
            if matches(slot, probe, key) { return Int(slot.value) }
            position = (position + 1) & mask
        }
    }

    /// Starts loading the slot where a lookup of `key` begins (a hint; changes nothing, and
    /// `mutating` only so that the slots are reached in place, see `ContiguousArray.prefetch`).
    @inline(__always)
    mutating func prefetchSlot(of key: CompactString) {
        guard let (words, length) = key.inlineWords else { return }
        slots.prefetch(Probe(words: words, length: length).start & mask)
    }

    /// The value of `key`; when absent, `value` (0 ..< 2³¹) is recorded for it and nil
    /// returned. A key of up to 32 bytes is looked up without a `String`.
    @inline(__always)
    mutating func findOrInsert(_ key: CompactString, value: Int) -> Int? {
        if let (words, length) = key.inlineWords {
            return findOrInsert(Probe(words: words, length: length), value: value) { key.string }
        }
        let string = key.string
        return findOrInsert(Probe(string), value: value) { string }
    }

    @inline(__always)
    private mutating func findOrInsert(_ probe: Probe, value: Int, key: () -> String) -> Int? {
        if (count + 1) * 2 > slots.count { grow() }
        var position = probe.start & mask
        while true {
            let slot = slots[position]
            if slot.value < 0 { break }
            if matches(slot, probe, key) { return Int(slot.value) }
            position = (position + 1) & mask
        }
        var words = probe.words
        if probe.length < 0 {
            words.0 = UInt64(longKeys.count)
            longKeys.append(key())
        }
        slots[position] = Slot(words: words, length: probe.length, value: Int32(value))
        count += 1
        return nil
    }

    @inline(__always)
    private func matches(_ slot: Slot, _ probe: Probe, _ key: () -> String) -> Bool {
        guard slot.length == probe.length else { return false }
        if probe.length >= 0 { return slot.words == probe.words }
        let stored = longKeys[Int(slot.words.0)]
        let key = key()
        return stored.utf8.count == key.utf8.count && stored.utf8.elementsEqual(key.utf8)
    }

    private mutating func grow() {
        let old = slots
        slots = ContiguousArray(repeating: .empty, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.value >= 0 {
            let start = slot.length >= 0
                ? Int(truncatingIfNeeded: StringCache.Key.hash(slot.words, length: Int(slot.length)))
                : Probe(longKeys[Int(slot.words.0)]).start
            var position = start & mask
            while slots[position].value >= 0 { position = (position + 1) & mask }
            slots[position] = slot
        }
    }

    /// A key's hash and inline form.
    private struct Probe {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var length: Int32 = -1
        var start: Int

        /// The probe of a key of up to 32 bytes given as words.
        @inline(__always)
        init(words: (UInt64, UInt64, UInt64, UInt64), length: Int) {
            self.words = words
            self.length = Int32(length)
            start = Int(truncatingIfNeeded: StringCache.Key.hash(words, length: length))
        }

        @inline(__always)
        init(_ key: String) {
            let inline = key.utf8.withContiguousStorageIfAvailable { StringCache.Key($0) }
                ?? Array(key.utf8).withUnsafeBufferPointer { StringCache.Key($0) }
            if let inline {
                words = inline.words
                length = Int32(inline.length)
                start = Int(truncatingIfNeeded: inline.hash)
            } else {
                var hasher = Hasher()
                hasher.combine(key.utf8.count)
                for byte in key.utf8 { hasher.combine(byte) }
                start = hasher.finalize()
            }
        }
    }
}
