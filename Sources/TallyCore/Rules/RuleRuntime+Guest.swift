import LuaKit

/// The `guest` object rules see: a proxy that reads and writes through ``RuleRuntime/guest``.
extension RuleRuntime {
    /// (The host functions hold the runtime unowned(unsafe): they live in its VM, which the
    /// runtime owns, so they cannot be called once it is gone.)
    func installGuestProxy() throws(LuaError) {
        try state.load(Self.guestProxySource, chunkName: "=guest")
        state.push(function: { [unowned(unsafe) self] lua in try guestField(lua) })
        state.push(function: { [unowned(unsafe) self] lua in try guestTable(lua, .goals) })
        state.push(function: { [unowned(unsafe) self] lua in try guestTable(lua, .outcomes) })
        state.push(function: { [unowned(unsafe) self] lua in try guestTable(lua, .session) })
        state.push(function: { [unowned(unsafe) self] lua in try guestTable(lua, .data) })
        state.push(function: { [unowned(unsafe) self] lua in try setGuestData(lua) })
        state.push(function: { [unowned(unsafe) self] lua in try addPoints(lua) })
        state.push(function: { [unowned(unsafe) self] lua in try guestDataKeys(lua) })
        try state.call(arguments: 8, results: 3)
        trackedGuestProxy = LuaRef(popping: state)
        guestScalars = LuaRef(popping: state)
        guestProxy = LuaRef(popping: state)
    }

    /// The guest's points changed outside Lua (a goal was reached): refresh before the next call.
    func guestScalarsChanged() { scalarsStale = true }

    /// Rules now see another guest: its id too must be refreshed.
    func guestChanged() {
        scalarsStale = true
        guestIDStale = true
    }

    /// Copies the guest's scalar fields into the proxy's cache, once per event and after
    /// `add_points` (the only ways they change while rules run), writing only what differs
    /// from what the cache holds (with many guests, consecutive events are mostly another
    /// guest's, with the same few points and sessions as often as not). The id is cached on
    /// first read (``guestField(_:)``) and dropped here for a new guest: most rules never read
    /// it, and making a Lua string of every guest's id would cost more than the rules.
    func refreshGuestScalars() {
        guard scalarsStale, let guest else { return }
        scalarsStale = false
        let scalars = guest.scalars
        let dropsID = guestIDStale && idCached
        guestIDStale = false
        let cached = cachedScalars
        let writesPoints = cached?.points.bitPattern != scalars.points.bitPattern
        let writesSessions = cached?.sessions != scalars.sessions
        guard dropsID || writesPoints || writesSessions else { return }
        state.pushPinned(guestScalarsSlot)
        if dropsID {
            state.pushPinned(keySlots.id)
            state.pushNil()
            state.rawSet(in: -3)
            idCached = false
        }
        if writesPoints {
            state.pushPinned(keySlots.points)
            state.push(scalars.points)
            state.rawSet(in: -3)
        }
        if writesSessions {
            state.pushPinned(keySlots.sessions)
            state.push(scalars.sessions)
            state.rawSet(in: -3)
        }
        state.pop()
        cachedScalars = scalars
    }

    private func currentGuest() throws -> GuestAccess {
        guard let guest else { throw LuaScriptError("guest is not available outside an event") }
        return guest
    }

    /// `guest.<field>` for the scalar fields. Arguments: key.
    private func guestField(_ lua: LuaState) throws -> Int32 {
        let guest = try currentGuest()
        switch lua.string(at: 1) {
        case "id":
            lua.push(guest.guestID)
            if !guestIDStale {  // the cache holds this guest's scalars: keep the id there too
                lua.pushPinned(guestScalarsSlot)
                lua.pushPinned(keySlots.id)
                lua.pushCopy(of: -3)
                lua.rawSet(in: -3)
                lua.pop()
                idCached = true
            }
        case "points": lua.push(guest.points)
        case "sessions": lua.push(guest.sessionCount)
        default: lua.pushNil()
        }
        return 1
    }

    /// The tables of `guest` read through the host.
    private enum GuestTable { case goals, outcomes, session, data }

    /// `guest.goals[k]`, `guest.outcomes[k]`, `guest.session.k`, `guest.data[k]`: the views'
    /// `__index`. Arguments: the view, key.
    private func guestTable(_ lua: LuaState, _ table: GuestTable) throws -> Int32 {
        let guest = try currentGuest()
        guard let key = nameString(at: 2, of: lua) else {
            lua.pushNil()
            return 1
        }
        switch table {
        case .goals: lua.push(guest.timesReached(goal: key))
        case .outcomes: lua.push(guest.hasReached(outcome: key))
        case .session:
            noteFootprint(.readsSession)
            switch key {
            case "id": lua.push(guest.sessionID)
            case "points": lua.push(guest.sessionPoints)
            case "views": lua.push(guest.sessionViews)
            case "events": lua.push(guest.sessionEvents)
            default: lua.pushNil()
            }
        case .data:
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

    /// `guest.data[k] = v`: the data view's `__newindex`. Arguments: the view, key, value.
    private func setGuestData(_ lua: LuaState) throws -> Int32 {
        let guest = try currentGuest()
        guard let key = nameString(at: 2, of: lua) else {
            throw LuaScriptError("guest.data keys must be strings, got \(lua.typeName(at: 2))")
        }
        let value: GuestDataValue?
        if lua.isNil(at: 3) {
            value = nil
        } else if let text = lua.string(at: 3) {
            value = .string(text)
        } else if let flag = lua.boolean(at: 3) {
            value = .boolean(flag)
        } else if lua.isInteger(at: 3), let integer = lua.integer(at: 3) {
            value = .integer(integer)
        } else if let number = lua.number(at: 3) {
            value = .number(number)
        } else {
            throw LuaScriptError("guest.data.\(key) must be a string, number or boolean, got \(lua.typeName(at: 3))")
        }
        noteFootprint(.hasEffects)
        guest.setData(key, value)
        return 0
    }

    /// `guest:add_points(n)`. Arguments: guest, n.
    private func addPoints(_ lua: LuaState) throws -> Int32 {
        let guest = try currentGuest()
        guard let points = lua.number(at: 2), points.isFinite else {
            throw LuaScriptError("add_points expects a finite number, got \(lua.typeName(at: 2))")
        }
        noteFootprint(.hasEffects)
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
        -- The views' __index and __newindex are the host functions themselves, called with
        -- (view, key[, value]): no Lua function runs in between, and an error they raise is
        -- reported at the rule's line that indexed the view.
        local function view(read, write, iterate)
          return setmetatable({}, {
            __index = read,
            __newindex = write or function(_, key)
              error("guest fields are read-only (use guest.data or guest:add_points)", 2)
            end,
            __pairs = iterate,
            __metatable = false,
          })
        end
        local data_view = view(data, set_data, function(view)
          local keys, index = data_keys(), 0
          return function()
            index = index + 1
            local key = keys[index]
            if key ~= nil then return key, data(view, key) end
          end
        end)
        local members = {
          goals = view(goals), outcomes = view(outcomes), session = view(session),
          data = data_view, add_points = add_points,
        }
        local function member_or_field(_, key)
          local member = members[key]
          if member ~= nil then return member end
          return field(key)
        end
        local function read_only()
          error("guest fields are read-only (use guest.data or guest:add_points)", 2)
        end
        -- Scalars (id, points, sessions) sit in a plain table the proxy indexes directly, with
        -- the members, so reading either runs no function; anything else falls through to the
        -- host.
        local scalars = {}
        for key, member in pairs(members) do scalars[key] = member end
        setmetatable(scalars, { __index = member_or_field, __metatable = false })
        local proxy = setmetatable({}, { __index = scalars, __newindex = read_only, __metatable = false })
        -- The same guest without the cache: every scalar read is a call the host sees.
        local tracked = setmetatable({}, { __index = member_or_field, __newindex = read_only, __metatable = false })
        return proxy, scalars, tracked
        """
}
