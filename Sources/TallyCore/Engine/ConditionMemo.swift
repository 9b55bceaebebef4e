import LuaKit

/// Remembering `when(guest)` conditions that returned false, so they are not called again while
/// nothing they read has changed.
///
/// An outcome's `when` runs after every event of a guest until the outcome is reached (SPEC §3),
/// and most of those calls see the same guest as the call before. A condition qualifies when it
/// can read nothing but the guest: it takes no event parameter and its upvalues are plain values
/// (``LuaClosureSnapshot``; no globals, tables or C functions). While it runs, the guest view
/// records what it reads (points, sessions, a goal's count, an outcome, `guest.data`). If it
/// returns false without side effects and without reading `guest.session` (which changes with
/// every event), those reads and their values are kept; the next time, the condition is called
/// only if one of them changed or its upvalues were reassigned. The outcome is reached on the
/// same event either way; only calls that could not change anything are saved.
///
/// Such a condition is a function of the values it reads, so its results are also shared
/// between guests (``SharedCondition``): a call that read points = 12 and returned false answers
/// for every other guest with 12 points, as long as it read nothing that only this guest's
/// own history tells apart: `guest.id`, or `guest.data`, whose reads are remembered by the
/// guest's own count of its data writes (two guests at the same count hold different data, so
/// such a call answers only for its own guest, and only while that guest writes no data). Each
/// distinct memo is kept once, in ``RememberedConditions``; a guest's memo is its number there.
struct ConditionMemo: Equatable {
    /// One thing a condition read, and its value then.
    struct Read: Equatable {
        enum Kind: UInt8 { case points, sessions, goal, outcome, data, identity }
        var kind: Kind
        /// The goal or outcome slot (0 otherwise).
        var slot: UInt32
        /// The value, as bits (points), a count, a flag or the data version.
        var value: UInt64
    }

    /// How many reads a remembered call may have made.
    static let capacity = 4
    /// Goal and outcome slots a remembered read may name (they fit 24 bits of `what`).
    static let slotLimit: UInt32 = 1 << 24

    /// What each read was, in order: `(kind + 1) << 24 | slot`, and 0 past `count` (32 bits
    /// each, so that the reads of a memo fit two cache lines).
    private var what: SIMD4<UInt32> = .zero
    /// The value of each read, in order, and 0 past `count`. With `what`, this makes equal
    /// memos equal lane by lane, so comparing and hashing them needs no loop.
    private var values: SIMD4<UInt64> = .zero
    private var count: UInt8 = 0
    /// False when nothing is remembered.
    private(set) var isSet = false
    /// True when the call read `guest.id` or `guest.data`: its result holds for this guest only.
    private(set) var isGuestSpecific = false

    static let empty = ConditionMemo()

    private init() {}

    /// A memo of `recorded` reads, or nil when there were too many to keep.
    init?(_ recorded: ConditionRecorder) {
        guard !recorded.overflowed else { return nil }
        isSet = true
        for (index, read) in recorded.reads.enumerated() {
            what[index] = UInt32(read.kind.rawValue + 1) << 24 | read.slot
            values[index] = read.value
            if read.kind == .identity || read.kind == .data { isGuestSpecific = true }
        }
        count = UInt8(recorded.reads.count)
    }

    /// The same reads with the values they give for guest number `guest` now.
    func current(guest: Int, in engine: Engine) -> ConditionMemo {
        var now = self
        // Unrolled: lanes read at constant positions cost a register move, not a memory trip.
        now.values[0] = Self.value(of: what[0], guest: guest, in: engine)
        if count > 1 { now.values[1] = Self.value(of: what[1], guest: guest, in: engine) }
        if count > 2 { now.values[2] = Self.value(of: what[2], guest: guest, in: engine) }
        if count > 3 { now.values[3] = Self.value(of: what[3], guest: guest, in: engine) }
        return now
    }

    /// True when something is remembered and every read would give the same value now for
    /// guest number `guest` (read in place: the guest's state is not copied).
    func holds(guest: Int, in engine: Engine) -> Bool {
        guard isSet else { return false }
        return (count < 1 || values[0] == Self.value(of: what[0], guest: guest, in: engine))
            && (count < 2 || values[1] == Self.value(of: what[1], guest: guest, in: engine))
            && (count < 3 || values[2] == Self.value(of: what[2], guest: guest, in: engine))
            && (count < 4 || values[3] == Self.value(of: what[3], guest: guest, in: engine))
    }

    static func == (lhs: ConditionMemo, rhs: ConditionMemo) -> Bool {
        lhs.isSet == rhs.isSet && lhs.count == rhs.count && lhs.what == rhs.what && lhs.values == rhs.values
    }

    /// A cheap hash of the reads and `salt` for ``RememberedConditions``: each lane multiplied
    /// by an odd constant, the lanes combined with rotations, then one SplitMix finalizer
    /// (`Hasher` costs more than the rest of a lookup).
    func mixedHash(salt: UInt64) -> UInt64 {
        let lanes = SIMD4<UInt64>(truncatingIfNeeded: what) &* 0x9E37_79B9_7F4A_7C15 ^ values &* 0xC2B2_AE3D_27D4_EB4F
        let combined = lanes[0] ^ Self.rotate(lanes[1], 17) ^ Self.rotate(lanes[2], 31) ^ Self.rotate(lanes[3], 47)
        return (combined ^ salt &* 0x1656_67B1_9E37_79F9 ^ UInt64(count)).splitMixed
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        value << bits | value >> (64 - bits)
    }

    /// What the read described by `what` gives for guest number `guest` now.
    @inline(__always)
    private static func value(of what: UInt32, guest: Int, in engine: Engine) -> UInt64 {
        let slot = Int(what & 0xFF_FFFF)
        switch Read.Kind(rawValue: UInt8(truncatingIfNeeded: (what >> 24) &- 1)) {
        case .points: return engine.guests[guest].points.bitPattern
        case .sessions: return UInt64(engine.guests[guest].sessionCount)
        case .goal:
            return slot < engine.goalProgress.width ? UInt64(engine.goalProgress[guest, slot].times) : 0
        case .outcome:
            return slot < engine.outcomesReached.width && engine.outcomesReached[guest, slot] ? 1 : 0
        case .data: return UInt64(engine.guests[guest].dataVersion)
        case .identity, nil: return 0
        }
    }
}

/// A condition's column and what it read, with the values read: the key of a
/// ``RememberedConditions`` entry.
struct SharedCondition: Equatable {
    /// The condition's column in the engine's memo.
    var column: Int
    var reads: ConditionMemo

    var mixedHash: UInt64 { reads.mixedHash(salt: UInt64(truncatingIfNeeded: column)) }
}

/// Every remembered condition call, each kept once however many guests it answers for: the
/// engine's per-guest memo holds only a number here (4 bytes where a ``ConditionMemo`` takes
/// 96), so a run with many guests touches far less memory.
///
/// An entry is a column with the values its condition read and, unless the call read
/// `guest.id` or `guest.data`, its result, which then holds for any guest that reads the same values. Entries
/// are found by key through a hash table with open addressing (linear probing) on
/// ``SharedCondition/mixedHash`` (it is looked up after most events of a guest whose points
/// changed, so it avoids `Dictionary`'s SipHash). They never move and are never removed, only
/// all at once, so their numbers stay valid.
struct RememberedConditions {
    struct Entry {
        var key: SharedCondition
        /// The call's result, for any guest; nil when it read `guest.id` or `guest.data` (it then
        /// answers only for guests whose own memo names it, always false).
        var sharedResult: Bool?
    }

    /// Entries in the order they were added; an entry's number is its index.
    private(set) var entries = ContiguousArray<Entry>()
    /// Per slot: 0 when empty (a key's hash is never 0), and the number of its entry.
    private var slots = ContiguousArray<(hash: UInt64, entry: Int32)>()
    /// Entries kept at most; past it, nothing more is remembered.
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int { entries.count }

    /// The number of the entry for `key`, if any.
    @inline(__always)
    func find(_ key: SharedCondition) -> Int? {
        guard !slots.isEmpty else { return nil }
        let (slot, found) = position(of: key, hash: Self.hash(of: key))
        return found ? Int(slots[slot].entry) : nil
    }

    /// The result remembered for `key` for any guest, if any.
    subscript(key: SharedCondition) -> Bool? {
        find(key).flatMap { entries[$0].sharedResult }
    }

    /// The number of the entry for `key` with `sharedResult` (replacing an earlier result), or
    /// nil when the table is full.
    @discardableResult
    mutating func remember(_ key: SharedCondition, sharedResult: Bool?) -> Int? {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let hash = Self.hash(of: key)
        let (slot, found) = position(of: key, hash: hash)
        if found {
            let entry = Int(slots[slot].entry)
            entries[entry].sharedResult = sharedResult
            return entry
        }
        guard entries.count < limit else { return nil }
        slots[slot] = (hash, Int32(entries.count))
        entries.append(Entry(key: key, sharedResult: sharedResult))
        return entries.count - 1
    }

    @inline(__always)
    private static func hash(of key: SharedCondition) -> UInt64 { max(1, key.mixedHash) }

    /// Where `key` is (found), or the empty slot where it would go (linear probing).
    @inline(__always)
    private func position(of key: SharedCondition, hash: UInt64) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].hash != 0 {
            if slots[slot].hash == hash && entries[Int(slots[slot].entry)].key == key { return (slot, true) }
            slot = (slot + 1) & mask
        }
        return (slot, false)
    }

    private mutating func grow() {
        guard entries.count < limit else { return }
        slots = ContiguousArray(repeating: (0, 0), count: max(64, slots.count * 2))
        let mask = slots.count - 1
        for (number, entry) in entries.enumerated() {
            let hash = Self.hash(of: entry.key)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot].hash != 0 { slot = (slot + 1) & mask }
            slots[slot] = (hash, Int32(number))
        }
    }
}

/// The reads of the condition being called, while the engine records them.
struct ConditionRecorder {
    var isRecording = false
    fileprivate(set) var reads: [ConditionMemo.Read] = []
    fileprivate(set) var overflowed = false

    init() { reads.reserveCapacity(ConditionMemo.capacity) }

    mutating func start() {
        isRecording = true
        reads.removeAll(keepingCapacity: true)
        overflowed = false
    }

    mutating func stop() { isRecording = false }

    /// Notes a read (once per kind and slot); too many, or a slot past the limit, and the call
    /// is not remembered.
    mutating func note(_ kind: ConditionMemo.Read.Kind, slot: UInt32 = 0, value: UInt64) {
        guard isRecording else { return }
        let read = ConditionMemo.Read(kind: kind, slot: slot, value: value)
        if reads.contains(where: { $0.kind == kind && $0.slot == slot }) { return }
        guard reads.count < ConditionMemo.capacity, slot < ConditionMemo.slotLimit else {
            overflowed = true
            return
        }
        reads.append(read)
    }
}

extension Engine {
    /// Where the memo of an outcome's `when` for a guest is kept, if it can be remembered.
    @inline(__always)
    func conditionMemoCell(ofOutcomeRule rule: Int, guest: Int) -> Int? {
        let column = memoColumnOfOutcomeRule[rule]
        return column < 0 ? nil : guest * memoColumns + column
    }

    /// Forgets every remembered condition (new rules, restored guests).
    func resetConditionMemo() {
        conditionMemo = ContiguousArray(repeating: 0, count: guests.count * memoColumns)
        rememberedConditions = RememberedConditions(limit: Self.rememberedConditionLimit)
        lastConditionReads = Array(repeating: .empty, count: memoColumns)
    }

    /// Distinct condition calls remembered, at most (then no more are kept). Each takes about
    /// 100 bytes plus its hash slots, so about 50 MiB when full.
    static let rememberedConditionLimit = 1 << 18

    /// Which outcome rules' conditions can be remembered, and their columns in the memo.
    func planConditionMemo(for outcomes: [OutcomeRule]) {
        memoColumns = 0
        memoColumnOfOutcomeRule = outcomes.map { outcome in
            guard let when = outcome.when, when.closure != nil, when.parameterCount <= 1 else { return -1 }
            memoColumns += 1
            return memoColumns - 1
        }
        resetConditionMemo()
    }

    /// Calls an outcome's `when(guest)`, or answers without calling it when a remembered result
    /// still holds: this guest's last false, or any guest's result for the same values read.
    ///
    /// The first case, the most common answer by far, is checked inline in the caller; the
    /// rest is out of line.
    @inline(__always)
    func evaluateCondition(_ when: LuaFunctionRef, ofOutcomeRule rule: Int, guest: Int) -> Result<Bool, LuaError> {
        // Remembered results were computed with the upvalues of load time.
        if let cell = conditionMemoCell(ofOutcomeRule: rule, guest: guest), conditionMemo[cell] != 0,
           rememberedConditions.entries[Int(conditionMemo[cell]) - 1].key.reads.holds(guest: guest, in: self),
           when.closure?.isCurrent == true
        {
            conditionCallsSkipped += 1
            return .success(false)
        }
        return evaluateConditionWithoutOwnMemo(when, ofOutcomeRule: rule, guest: guest)
    }

    /// ``evaluateCondition(_:ofOutcomeRule:guest:)`` once this guest's own memo did not answer.
    @inline(never)
    private func evaluateConditionWithoutOwnMemo(_ when: LuaFunctionRef, ofOutcomeRule rule: Int, guest: Int)
        -> Result<Bool, LuaError>
    {
        guard let cell = conditionMemoCell(ofOutcomeRule: rule, guest: guest) else {
            return runtime.callCondition(when, guestFirst: true)
        }
        let column = memoColumnOfOutcomeRule[rule]
        let upvaluesAsLoaded = when.closure?.isCurrent == true
        if upvaluesAsLoaded {
            // What this guest's last call read, or else what the last call for any guest read:
            // the same values lead the function down the same path to the same result.
            let own = Int(conditionMemo[cell])
            let shape = own != 0 ? rememberedConditions.entries[own - 1].key.reads : lastConditionReads[column]
            if shape.isSet, !shape.isGuestSpecific {
                let now = shape.current(guest: guest, in: self)
                if let entry = rememberedConditions.find(SharedCondition(column: column, reads: now)),
                   let known = rememberedConditions.entries[entry].sharedResult
                {
                    conditionCallsSkipped += 1
                    conditionMemo[cell] = known ? 0 : UInt32(entry + 1)
                    return .success(known)
                }
            }
        }
        runtime.resetFootprint()
        conditionReads.start()
        let result = runtime.callCondition(when, guestFirst: true, tracked: true)
        conditionReads.stop()
        conditionMemo[cell] = 0
        guard case .success(let truth) = result, runtime.footprint.isEmpty, upvaluesAsLoaded,
              when.closure?.isCurrent == true, let memo = ConditionMemo(conditionReads)
        else { return result }
        lastConditionReads[column] = memo
        // A call that read the guest's id or data is kept only as this guest's own memo of a false.
        if memo.isGuestSpecific && truth { return result }
        let entry = rememberedConditions.remember(SharedCondition(column: column, reads: memo),
                                                  sharedResult: memo.isGuestSpecific ? nil : truth)
        if !truth, let entry { conditionMemo[cell] = UInt32(entry + 1) }
        return result
    }
}
