import Glibc
import LuaKit

/// The Lua VM of a rule set and the bridge to it: the native helpers (`count`, `log`), the
/// `guest` object rules see, and calls of rule functions with an event.
///
/// The engine sets ``guest`` before calling a rule function; the `guest` table in Lua is a proxy
/// that reads and writes through it, so nothing is copied per call.
public final class RuleRuntime {
    let sandbox: LuaSandbox
    let state: LuaState

    /// The guest rule functions currently see.
    public var guest: GuestAccess? {
        didSet { guestChanged() }
    }
    /// Receives `count(name, by)` calls.
    public var onCount: (String, Double) -> Void = { _, _ in }
    /// Receives `log(...)` lines (already rate-limited).
    public var onLog: (String) -> Void = { _ in }

    var guestProxy: LuaRef! {
        didSet { guestProxySlot = guestProxy.slot }
    }
    /// Registry slots of the proxies and the event table, pushed without reference counting.
    private(set) var guestProxySlot = LuaRegistrySlot.unset
    private(set) var trackedGuestProxySlot = LuaRegistrySlot.unset
    private(set) var guestScalarsSlot = LuaRegistrySlot.unset
    /// The same guest without the scalar cache: every read is a host call (for conditions
    /// whose reads are recorded).
    var trackedGuestProxy: LuaRef! {
        didSet { trackedGuestProxySlot = trackedGuestProxy.slot }
    }
    /// The DSL's list of declarations (kind, id, spec, file, line), for the REPL.
    var declarations: LuaRef?
    /// The text of each rule file by chunk name, while the files load (for errors that name
    /// a field's own line).
    var ruleSources: [String: String] = [:]
    /// The REPL's environment: its globals persist from one line to the next.
    var consoleEnvironment: LuaRef?
    /// The guest's `id`, `points` and `sessions`, read by the proxy without a host call.
    var guestScalars: LuaRef! {
        didSet {
            guestScalarsSlot = guestScalars.slot
            cachedScalars = nil
            idCached = false
        }
    }
    /// True when the guest's scalars in the proxy may be out of date (a new event, new points).
    var scalarsStale = true
    /// True when the guest's id in the proxy's cache may be another guest's.
    var guestIDStale = true
    /// True when the proxy's cache holds an id (put there by a `guest.id` read).
    var idCached = false
    /// The points and sessions the proxy's cache holds, whichever guest they were copied for
    /// (nil when the cache is new).
    var cachedScalars: (points: Double, sessions: Int)?
    /// The event table of the current event, built on first use (the slot is reused).
    private var eventTable: LuaRef!
    private var eventTableSlot = LuaRegistrySlot.unset
    private var eventSerial = 0
    private var eventTableSerial = -1
    /// Keys written on every event or new guest (`id`, `points`, `sessions`, `type`), pinned in
    /// the registry: pushing one reads a slot, where pushing a string hashes or compares it again.
    private var pinnedKeys: [LuaRef] = []
    private(set) var keySlots = (id: LuaRegistrySlot.unset, points: LuaRegistrySlot.unset,
                                 sessions: LuaRegistrySlot.unset, type: LuaRegistrySlot.unset)
    /// The event being applied, between ``beginEvent(_:)`` and ``endEvent()``.
    private var currentEvent: UnsafePointer<Event>?
    let logLimiter = RateLimiter(linesPerSecond: 10)
    /// Counter names and `guest` keys as Swift strings, made once per name rather than per call.
    let keyStrings = LuaStringCache()

    /// The string at `index` of `lua`'s stack (nil if it is not a string): through
    /// ``keyStrings``, or made anew in the plain engine.
    func nameString(at index: Int32, of lua: LuaState) -> String? {
        isPlain ? lua.string(at: index) : keyStrings.string(at: index, of: lua)
    }
    /// Whether functions that read only some fields of `e` by name get a table of just those
    /// (tests turn it off to compare with whole tables).
    var reducesEventTables = true
    /// The plain engine's calls: a whole event table built for each call, the guest read
    /// through the host on every access (no cached scalars), names made anew (no string cache).
    var isPlain = false
    /// What the rule functions called since ``resetFootprint()`` did through the host.
    private(set) var footprint: CallFootprint = []

    /// Opens a sandboxed VM with the native helpers installed.
    init(memoryLimit: Int, instructionBudget: Int) throws(LuaError) {
        sandbox = try LuaSandbox(memoryLimit: memoryLimit, instructionBudget: instructionBudget)
        state = sandbox.state
        state.pushTable()
        eventTable = LuaRef(popping: state)
        eventTableSlot = eventTable.slot
        pinKeys()
        installHelpers()
        try installGuestProxy()
    }

    // MARK: Chunk names

    /// Lua cuts chunk names longer than 60 bytes in its messages, so long rule file paths load
    /// under a short alias that is mapped back here.
    private var filesByChunk: [String: String] = [:]

    /// The chunk name to load `file` under.
    func chunkName(for file: String) -> String {
        guard file.utf8.count > 50 else { return file }
        let alias = "rule-file-\(filesByChunk.count + 1).lua"
        filesByChunk[alias] = file
        return alias
    }

    /// The rule file a chunk name stands for.
    func fileName(forChunk chunk: String) -> String { filesByChunk[chunk] ?? chunk }

    /// The error with its chunk named by the rule file's full path.
    func resolve(_ error: LuaError) -> LuaError {
        guard let chunk = error.chunk, let file = filesByChunk[chunk] else { return error }
        var resolved = error
        resolved.chunk = file
        return resolved
    }

    // MARK: Calling rule functions

    /// Makes the event at `event` the one rule functions see, until ``endEvent()``; its Lua
    /// table is built from it on first use. The event is read where it is, not copied (copying
    /// its fields and type in and out cost four reference counts per event): `event` must stay
    /// valid until ``endEvent()``.
    func beginEvent(_ event: UnsafePointer<Event>) {
        currentEvent = event
        eventSerial &+= 1
        scalarsStale = true
    }

    /// The engine is done with the event: rule functions called from now on see an empty one.
    func endEvent() {
        currentEvent = nil
    }

    /// Forgets what earlier calls did (see ``footprint``).
    func resetFootprint() { footprint = [] }

    /// Notes what a host function did for the call in progress.
    func noteFootprint(_ what: CallFootprint) { footprint.formUnion(what) }

    /// Calls `function(e, guest)` (or `function(guest, e)`) and returns its truth. `tracked`
    /// hands it a guest whose every read goes through ``guest`` (none served from the proxy's
    /// cache), so the host sees everything it reads.
    func callCondition(_ function: LuaFunctionRef, guestFirst: Bool = false, tracked: Bool = false) -> Result<Bool, LuaError> {
        switch call(function, guestFirst: guestFirst, tracked: tracked) {
        case .success:
            let truth = state.isTruthy(at: -1)
            state.pop()
            return .success(truth)
        case .failure(let error): return .failure(error)
        }
    }

    /// Calls `function(e, guest)` and returns its number; anything else is an error of the rule.
    func callNumber(_ function: LuaFunctionRef, purpose: @autoclosure () -> String) -> Result<Double, LuaError> {
        switch call(function, guestFirst: false) {
        case .success:
            defer { state.pop() }
            if let number = state.number(at: -1), number.isFinite { return .success(number) }
            let got = state.isNil(at: -1) ? "nil" : state.typeName(at: -1)
            return .failure(LuaError(kind: .type, message: "\(purpose()) must return a finite number, got \(got)",
                                     chunk: function.position.file, line: function.position.line))
        case .failure(let error): return .failure(error)
        }
    }

    /// Stack: +1 (the result) on success, unchanged on failure.
    private func call(_ function: LuaFunctionRef, guestFirst: Bool, tracked: Bool = false) -> Result<Void, LuaError> {
        let tracked = tracked || isPlain
        if !tracked { refreshGuestScalars() }
        function.reference.push()
        // The event table is built only for a function that declares a parameter for it.
        let seesEvent = function.parameterCount >= (guestFirst ? 2 : 1)
        let guestSlot = tracked ? trackedGuestProxySlot : guestProxySlot
        if guestFirst {
            state.pushPinned(guestSlot)
            if seesEvent { pushEventTable(only: function.eventFieldsAsSecond) }
        } else {
            if seesEvent { pushEventTable(only: function.eventFieldsAsFirst) } else { state.pushNil() }
            state.pushPinned(guestSlot)
        }
        do {
            try state.call(arguments: guestFirst && !seesEvent ? 1 : 2, results: 1)
            return .success(())
        } catch {
            return .failure(resolve(error))
        }
    }

    /// Pushes the event table: the whole event, built once per event, or for a function that
    /// only reads some fields by name (`fields`), its own table refilled with just those.
    /// Stack: +1.
    private func pushEventTable(only fields: EventFieldReads?) {
        if isPlain {
            let builder = EventTableBuilder(state: state, typeKey: keySlots.type)
            builder.pushEvent(currentEvent?.pointee.fields ?? JSONObject(), type: currentEvent?.pointee.type ?? "")
            return
        }
        if let fields, reducesEventTables {
            let builder = EventTableBuilder(state: state, typeKey: keySlots.type)
            if let currentEvent {
                builder.pushEvent(currentEvent.pointee.fields, type: currentEvent.pointee.type, only: fields)
            } else {
                builder.pushEvent(JSONObject(), type: "", only: fields)
            }
            return
        }
        if eventTableSerial != eventSerial {
            let builder = EventTableBuilder(state: state, typeKey: keySlots.type)
            if let currentEvent {
                builder.pushEvent(currentEvent.pointee.fields, type: currentEvent.pointee.type)
            } else {
                builder.pushEvent(JSONObject(), type: "")
            }
            eventTable.replace(popping: state)
            eventTableSerial = eventSerial
        }
        state.pushPinned(eventTableSlot)
    }

    private func pinKeys() {
        pinnedKeys = ["id", "points", "sessions", "type"].map { key in
            state.push(key)
            return LuaRef(popping: state)
        }
        keySlots = (pinnedKeys[0].slot, pinnedKeys[1].slot, pinnedKeys[2].slot, pinnedKeys[3].slot)
    }

    // MARK: Native helpers

    private func installHelpers() {
        state.push(function: { [unowned(unsafe) self] lua in
            guard let name = nameString(at: 1, of: lua), !name.isEmpty else {
                throw LuaScriptError("count: the counter name must be a non-empty string")
            }
            var amount = 1.0
            if !lua.isNil(at: 2) {
                guard let by = lua.number(at: 2), by.isFinite else {
                    throw LuaScriptError("count: the amount must be a finite number")
                }
                amount = by
            }
            noteFootprint(.hasEffects)
            onCount(name, amount)
            return 0
        })
        sandbox.setShared("count")

        state.push(function: { [unowned(unsafe) self] lua in
            noteFootprint(.hasEffects)
            guard logLimiter.allow() else { return 0 }
            var parts: [String] = []
            for index in 1...max(1, lua.top) where index <= lua.top {
                parts.append(describe(lua, at: index))
            }
            var line = parts.joined(separator: " ")
            if let caller = lua.position(ofLevel: 1) {
                line = "\(fileName(forChunk: caller.chunk)):\(caller.line): \(line)"
            }
            onLog(line)
            return 0
        })
        sandbox.setShared("log")
    }

    private func describe(_ lua: LuaState, at index: Int32) -> String {
        if let text = lua.string(at: index) { return text }
        if let integer = lua.integer(at: index), lua.number(at: index) != nil,
           (try? lua.value(at: index)) == .integer(integer) { return String(integer) }
        if let number = lua.number(at: index) { return String(number) }
        if let flag = lua.boolean(at: index) { return String(flag) }
        if lua.isNil(at: index) { return "nil" }
        return lua.typeName(at: index)
    }

}

/// What rule functions did through the host during a call, beyond computing a result.
struct CallFootprint: OptionSet {
    let rawValue: UInt8
    /// Read `guest.session`, which changes with every event.
    static let readsSession = CallFootprint(rawValue: 1)
    /// Counted, logged, wrote `guest.data` or added points.
    static let hasEffects = CallFootprint(rawValue: 2)
}
