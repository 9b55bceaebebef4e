/// Guest id → guest number: an open-addressing hash table whose slots hold ids of up to 32
/// bytes inline, so finding a guest reads one slot and never the id's own storage (with 100 k
/// guests, that storage is rarely in cache). Longer ids are compared through `guests`.
struct GuestIndex {
    private struct Slot {
        /// The id's bytes as four zero-padded words (ids of up to 32 bytes).
        var words: (UInt64, UInt64, UInt64, UInt64)
        /// The id's byte count, or -1 for an id too long to hold inline.
        var length: Int32
        /// The guest number, or -1 for an empty slot.
        var guest: Int32

        static let empty = Slot(words: (0, 0, 0, 0), length: 0, guest: -1)
    }

    private var slots: ContiguousArray<Slot>
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 1024) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity *= 2 }
        slots = ContiguousArray(repeating: .empty, count: capacity)
        mask = capacity - 1
    }

    /// The index of every guest in `guests`, numbered by position.
    init(_ guests: ContiguousArray<GuestState>) {
        self.init(minimumCapacity: guests.count)
        for (number, guest) in guests.enumerated() { _ = insert(guest.id, number: number, guests: guests) }
    }

    /// The guest number of `id`, if known.
    func find(_ id: String, guests: ContiguousArray<GuestState>) -> Int? {
        let probe = Probe(id)
        var position = probe.start & mask
        while true {
            let slot = slots[position]
            if slot.guest < 0 { return nil }
            if probe.matches(slot, id: id, guests: guests) { return Int(slot.guest) }
            position = (position + 1) & mask
        }
    }

    /// The guest number of `id`; when unknown, `number` is recorded for it and nil returned.
    mutating func insert(_ id: String, number: Int, guests: ContiguousArray<GuestState>) -> Int? {
        if (count + 1) * 2 > slots.count { grow(guests: guests) }
        let probe = Probe(id)
        var position = probe.start & mask
        while true {
            let slot = slots[position]
            if slot.guest < 0 { break }
            if probe.matches(slot, id: id, guests: guests) { return Int(slot.guest) }
            position = (position + 1) & mask
        }
        slots[position] = Slot(words: probe.words, length: probe.length, guest: Int32(number))
        count += 1
        return nil
    }

    private mutating func grow(guests: ContiguousArray<GuestState>) {
        let old = slots
        slots = ContiguousArray(repeating: .empty, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.guest >= 0 {
            let start = slot.length >= 0
                ? Int(truncatingIfNeeded: StringCache.Key.hash(slot.words, length: Int(slot.length)))
                : Probe(guests[Int(slot.guest)].id).start
            var position = start & mask
            while slots[position].guest >= 0 { position = (position + 1) & mask }
            slots[position] = slot
        }
    }

    /// An id's hash and inline form.
    private struct Probe {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var length: Int32 = -1
        var start: Int

        @inline(__always)
        init(_ id: String) {
            let key = id.utf8.withContiguousStorageIfAvailable { StringCache.Key($0) }
                ?? Array(id.utf8).withUnsafeBufferPointer { StringCache.Key($0) }
            if let key {
                words = key.words
                length = Int32(key.length)
                start = Int(truncatingIfNeeded: key.hash)
            } else {
                var hasher = Hasher()
                hasher.combine(id)
                start = hasher.finalize()
            }
        }

        @inline(__always)
        func matches(_ slot: Slot, id: String, guests: ContiguousArray<GuestState>) -> Bool {
            guard slot.length == length else { return false }
            if length >= 0 { return slot.words == words }
            return guests[Int(slot.guest)].id == id
        }
    }
}
