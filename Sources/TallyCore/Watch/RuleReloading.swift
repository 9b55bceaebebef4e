/// Reloads the rules of `directory` into a running engine (hot reload, `tally watch`, the REPL).
///
/// The files are loaded and compiled in a fresh VM first; only a rule set that loads completely
/// is swapped in, between two events (``Engine/reload(_:)``). On an error the engine keeps its
/// previous rules and the error names the file and line.
/// - Returns: the reload's notes (what could not carry over, e.g. an experiment whose variants
///   changed), or the ``RuleError`` that stopped the load.
public func reloadRules(into engine: Engine, directory: String, loader: RuleLoader = RuleLoader())
    -> Result<[String], RuleError>
{
    let rules: RuleSet
    do {
        rules = try loader.load(directory: directory)
    } catch {
        return .failure(error)
    }
    return .success(engine.reload(rules))
}
