import CLua
import CLuaPatterns
import CLuaSupport

/// A VM prepared for untrusted scripts (SPEC §3): an allow-list of libraries shared read-only by
/// every script, one environment per script file, a protected string metatable, no
/// `string.dump`, `load`, `io`, `os`, `debug`, `package` or `require`, no `__gc` finalizers, an
/// instruction budget per call and a memory cap per VM.
///
/// Trusted code (the host, the DSL prelude) adds names for scripts with ``setShared(_:)``; a
/// script's own globals live in its environment and never leak into another's. Globals are
/// strict: reading a name that neither the script's environment nor the shared table holds
/// raises "undefined global 'name'" at the reading line, where plain Lua would give nil.
public final class LuaSandbox {
    /// The underlying VM.
    public let state: LuaState
    /// The table behind every environment's reads: safe base functions and read-only libraries.
    private let shared: LuaRef
    /// Builds a fresh environment over `shared` (a function made by the setup chunk).
    private let environmentFactory: LuaRef

    /// Base functions scripts may call. Everything else of the base library is left out.
    public static let allowedBaseFunctions = [
        "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "select",
        "setmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION",
    ]

    /// Libraries scripts see, each through a read-only proxy.
    public static let allowedLibraries = ["string", "table", "math", "utf8"]

    /// Opens a sandboxed VM.
    /// - Parameters:
    ///   - memoryLimit: bytes the VM may hold while scripts run.
    ///   - instructionBudget: instructions one call into a script may execute.
    ///   - patternStepLimit: steps one Lua pattern operation may take (guards `string.find`,
    ///     `match`, `gmatch` and `gsub` against catastrophic backtracking).
    public init(memoryLimit: Int = 64 << 20, instructionBudget: Int = 1_000_000,
                patternStepLimit: Int = 5_000_000) throws(LuaError) {
        state = try LuaState(memoryLimit: memoryLimit, instructionBudget: instructionBudget)
        try state.openLibraries(["_G"] + Self.allowedLibraries)

        // Guard the pattern functions and drop string.dump in the real string table, which the
        // string metatable's __index also reaches.
        state.pushGlobals()
        state.rawField("string", of: -1)
        tally_patterns_install(state.pointer, -1)
        tally_patterns_set_step_limit(state.pointer, Int64(patternStepLimit))
        state.pushNil()
        state.setRawField("dump", of: -2)
        state.pop(2)

        try state.load(Self.setupSource, chunkName: "=sandbox")
        try state.push(LuaValue.array(Self.allowedBaseFunctions.map { .string($0) }))
        try state.push(LuaValue.array(Self.allowedLibraries.map { .string($0) }))
        try state.call(arguments: 2, results: 2)
        environmentFactory = LuaRef(popping: state)
        shared = LuaRef(popping: state)
        // No finalizers: a __gc function would run whenever the collector does, outside any
        // protected call, instruction budget or memory cap.
        lua_pushcclosure(state.pointer, tally_setmetatable, 0)
        setShared("setmetatable")

        // Scripts now see only the sandbox: empty the real global table of everything unsafe.
        state.pushGlobals()
        for name in ["load", "loadfile", "dofile", "collectgarbage", "rawget", "rawset", "rawequal",
                     "rawlen", "print", "require"] {
            state.pushNil()
            state.setRawField(name, of: -2)
        }
        state.pop()
    }

    /// Sets `name` in the shared table every environment reads, to the value on top.
    /// Stack: -1.
    public func setShared(_ name: String) {
        shared.push()
        clua_insert(state.pointer, -2)
        state.setRawField(name, of: -2)
        state.pop()
    }

    /// Pushes the shared table (for trusted code only). Stack: +1.
    public func pushShared() { shared.push() }

    /// Creates a new environment for one script file: reads fall back to the shared names (a
    /// name in neither is an error), writes stay in the environment, `_G` is the environment
    /// itself. Stack: +1.
    public func pushNewEnvironment() throws(LuaError) {
        environmentFactory.push()
        try state.call(arguments: 0, results: 1)
    }

    /// Compiles `source` as text and binds it to the environment at `environment`.
    /// Stack: +1 (the function) on success, unchanged on error.
    public func load(_ source: String, chunkName: String, environment: Int32) throws(LuaError) {
        let environmentIndex = lua_absindex(state.pointer, environment)
        try state.load(source, chunkName: chunkName)
        state.pushCopy(of: environmentIndex)
        _ = lua_setupvalue(state.pointer, -2, 1)
    }

    /// Loads and runs a script file in a new environment and pushes that environment.
    /// Stack: +1 (the environment) on success, unchanged on error.
    public func run(_ source: String, chunkName: String) throws(LuaError) {
        try pushNewEnvironment()
        do {
            try load(source, chunkName: chunkName, environment: -1)
            try state.call(arguments: 0, results: 0)
        } catch {
            state.pop()
            throw error
        }
    }

    /// Trusted setup, run once with full access: builds the shared table from the allowed base
    /// functions and read-only proxies of the allowed libraries, protects the string metatable
    /// and returns (shared, environment factory).
    private static let setupSource = """
        local base_names, library_names = ...
        local G = _G
        local setmetatable, next, error, rawset = G.setmetatable, G.next, G.error, G.rawset

        local function readonly(target, name)
          local function iterate()
            local key
            return function()
              local value
              key, value = next(target, key)
              return key, value
            end
          end
          return setmetatable({}, {
            __index = target,
            __newindex = function() error("attempt to modify read-only table '" .. name .. "'", 2) end,
            __pairs = iterate,
            __len = function() return #target end,
            __metatable = false,
          })
        end

        local shared = {}
        for _, name in G.ipairs(base_names) do shared[name] = G[name] end
        for _, name in G.ipairs(library_names) do shared[name] = readonly(G[name], name) end

        local string_meta = G.getmetatable("")
        string_meta.__metatable = false
        string_meta.__index = G.string

        -- Strict globals: a name neither the environment nor the shared table holds is an error
        -- where it is read (level 2: the script's line). Names found in either table never
        -- reach this function, so reading `string`, `tostring` or a file's own globals costs
        -- what it did without it.
        setmetatable(shared, {
          __index = function(_, name) error("undefined global '" .. G.tostring(name) .. "'", 2) end,
          __metatable = false,
        })

        local environment_meta = { __index = shared, __metatable = false }
        local function new_environment()
          local environment = setmetatable({}, environment_meta)
          rawset(environment, "_G", environment)
          return environment
        end
        return shared, new_environment
        """
}
