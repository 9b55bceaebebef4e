import CLua
import CLuaSupport

/// Stack access. Indices follow Lua: positive from the bottom (1 is the first slot), negative
/// from the top (-1 is the top). Table access here is raw: no metamethod runs from Swift.
extension LuaState {
    /// The index of the top slot (the number of values on the stack).
    public var top: Int32 {
        get { lua_gettop(pointer) }
        set { lua_settop(pointer, newValue) }
    }

    /// Pops `count` values. Stack: [..., v1..vn] -> [...].
    public func pop(_ count: Int32 = 1) {
        lua_settop(pointer, -count - 1)
    }

    /// Makes room for `count` more values; throws if the stack cannot grow.
    public func ensureStack(_ count: Int32) throws(LuaError) {
        guard lua_checkstack(pointer, count) != 0 else {
            throw LuaError(kind: .memory, message: "Lua stack overflow")
        }
    }

    /// Pushes nil. Stack: +1.
    public func pushNil() { lua_pushnil(pointer) }

    /// Pushes a boolean. Stack: +1.
    public func push(_ value: Bool) { lua_pushboolean(pointer, value ? 1 : 0) }

    /// Pushes an integer. Stack: +1.
    public func push(_ value: Int) { lua_pushinteger(pointer, lua_Integer(value)) }

    /// Pushes an integer. Stack: +1.
    public func push(_ value: Int64) { lua_pushinteger(pointer, lua_Integer(value)) }

    /// Pushes a float. Stack: +1.
    public func push(_ value: Double) { lua_pushnumber(pointer, value) }

    /// Pushes a string; embedded NULs are kept. Stack: +1.
    public func push(_ value: String) {
        var text = value
        text.withUTF8 { bytes in
            _ = lua_pushlstring(pointer, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, bytes.count)
        }
    }

    /// Pushes raw bytes as a Lua string. Stack: +1.
    public func push(bytes: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(pointer, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }

    /// Pushes a copy of a ``LuaValue`` (tables deeply). Stack: +1.
    public func push(_ value: LuaValue) throws(LuaError) {
        switch value {
        case .nil: pushNil()
        case .boolean(let flag): push(flag)
        case .integer(let number): push(number)
        case .number(let number): push(number)
        case .string(let text): push(text)
        case .table(let entries):
            try ensureStack(3)
            let sequence = Self.sequenceLength(entries)
            lua_createtable(pointer, Int32(clamping: sequence), Int32(clamping: entries.count - sequence))
            for (key, element) in entries {
                if case .nil = key { continue }
                try push(key)
                try push(element)
                lua_rawset(pointer, -3)
            }
        case .opaque(let name):
            throw LuaError(kind: .type, message: "cannot push an opaque \(name) value")
        }
    }

    private static func sequenceLength(_ entries: [LuaValue: LuaValue]) -> Int {
        var length = 0
        while entries[.integer(Int64(length + 1))] != nil { length += 1 }
        return length
    }

    /// Pushes a copy of the value at `index`. Stack: +1.
    public func pushCopy(of index: Int32) { lua_pushvalue(pointer, index) }

    /// Pushes the global table. Stack: +1.
    public func pushGlobals() { _ = lua_rawgeti(pointer, clua_registryindex, lua_Integer(LUA_RIDX_GLOBALS)) }

    /// Pushes a new empty table with room for the given sizes. Stack: +1.
    public func pushTable(arrayCapacity: Int = 0, fieldCapacity: Int = 0) {
        lua_createtable(pointer, Int32(clamping: arrayCapacity), Int32(clamping: fieldCapacity))
    }

    /// The Lua type name of the value at `index` (`"nil"`, `"table"`, ...; `"no value"` past the top).
    public func typeName(at index: Int32) -> String {
        String(cString: lua_typename(pointer, lua_type(pointer, index)))
    }

    /// True if the value at `index` is nil or absent.
    public func isNil(at index: Int32) -> Bool { lua_type(pointer, index) <= 0 }

    /// True if the value at `index` is a function.
    public func isFunction(at index: Int32) -> Bool { lua_type(pointer, index) == LUA_TFUNCTION }

    /// True if the value at `index` is a table.
    public func isTable(at index: Int32) -> Bool { lua_type(pointer, index) == LUA_TTABLE }

    /// The string at `index` (no number conversion), or nil if it is not a string.
    public func string(at index: Int32) -> String? {
        guard lua_type(pointer, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let characters = lua_tolstring(pointer, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: characters, count: length), as: UTF8.self)
    }

    /// The bytes of the string at `index`, or nil if it is not a string.
    public func bytes(at index: Int32) -> [UInt8]? {
        guard lua_type(pointer, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let characters = lua_tolstring(pointer, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: characters, count: length))
    }

    /// The number at `index` (integers converted), or nil if it is not a number.
    public func number(at index: Int32) -> Double? {
        guard lua_type(pointer, index) == LUA_TNUMBER else { return nil }
        return lua_tonumberx(pointer, index, nil)
    }

    /// The integer at `index` (floats with an exact integer value converted), or nil.
    public func integer(at index: Int32) -> Int64? {
        guard lua_type(pointer, index) == LUA_TNUMBER else { return nil }
        var isInteger: Int32 = 0
        let value = lua_tointegerx(pointer, index, &isInteger)
        return isInteger != 0 ? Int64(value) : nil
    }

    /// True when the value at `index` is a number of the integer subtype (`3`, not `3.0`).
    public func isInteger(at index: Int32) -> Bool { lua_isinteger(pointer, index) != 0 }

    /// The boolean at `index`, or nil if it is not a boolean.
    public func boolean(at index: Int32) -> Bool? {
        guard lua_type(pointer, index) == LUA_TBOOLEAN else { return nil }
        return lua_toboolean(pointer, index) != 0
    }

    /// Lua's truth of the value at `index`: false only for nil and false.
    public func isTruthy(at index: Int32) -> Bool { lua_toboolean(pointer, index) != 0 }

    /// A deep copy of the value at `index`. Tables nested deeper than `maxDepth` (or cyclic)
    /// throw. Stack: unchanged.
    public func value(at index: Int32, maxDepth: Int = 64) throws(LuaError) -> LuaValue {
        let absolute = lua_absindex(pointer, index)
        switch lua_type(pointer, absolute) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(pointer, absolute) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(pointer, absolute) != 0 { return .integer(Int64(lua_tointegerx(pointer, absolute, nil))) }
            return .number(lua_tonumberx(pointer, absolute, nil))
        case LUA_TSTRING: return .string(string(at: absolute) ?? "")
        case LUA_TTABLE:
            guard maxDepth > 0 else {
                throw LuaError(kind: .type, message: "table nested too deeply (or cyclic)")
            }
            try ensureStack(3)
            var entries: [LuaValue: LuaValue] = [:]
            lua_pushnil(pointer)
            while lua_next(pointer, absolute) != 0 {
                let key: LuaValue
                let element: LuaValue
                do {
                    key = try value(at: -2, maxDepth: maxDepth - 1)
                    element = try value(at: -1, maxDepth: maxDepth - 1)
                } catch {
                    pop(2)
                    throw error
                }
                entries[key] = element
                pop()
            }
            return .table(entries)
        default:
            return .opaque(typeName(at: absolute))
        }
    }

    /// Pushes `table[key]` without metamethods. Stack: +1.
    public func rawField(_ key: String, of table: Int32) {
        let absolute = lua_absindex(pointer, table)
        push(key)
        _ = lua_rawget(pointer, absolute)
    }

    /// Sets `table[key]` to the top value without metamethods. Stack: -1.
    public func setRawField(_ key: String, of table: Int32) {
        let absolute = lua_absindex(pointer, table)
        push(key)
        clua_insert(pointer, -2)
        lua_rawset(pointer, absolute)
    }

    /// Sets `table[k] = v` without metamethods, for the key `k` below the value `v` on top of
    /// the stack (`table` must not be one of those two slots). Stack: -2.
    public func rawSet(in table: Int32) {
        lua_rawset(pointer, lua_absindex(pointer, table))
    }

    /// Pushes `table[index]` without metamethods. Stack: +1.
    public func rawElement(_ index: Int, of table: Int32) {
        _ = lua_rawgeti(pointer, table, lua_Integer(index))
    }

    /// Sets `table[index]` to the top value without metamethods. Stack: -1.
    public func setRawElement(_ index: Int, of table: Int32) {
        lua_rawseti(pointer, table, lua_Integer(index))
    }

    /// The raw length of the table or string at `index` (`#` without `__len`).
    public func rawLength(at index: Int32) -> Int { Int(lua_rawlen(pointer, index)) }
}

extension LuaState {
    /// The chunk name and current line of the function `level` steps up the call stack
    /// (0 = the running function, 1 = its caller), or nil if there is no such Lua function.
    public func position(ofLevel level: Int32) -> (chunk: String, line: Int)? {
        var record = lua_Debug()
        guard lua_getstack(pointer, level, &record) != 0, lua_getinfo(pointer, "Sl", &record) != 0,
              record.currentline > 0 else { return nil }
        var chunk = withUnsafeBytes(of: &record.short_src) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if let source = record.source.map({ String(cString: $0) }), source.hasPrefix("@") {
            chunk = String(source.dropFirst())
        }
        return (chunk, Int(record.currentline))
    }
}

extension LuaState {
    /// Advances a table traversal: pops a key and pushes the next key and its value, or pushes
    /// nothing and returns false at the end. Start with nil on top. Stack: -1, then +2 or 0.
    public func next(_ table: Int32) -> Bool {
        lua_next(pointer, table) != 0
    }
}

extension LuaState {
    /// The declared parameters of the Lua function at `index` (0 for C functions) and whether
    /// it takes `...`. Stack: unchanged.
    public func parameters(ofFunctionAt index: Int32) -> (count: Int, isVararg: Bool) {
        var record = lua_Debug()
        lua_pushvalue(pointer, index)
        guard lua_getinfo(pointer, ">u", &record) != 0 else { return (0, true) }
        return (Int(record.nparams), record.isvararg != 0)
    }

    /// The line where the Lua function at `index` is defined (`function` keyword), or nil for
    /// C functions and main chunks. Stack: unchanged.
    public func definitionLine(ofFunctionAt index: Int32) -> Int? {
        var record = lua_Debug()
        lua_pushvalue(pointer, index)
        guard lua_getinfo(pointer, ">S", &record) != 0, record.linedefined > 0 else { return nil }
        return Int(record.linedefined)
    }
}
