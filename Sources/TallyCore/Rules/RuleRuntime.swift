import Glibc
import LuaKit

/// The Lua VM of a rule set and the bridge to it: the native helpers (`count`, `log`), the
/// `guest` object rules see, and calls of rule functions with an event.
///
/// The engine sets ``guest`` before calling a rule function; the `guest` table in Lua is a proxy
/// that reads and writes through it, so nothing is copied per call.
public final class RuleRuntime {
    let sandbox: LuaSandbox
    var state: LuaState { sandbox.state }

    /// The guest rule functions currently see.
    public var guest: GuestAccess?
    /// Receives `count(name, by)` calls.
    public var onCount: (String, Double) -> Void = { _, _ in }
    /// Receives `log(...)` lines (already rate-limited).
    public var onLog: (String) -> Void = { _ in }

    private var guestProxy: LuaRef!
    /// The DSL's list of declarations (kind, id, spec, file, line), for the REPL.
    var declarations: LuaRef?
    /// The REPL's environment: its globals persist from one line to the next.
    private var consoleEnvironment: LuaRef?
    /// The guest's `id`, `points` and `sessions`, read by the proxy without a host call.
    private var guestScalars: LuaRef!
    /// True when the guest's scalars in the proxy may be out of date (a new event, new points).
    private var scalarsStale = true
    /// The event table of the current event, built on first use.
    private var eventTable: LuaRef?
    private var eventSerial = 0
    private var eventTableSerial = -1
    /// The current event's fields and type (the rest of the event is not needed for its table).
    private var currentFields = JSONObject()
    private var currentType = ""
    private let logLimiter = RateLimiter(linesPerSecond: 10)

    /// Opens a sandboxed VM with the native helpers installed.
    init(memoryLimit: Int, instructionBudget: Int) throws(LuaError) {
        sandbox = try LuaSandbox(memoryLimit: memoryLimit, instructionBudget: instructionBudget)
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

    /// Makes `event` the event rule functions see next; its Lua table is built lazily.
    func beginEvent(_ event: Event) {
        currentFields = event.fields
        currentType = event.type
        eventSerial &+= 1
        scalarsStale = true
    }

    /// Calls `function(e, guest)` (or `function(guest, e)`) and returns its truth.
    func callCondition(_ function: LuaFunctionRef, guestFirst: Bool = false) -> Result<Bool, LuaError> {
        switch call(function, guestFirst: guestFirst) {
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
    private func call(_ function: LuaFunctionRef, guestFirst: Bool) -> Result<Void, LuaError> {
        refreshGuestScalars()
        function.reference.push()
        // The event table is built only for a function that declares a parameter for it.
        let seesEvent = function.parameterCount >= (guestFirst ? 2 : 1)
        if guestFirst {
            guestProxy.push()
            if seesEvent { pushEventTable() }
        } else {
            if seesEvent { pushEventTable() } else { state.pushNil() }
            guestProxy.push()
        }
        do {
            try state.call(arguments: guestFirst && !seesEvent ? 1 : 2, results: 1)
            return .success(())
        } catch {
            return .failure(resolve(error))
        }
    }

    private func pushEventTable() {
        if eventTableSerial != eventSerial {
            state.pushTable(fieldCapacity: currentFields.count)
            for (key, value) in currentFields {
                push(value)
                state.setRawField(key, of: -2)
            }
            state.push(currentType)
            state.setRawField("type", of: -2)
            eventTable = LuaRef(popping: state)
            eventTableSerial = eventSerial
        }
        eventTable?.push()
    }

    private func push(_ value: JSONValue) {
        switch value {
        case .null: state.pushNil()
        case .bool(let flag): state.push(flag)
        case .int(let number): state.push(number)
        case .number(let number): state.push(number)
        case .string(let text): state.push(text)
        case .array(let items):
            state.pushTable(arrayCapacity: items.count)
            for (offset, item) in items.enumerated() {
                push(item)
                state.setRawElement(offset + 1, of: -2)
            }
        case .object(let object):
            state.pushTable(fieldCapacity: object.count)
            for (key, item) in object {
                push(item)
                state.setRawField(key, of: -2)
            }
        }
    }

    // MARK: The console (REPL)

    /// Evaluates a line of Lua in the rules' sandbox: as an expression if it is one, else as a
    /// statement. The environment sees the shared names, `goals`, `outcomes` and `experiments`
    /// (the declarations by id, read-only), and `guest(id)`, which `lookup` answers.
    /// Returns the results, formatted.
    func evaluate(_ source: String, lookup: @escaping (String) -> LuaValue) -> Result<[String], LuaError> {
        do {
            if consoleEnvironment == nil { try makeConsoleEnvironment(lookup: lookup) }
            let environment = consoleEnvironment!
            environment.push()
            defer { state.pop() }
            let base = state.top
            do {
                try sandbox.load("return " + source, chunkName: "=repl", environment: -1)
            } catch {
                try sandbox.load(source, chunkName: "=repl", environment: -1)
            }
            try state.call(arguments: 0, results: nil)
            var results: [String] = []
            for index in (base + 1)...max(base + 1, state.top) where index <= state.top {
                results.append(LuaValueFormatter.describe((try? state.value(at: index)) ?? .opaque(state.typeName(at: index))))
            }
            state.top = base
            return .success(results)
        } catch {
            return .failure(resolve(error))
        }
    }

    private func makeConsoleEnvironment(lookup: @escaping (String) -> LuaValue) throws(LuaError) {
        try sandbox.pushNewEnvironment()
        let environment = state.top
        try state.load(Self.consoleSource, chunkName: "=console")
        state.pushCopy(of: environment)
        if let declarations { declarations.push() } else { state.pushTable() }
        state.push(function: { lua in
            guard let id = lua.string(at: 1) else { throw LuaScriptError("guest(id) expects a guest id string") }
            try lua.push(lookup(id))
            return 1
        })
        try state.call(arguments: 3, results: 0)
        consoleEnvironment = LuaRef(popping: state)
    }

    /// Fills the console environment (trusted code, run once).
    private static let consoleSource = """
        local environment, declarations, lookup = ...
        local function readonly(target, name)
          return setmetatable({}, {
            __index = target,
            __newindex = function() error(name .. " is read-only", 2) end,
            __pairs = function() return next, target, nil end,
            __metatable = false,
          })
        end
        local by_kind = { goal = {}, outcome = {}, experiment = {} }
        for _, declaration in ipairs(declarations) do
          local list = by_kind[declaration.kind]
          if list then list[declaration.id] = readonly(declaration.spec, declaration.id) end
        end
        environment.goals = readonly(by_kind.goal, "goals")
        environment.outcomes = readonly(by_kind.outcome, "outcomes")
        environment.experiments = readonly(by_kind.experiment, "experiments")
        environment.guest = lookup
        """

    // MARK: Native helpers

    private func installHelpers() {
        state.push(function: { [unowned self] lua in
            guard let name = lua.string(at: 1), !name.isEmpty else {
                throw LuaScriptError("count: the counter name must be a non-empty string")
            }
            var amount = 1.0
            if !lua.isNil(at: 2) {
                guard let by = lua.number(at: 2), by.isFinite else {
                    throw LuaScriptError("count: the amount must be a finite number")
                }
                amount = by
            }
            onCount(name, amount)
            return 0
        })
        sandbox.setShared("count")

        state.push(function: { [unowned self] lua in
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

    // MARK: The guest proxy

    private func installGuestProxy() throws(LuaError) {
        try state.load(Self.guestProxySource, chunkName: "=guest")
        state.push(function: { [unowned self] lua in try guestField(lua) })
        state.push(function: { [unowned self] lua in try guestTable(lua, name: "goals") })
        state.push(function: { [unowned self] lua in try guestTable(lua, name: "outcomes") })
        state.push(function: { [unowned self] lua in try guestTable(lua, name: "session") })
        state.push(function: { [unowned self] lua in try guestTable(lua, name: "data") })
        state.push(function: { [unowned self] lua in try setGuestData(lua) })
        state.push(function: { [unowned self] lua in try addPoints(lua) })
        state.push(function: { [unowned self] lua in try guestDataKeys(lua) })
        try state.call(arguments: 8, results: 2)
        guestScalars = LuaRef(popping: state)
        guestProxy = LuaRef(popping: state)
    }

    /// The guest's points changed outside Lua (a goal was reached): refresh before the next call.
    func guestScalarsChanged() { scalarsStale = true }

    /// Copies the guest's scalar fields into the proxy's cache, once per event and after
    /// `add_points` (the only ways they change while rules run).
    private func refreshGuestScalars() {
        guard scalarsStale, let guest else { return }
        guestScalars.push()
        state.push(guest.guestID)
        state.setRawField("id", of: -2)
        state.push(guest.points)
        state.setRawField("points", of: -2)
        state.push(guest.sessionCount)
        state.setRawField("sessions", of: -2)
        state.pop()
        scalarsStale = false
    }

    private func currentGuest() throws -> GuestAccess {
        guard let guest else { throw LuaScriptError("guest is not available outside an event") }
        return guest
    }

    /// `guest.<field>` for the scalar fields. Arguments: key.
    private func guestField(_ lua: LuaState) throws -> Int32 {
        let guest = try currentGuest()
        switch lua.string(at: 1) {
        case "id": lua.push(guest.guestID)
        case "points": lua.push(guest.points)
        case "sessions": lua.push(guest.sessionCount)
        default: lua.pushNil()
        }
        return 1
    }

    /// `guest.goals[k]`, `guest.outcomes[k]`, `guest.session.k`, `guest.data[k]`. Arguments: key.
    private func guestTable(_ lua: LuaState, name: String) throws -> Int32 {
        let guest = try currentGuest()
        guard let key = lua.string(at: 1) else {
            lua.pushNil()
            return 1
        }
        switch name {
        case "goals": lua.push(guest.timesReached(goal: key))
        case "outcomes": lua.push(guest.hasReached(outcome: key))
        case "session":
            switch key {
            case "id": lua.push(guest.sessionID)
            case "points": lua.push(guest.sessionPoints)
            case "views": lua.push(guest.sessionViews)
            case "events": lua.push(guest.sessionEvents)
            default: lua.pushNil()
            }
        default:
            switch guest.data(key) {
            case .string(let text)?: lua.push(text)
            case .integer(let number)?: lua.push(number)
            case .number(let number)?: lua.push(number)
            case .boolean(let flag)?: lua.push(flag)
            case nil: lua.pushNil()
            }
        }
        return 1
    }

    /// `guest.data[k] = v`. Arguments: key, value.
    private func setGuestData(_ lua: LuaState) throws -> Int32 {
        let guest = try currentGuest()
        guard let key = lua.string(at: 1) else {
            throw LuaScriptError("guest.data keys must be strings, got \(lua.typeName(at: 1))")
        }
        let value: GuestDataValue?
        if lua.isNil(at: 2) {
            value = nil
        } else if let text = lua.string(at: 2) {
            value = .string(text)
        } else if let flag = lua.boolean(at: 2) {
            value = .boolean(flag)
        } else if lua.number(at: 2) != nil {
            if case .integer(let integer)? = try? lua.value(at: 2) { value = .integer(integer) } else {
                value = .number(lua.number(at: 2)!)
            }
        } else {
            throw LuaScriptError("guest.data.\(key) must be a string, number or boolean, got \(lua.typeName(at: 2))")
        }
        guest.setData(key, value)
        return 0
    }

    /// `guest:add_points(n)`. Arguments: guest, n.
    private func addPoints(_ lua: LuaState) throws -> Int32 {
        let guest = try currentGuest()
        guard let points = lua.number(at: 2), points.isFinite else {
            throw LuaScriptError("add_points expects a finite number, got \(lua.typeName(at: 2))")
        }
        guest.addPoints(points)
        scalarsStale = true
        refreshGuestScalars()
        return 0
    }

    /// The keys of `guest.data`, as a sequence (for `pairs(guest.data)`).
    private func guestDataKeys(_ lua: LuaState) throws -> Int32 {
        let keys = try currentGuest().dataKeys
        lua.pushTable(arrayCapacity: keys.count)
        for (offset, key) in keys.enumerated() {
            lua.push(key)
            lua.setRawElement(offset + 1, of: -2)
        }
        return 1
    }

    /// Builds the `guest` proxy from the host functions (trusted code, run once).
    private static let guestProxySource = """
        local field, goals, outcomes, session, data, set_data, add_points, data_keys = ...
        local function view(read, write, iterate)
          return setmetatable({}, {
            __index = function(_, key) return read(key) end,
            __newindex = write or function(_, key)
              error("guest fields are read-only (use guest.data or guest:add_points)", 2)
            end,
            __pairs = iterate,
            __metatable = false,
          })
        end
        local data_view = view(data, function(_, key, value) set_data(key, value) end, function()
          local keys, index = data_keys(), 0
          return function()
            index = index + 1
            local key = keys[index]
            if key ~= nil then return key, data(key) end
          end
        end)
        local members = {
          goals = view(goals), outcomes = view(outcomes), session = view(session),
          data = data_view, add_points = add_points,
        }
        -- Scalars (id, points, sessions) sit in a plain table the proxy indexes directly, so
        -- reading them runs no function; everything else falls through to the members.
        local scalars = setmetatable({}, {
          __index = function(_, key)
            local member = members[key]
            if member ~= nil then return member end
            return field(key)
          end,
          __metatable = false,
        })
        local proxy = setmetatable({}, {
          __index = scalars,
          __newindex = function() error("guest fields are read-only (use guest.data or guest:add_points)", 2) end,
          __metatable = false,
        })
        return proxy, scalars
        """
}

/// Allows at most `linesPerSecond` lines per wall-clock second.
final class RateLimiter {
    private let linesPerSecond: Int
    private var second: Int = 0
    private var used = 0

    init(linesPerSecond: Int) { self.linesPerSecond = linesPerSecond }

    func allow() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if now.tv_sec != second {
            second = now.tv_sec
            used = 0
        }
        used += 1
        return used <= linesPerSecond
    }
}
