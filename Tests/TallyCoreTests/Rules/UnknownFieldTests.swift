import Testing
@testable import TallyCore

/// A wrong field of a declaration is reported at the field's own line (SPEC §3), with the
/// nearest known field.
@Suite struct UnknownFieldTests {
    static let cases: [(source: String, expected: String)] = [
        // A goal's field a few lines down.
        ("goal \"x\" {\n  name = \"X\",\n  on = \"VIEW\",\n  pionts = 5,\n}",
         "r/a.lua:4: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
        // On the declaration's own line.
        ("\ngoal \"x\" { on = \"VIEW\", pionts = 5 }", "r/a.lua:2: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
        // The same key inside a nested table first (a `where` field), then at the top level.
        ("goal \"x\" {\n  where = { pionts = 1 },\n  -- pionts = 2\n  name = \"pionts = 3\",\n  pionts = 4,\n}",
         "r/a.lua:5: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
        // A key written twice: the last one, whose value Lua keeps.
        ("goal \"x\" {\n  pionts = 1,\n  on = \"VIEW\",\n  pionts = 2,\n}",
         "r/a.lua:4: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
        // An earlier declaration with the same key does not count.
        ("goal \"a\" { on = \"VIEW\" }\ngoal \"x\" {\n  on = \"VIEW\",\n\n  [\"pionts\"] = 5,\n}",
         "r/a.lua:5: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
        // Two declarations on one line: the one named.
        ("goal \"a\" { on = \"VIEW\" } goal \"b\" { on = \"VIEW\",\n  cont = \"guest\" }",
         "r/a.lua:2: goal 'b': unknown field 'cont' (did you mean 'count'?)"),
        // An outcome; a field nothing is near lists the known fields.
        ("outcome \"o\" {\n  on = \"VIEW\",\n  colour = \"red\",\n}",
         "r/a.lua:3: outcome 'o': unknown field 'colour' (known fields: currency, group, name, on, once, page, value, when, where)"),
        // A wrongly typed field is at its line too.
        ("goal \"x\" {\n  on = \"VIEW\",\n  count = \"twice\",\n}",
         "r/a.lua:3: goal 'x': field 'count' must be one of \"every\", \"session\", \"guest\", got \"twice\""),
        // A metric constructor's field, the second constructor on a line.
        ("experiment \"e\" {\n  variants = { \"a\", \"b\" },\n  goals = {\n    conversion_rate { id = \"c\" }, revenue { id = \"r\",\n"
            + "      fild = \"amount\" },\n  },\n}",
         "r/a.lua:5: revenue: unknown field 'fild' (did you mean 'field'?)"),
        // Inside the sample table.
        ("experiment \"e\" {\n  variants = { \"a\", \"b\" },\n  goals = { conversion_rate { } },\n  sample = {\n"
            + "    base_rate = 0.1,\n    mdee = 0.2,\n  },\n}",
         "r/a.lua:6: experiment 'e' sample: unknown field 'mdee' (did you mean 'mde'?)"),
        // Inside eligible, on the declaration's line.
        ("experiment \"e\" { variants = { \"a\", \"b\" }, goals = { conversion_rate { } }, eligible = { pag = \"/\" } }",
         "r/a.lua:1: experiment 'e' eligible: unknown field 'pag' (did you mean 'page'?)"),
        // An experiment's own field after a long string and a long comment.
        ("experiment \"e\" {\n  name = [[two\nlines]],\n  --[[ a\n  comment ]]\n  variants = { \"a\", \"b\" },\n"
            + "  goals = { conversion_rate { } },\n  metod = \"fixed\",\n}",
         "r/a.lua:8: experiment 'e': unknown field 'metod' (did you mean 'method'?)"),
        ("settings {\n  currency = \"EUR\",\n  session_timout = \"30m\",\n}",
         "r/a.lua:3: settings: unknown field 'session_timout' (did you mean 'session_timeout'?)"),
        // A table built elsewhere: the declaration's line.
        ("local spec = {\n  on = \"VIEW\",\n  pionts = 1,\n}\ngoal \"x\" (spec)",
         "r/a.lua:5: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
    ]

    @Test(arguments: cases.indices)
    func aWrongFieldNamesItsOwnLine(_ index: Int) {
        let (source, expected) = Self.cases[index]
        var message: String?
        do {
            _ = try RuleLoader().load(sources: [("r/a.lua", source)])
        } catch {
            message = error.description
        }
        #expect(message == expected, "\(source)")
    }

    /// A long rule file path loads under a short chunk name; the error still names the path.
    @Test func aLongPathIsNamedInFull() {
        let file = "rules/" + String(repeating: "nested/", count: 10) + "goals.lua"
        var message: String?
        do {
            _ = try RuleLoader().load(sources: [(file, "goal \"x\" {\n  on = \"VIEW\",\n  pionts = 1,\n}")])
        } catch {
            message = error.description
        }
        #expect(message == "\(file):3: goal 'x': unknown field 'pionts' (did you mean 'points'?)")
    }

    static let finderCases: [(source: String, path: [String], callee: String, id: String?, line: Int, found: Int?)] = [
        ("goal \"x\" {\n  a = 1,\n}", ["a"], "goal", "x", 1, 2),
        ("goal(\"x\")({\n  a = 1,\n})", ["a"], "goal", "x", 1, 2),
        ("goal \"y\" {\n  a = 1,\n}", ["a"], "goal", "x", 1, nil),            // another id
        ("goal \"x\" {\n  b = { a = 1 },\n}", ["a"], "goal", "x", 1, nil),     // only nested
        ("goal \"x\" {\n  b = 'it''s', a == 1,\n}", ["a"], "goal", "x", 1, nil),  // a comparison, not a key
        ("goal \"x\" {\n  b = \"\\\"\", a = 1,\n}", ["a"], "goal", "x", 1, 2),  // an escaped quote
        ("goal \"x\" {\n  b = { c = 1,\n    a = 2 }, a = 3 }", ["b", "a"], "goal", "x", 1, 3),
        ("conversion_rate { a = 1 }", ["a"], "conversion_rate", nil, 1, 1),
        ("goal \"x\" {\r\n  b = 1,\r\n  a = 1,\r\n}", ["a"], "goal", "x", 1, 3),
    ]

    @Test(arguments: finderCases.indices)
    func theFinderReadsLuaText(_ index: Int) {
        let test = Self.finderCases[index]
        let finder = DeclarationFieldFinder(source: test.source)
        #expect(finder.line(ofField: test.path, callee: test.callee, id: test.id, declaredAt: test.line) == test.found,
                "\(test.source)")
    }
}
