/// Interns strings of up to 32 bytes by their bytes, so text that repeats from line to line
/// is validated and built once and then shared: object keys, and values of 16 to 32 bytes
/// (pages, URLs, ids), whose storage would otherwise be allocated for every line. (Values of
/// up to 15 bytes are stored inline in `String` and are cheaper to build than to look up.)
///
/// Direct-mapped: each string hashes to one slot, which holds the most recent string seen
/// there. Owned by one parser; never shared between threads.
struct StringCache {
    /// One slot: the string's bytes as four zero-padded words, its length, and the string.
    struct Entry {
        var words: (UInt64, UInt64, UInt64, UInt64)
        var length: Int
        var string: String
    }

    /// The bytes of a short string and the hash used for the slot and for duplicate keys.
    struct Key {
        var words: (UInt64, UInt64, UInt64, UInt64)
        var length: Int
        var hash: UInt64

        /// Nil when the text is longer than 32 bytes.
        @inline(__always)
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            let n = bytes.count
            guard n <= 32 else { return nil }
            var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            if n > 0, let base = bytes.baseAddress {
                let p = UnsafeRawPointer(base)
                w.0 = Self.word(p, n)
                if n > 8 { w.1 = Self.word(p + 8, n - 8) }
                if n > 16 { w.2 = Self.word(p + 16, n - 16) }
                if n > 24 { w.3 = Self.word(p + 24, n - 24) }
            }
            words = w
            length = n
            hash = Self.hash(w, length: n)
        }

        /// The hash of a string of `length` bytes held in `w`: four independent multiplies
        /// (they run in parallel), then one mixing round.
        @inline(__always)
        static func hash(_ w: (UInt64, UInt64, UInt64, UInt64), length: Int) -> UInt64 {
            var h = ((w.0 &+ UInt64(truncatingIfNeeded: length)) &* 0x9E37_79B9_7F4A_7C15)
                ^ (w.1 &* 0xBF58_476D_1CE4_E5B9) ^ (w.2 &* 0x94D0_49BB_1331_11EB)
                ^ (w.3 &* 0xD6E8_FEB8_6659_FD93)
            h = (h ^ (h >> 32)) &* 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 29)
        }

        /// The first min(`count`, 8) bytes at `p` as a little-endian word, zero-padded,
        /// reading no byte at or after `p + count`.
        @inline(__always)
        private static func word(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
            if count >= 8 { return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }
            var w: UInt64 = 0
            var shift: UInt64 = 0
            var q = p
            if count & 4 != 0 {
                w = UInt64(UInt32(littleEndian: q.loadUnaligned(as: UInt32.self)))
                q += 4
                shift = 32
            }
            if count & 2 != 0 {
                w |= UInt64(UInt16(littleEndian: q.loadUnaligned(as: UInt16.self))) << shift
                q += 2
                shift += 16
            }
            if count & 1 != 0 { w |= UInt64(q.load(as: UInt8.self)) << shift }
            return w
        }
    }

    static let slotCount = 1024

    private let entries: UnsafeMutablePointer<Entry>

    /// A cache over `entries`, which must hold `slotCount` initialized entries.
    init(entries: UnsafeMutablePointer<Entry>) {
        self.entries = entries
    }

    /// Allocates and initializes the slots of a cache (all empty).
    static func allocateEntries() -> UnsafeMutablePointer<Entry> {
        let entries = UnsafeMutablePointer<Entry>.allocate(capacity: slotCount)
        entries.initialize(repeating: Entry(words: (0, 0, 0, 0), length: -1, string: ""), count: slotCount)
        return entries
    }

    /// Releases slots made by ``allocateEntries()``.
    static func deallocateEntries(_ entries: UnsafeMutablePointer<Entry>) {
        entries.deinitialize(count: slotCount)
        entries.deallocate()
    }

    /// The string with these (valid UTF-8, unescaped) bytes, from the cache when it is there.
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>, key: Key) -> String {
        let slot = entries + Int(truncatingIfNeeded: key.hash & UInt64(Self.slotCount - 1))
        if slot.pointee.length == key.length && slot.pointee.words == key.words {
            return slot.pointee.string
        }
        let string = String(decoding: bytes, as: UTF8.self)
        slot.pointee = Entry(words: key.words, length: key.length, string: string)
        return string
    }
}
