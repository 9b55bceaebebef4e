import LuaKit

/// The REPL's Lua console: lines evaluated in the rules' sandbox.
extension RuleRuntime {
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
}
