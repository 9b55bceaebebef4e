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
/// for every other guest with 12 points, as long as it did not read `guest.id`.
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

    /// Reads in order (the first `count`).
    private var reads: (Read, Read, Read, Read)
    private var count: UInt8 = 0
    /// False when nothing is remembered.
    private(set) var isSet = false

    static let empty = ConditionMemo()

    private init() {
        let none = Read(kind: .points, slot: 0, value: 0)
        reads = (none, none, none, none)
    }

    /// True when the call read `guest.id`: its result holds for this guest only.
    var readsIdentity: Bool {
        (0..<Int(count)).contains { read(at: $0).kind == .identity }
    }

    private func read(at index: Int) -> Read {
        switch index {
        case 0: return reads.0
        case 1: return reads.1
        case 2: return reads.2
        default: return reads.3
        }
    }

    /// The same reads with the values they give for guest number `guest` now.
    func current(guest: Int, in engine: Engine) -> ConditionMemo {
        var now = self
        now.reads.0.value = Self.value(of: reads.0.kind, slot: reads.0.slot, guest: guest, in: engine)
        if count > 1 { now.reads.1.value = Self.value(of: reads.1.kind, slot: reads.1.slot, guest: guest, in: engine) }
        if count > 2 { now.reads.2.value = Self.value(of: reads.2.kind, slot: reads.2.slot, guest: guest, in: engine) }
        if count > 3 { now.reads.3.value = Self.value(of: reads.3.kind, slot: reads.3.slot, guest: guest, in: engine) }
        return now
    }

    static func == (lhs: ConditionMemo, rhs: ConditionMemo) -> Bool {
        lhs.isSet == rhs.isSet && lhs.count == rhs.count
            && (0..<Int(lhs.count)).allSatisfy { lhs.read(at: $0) == rhs.read(at: $0) }
    }

    /// A cheap hash of the reads for ``SharedConditionResults`` (a few multiplications, where
    /// `Hasher` costs more than the rest of a lookup).
    var mixedHash: UInt64 {
        var hash = Self.mix(UInt64(count))
        for index in 0..<Int(count) {
            let read = read(at: index)
            hash = Self.mix(hash ^ read.value)
            hash = Self.mix(hash ^ (UInt64(read.kind.rawValue) << 32 | UInt64(read.slot)))
        }
        return hash
    }

    /// SplitMix64's finalizer: every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A memo of `recorded` reads, or nil when there were too many to keep.
    init?(_ recorded: ConditionRecorder) {
        guard !recorded.overflowed else { return nil }
        self.init()
        isSet = true
        for read in recorded.reads { append(read) }
    }

    private mutating func append(_ read: Read) {
        switch count {
        case 0: reads.0 = read
        case 1: reads.1 = read
        case 2: reads.2 = read
        default: reads.3 = read
        }
        count += 1
    }

    /// True when something is remembered and every read would give the same value now for
    /// guest number `guest` (read in place: the guest's state is not copied).
    func holds(guest: Int, in engine: Engine) -> Bool {
        guard isSet else { return false }
        switch count {
        case 0: return true
        case 1: return Self.same(reads.0, guest, engine)
        case 2: return Self.same(reads.0, guest, engine) && Self.same(reads.1, guest, engine)
        case 3:
            return Self.same(reads.0, guest, engine) && Self.same(reads.1, guest, engine)
                && Self.same(reads.2, guest, engine)
        default:
            return Self.same(reads.0, guest, engine) && Self.same(reads.1, guest, engine)
                && Self.same(reads.2, guest, engine) && Self.same(reads.3, guest, engine)
        }
    }

    @inline(__always)
    private static func same(_ read: Read, _ guest: Int, _ engine: Engine) -> Bool {
        read.value == value(of: read.kind, slot: read.slot, guest: guest, in: engine)
    }

    /// What a read of `kind` gives for guest number `guest` now.
    @inline(__always)
    static func value(of kind: Read.Kind, slot: UInt32, guest: Int, in engine: Engine) -> UInt64 {
        switch kind {
        case .points: return engine.guests[guest].points.bitPattern
        case .sessions: return UInt64(engine.guests[guest].sessionCount)
        case .goal:
            let slot = Int(slot)
            return slot < engine.goalProgress.width ? UInt64(engine.goalProgress[guest, slot].times) : 0
        case .outcome:
            let slot = Int(slot)
            return slot < engine.outcomesReached.width && engine.outcomesReached[guest, slot] ? 1 : 0
        case .data: return UInt64(engine.guests[guest].dataVersion)
        case .identity: return 0
        }
    }
}

/// A condition's result for given values of what it read, whichever guest it was called for.
struct SharedCondition: Equatable {
    /// The condition's column in the engine's memo.
    var column: Int
    var reads: ConditionMemo

    var mixedHash: UInt64 { ConditionMemo.mix(reads.mixedHash ^ UInt64(truncatingIfNeeded: column)) }
}

/// Condition results by column and values read: a hash table with open addressing (linear
/// probing) on ``SharedCondition/mixedHash``. It is looked up after most events of a guest whose
/// points changed, so it avoids `Dictionary`'s SipHash; entries are never removed, only all of
/// them at once.
struct SharedConditionResults {
    private struct Slot {
        /// 0 when the slot is empty (a key's hash is never 0).
        var hash: UInt64
        var result: Bool
        var key: SharedCondition
    }

    private var slots: ContiguousArray<Slot> = []
    private(set) var count = 0

    /// The result remembered for `key`, if any.
    @inline(__always)
    subscript(key: SharedCondition) -> Bool? {
        guard !slots.isEmpty else { return nil }
        let (index, found) = position(of: key, hash: Self.hash(of: key))
        return found ? slots[index].result : nil
    }

    /// Remembers `result` for `key` (replacing an earlier one).
    mutating func set(_ result: Bool, for key: SharedCondition) {
        if (count + 1) * 2 > slots.count { grow() }
        insert(Slot(hash: Self.hash(of: key), result: result, key: key))
    }

    @inline(__always)
    private static func hash(of key: SharedCondition) -> UInt64 { max(1, key.mixedHash) }

    /// Where `key` is (found), or the empty slot where it would go (linear probing).
    @inline(__always)
    private func position(of key: SharedCondition, hash: UInt64) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].hash != 0 {
            if slots[index].hash == hash && slots[index].key == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    private mutating func insert(_ slot: Slot) {
        let (index, found) = position(of: slot.key, hash: slot.hash)
        slots[index] = slot
        if !found { count += 1 }
    }

    private mutating func grow() {
        let old = slots
        let empty = Slot(hash: 0, result: false, key: SharedCondition(column: 0, reads: .empty))
        slots = ContiguousArray(repeating: empty, count: max(64, slots.count * 2))
        count = 0
        for slot in old where slot.hash != 0 { insert(slot) }
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

    /// Notes a read (once per kind and slot).
    mutating func note(_ kind: ConditionMemo.Read.Kind, slot: UInt32 = 0, value: UInt64) {
        guard isRecording else { return }
        let read = ConditionMemo.Read(kind: kind, slot: slot, value: value)
        if reads.contains(where: { $0.kind == kind && $0.slot == slot }) { return }
        guard reads.count < ConditionMemo.capacity else {
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
        conditionMemo = ContiguousArray(repeating: .empty, count: guests.count * memoColumns)
        sharedConditionResults = SharedConditionResults()
        lastConditionReads = Array(repeating: .empty, count: memoColumns)
    }

    /// Results shared between guests, at most this many (then no more are kept).
    static let sharedConditionLimit = 1 << 16

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
    func evaluateCondition(_ when: LuaFunctionRef, ofOutcomeRule rule: Int, guest: Int) -> Result<Bool, LuaError> {
        guard let cell = conditionMemoCell(ofOutcomeRule: rule, guest: guest) else {
            return runtime.callCondition(when, guestFirst: true)
        }
        // Remembered results were computed with the upvalues of load time.
        let upvaluesAsLoaded = when.closure?.isCurrent == true
        if upvaluesAsLoaded {
            if conditionMemo[cell].holds(guest: guest, in: self) {
                conditionCallsSkipped += 1
                return .success(false)
            }
            // What this guest's last call read, or else what the last call for any guest read:
            // the same values lead the function down the same path to the same result.
            let column = memoColumnOfOutcomeRule[rule]
            let shape = conditionMemo[cell].isSet ? conditionMemo[cell] : lastConditionReads[column]
            if shape.isSet, !shape.readsIdentity {
                let now = shape.current(guest: guest, in: self)
                if let known = sharedConditionResults[SharedCondition(column: column, reads: now)] {
                    conditionCallsSkipped += 1
                    conditionMemo[cell] = known ? .empty : now
                    return .success(known)
                }
            }
        }
        runtime.resetFootprint()
        conditionReads.start()
        let result = runtime.callCondition(when, guestFirst: true, tracked: true)
        conditionReads.stop()
        conditionMemo[cell] = .empty
        guard case .success(let truth) = result, runtime.footprint.isEmpty, upvaluesAsLoaded,
              when.closure?.isCurrent == true, let memo = ConditionMemo(conditionReads)
        else { return result }
        if !truth { conditionMemo[cell] = memo }
        let column = memoColumnOfOutcomeRule[rule]
        lastConditionReads[column] = memo
        if !memo.readsIdentity, sharedConditionResults.count < Self.sharedConditionLimit {
            sharedConditionResults.set(truth, for: SharedCondition(column: column, reads: memo))
        }
        return result
    }
}
