/// A random rule file and event stream for the differential test (``DifferentialTests``): built
/// from a seed, the same seed always giving the same case.
///
/// The rules cover the whole DSL: every matcher for `on` and `page`; `where` tables (dotted
/// keys, numbers as text, `not_equal`, `type`) and functions that read fields by name, read
/// nested fields, iterate `e`, keep upvalues (and a nested table of `e`) across calls, write and
/// read `guest.data`, call `count`, add points and fail; `when` conditions reading `points`,
/// `sessions`, `goals[id]`, `outcomes[id]`, `session.*`, `data`, `id`; `once = false`; points and
/// values as functions; experiments assigned by events and by hash with every metric
/// constructor and every method. The events mix non-ASCII and canonically equivalent strings
/// (NFC and NFD, raw and `\u` escaped), integers, floats and numbers as text, hundreds of
/// guests, session gaps, explicit sessions, out-of-order times, exposures and bad lines.
struct RuleFuzzCase {
    /// The rule file's declarations, each a self-contained piece of Lua (with the locals it
    /// uses), in order; the first is always `settings`.
    var declarations: [String]
    /// JSON Lines.
    var events: [String]

    /// The rule file.
    var ruleSource: String { declarations.joined(separator: "\n") }

    init(declarations: [String], events: [String]) {
        self.declarations = declarations
        self.events = events
    }

    /// The case for `seed`.
    init(seed: UInt64) {
        var random = FuzzRandom(seed: seed)
        var builder = RuleBuilder(random: random)
        builder.build()
        random = builder.random
        declarations = builder.declarations
        var stream = EventStreamBuilder(random: random, experiments: builder.experiments)
        events = stream.build()
    }
}

/// SplitMix64: small, seeded, the same on every platform.
struct FuzzRandom {
    private var state: UInt64

    /// The seed is mixed first: SplitMix64 steps its state by a constant, so states that differ
    /// by a multiple of it (seeds n and n + 1, unmixed) would give the same sequence shifted.
    init(seed: UInt64) { state = Self.mix(seed ^ 0x2545_F491_4F6C_DD1D) }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    mutating func pick<Element>(_ items: [Element]) -> Element { items[int(0...items.count - 1)] }
}

/// Strings that look alike: the NFC and NFD forms of the same text are different strings to Lua.
enum FuzzText {
    static let cafeNFC = "caf\u{E9}"
    static let cafeNFD = "cafe\u{301}"
    static let pages = ["/", "/pricing", "/docs/intro", "/docs/api", "/blog/hello-1", "/blog/Big_Post",
                        "/\(cafeNFC)", "/\(cafeNFD)", "/checkout", "/Checkout"]
    static let types = ["VIEW", "view", "FORM", "CONFIRM", "VIDEO", "SIGNUP", "\(cafeNFC)_click", "\(cafeNFD)_click"]
    static let forms = ["pricing", "newsletter", "demo", "Pricing", cafeNFC, cafeNFD]
    static let plans = ["pro", "free", "basic", cafeNFC, cafeNFD]
    /// JSON texts of `seats`: the same number in several forms, and as text.
    static let seats = ["5", "5.0", "5e0", "\"5\"", "\"5.0\"", "7", "-0.0", "0", "1e20", "12345678901234567890",
                        "2.5", "\"seven\"", "true", "null"]

    /// A Lua string literal with every byte outside printable ASCII written as `\ddd`, so the
    /// source says exactly which bytes the string holds.
    static func lua(_ text: String) -> String {
        var literal = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): literal += "\\" + String(UnicodeScalar(byte))
            case 0x20..<0x7F: literal += String(UnicodeScalar(byte))
            default: literal += "\\" + String(byte)
            }
        }
        return literal + "\""
    }

    /// A JSON string literal; non-ASCII as raw UTF-8, or as `\u` escapes when `escaped`.
    static func json(_ text: String, escaped: Bool = false) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case _ where scalar.value < 0x20: literal += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value >= 0x80 && escaped:
                for unit in String(scalar).utf16 { literal += String(format: "\\u%04x", unit) }
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }
}

/// Builds the declarations of a case.
private struct RuleBuilder {
    var random: FuzzRandom
    var declarations: [String] = []
    /// Per experiment: its id, variants, and whether EXPOSURE events assign it.
    var experiments: [(id: String, variants: [String], byEvents: Bool)] = []
    private var goals: [String] = []
    private var outcomes: [String] = []
    private var locals = 0

    init(random: FuzzRandom) { self.random = random }

    mutating func build() {
        let timeout = random.pick(["30m", "10m", "45m"])
        let lateness = random.pick(["0s", "5m", "20m"])
        declarations.append("settings { session_timeout = \(FuzzText.lua(timeout)), allowed_lateness = \(FuzzText.lua(lateness)), "
            + "currency = \"EUR\" }")
        for _ in 0..<random.int(2...7) { declarations.append(goal()) }
        for _ in 0..<random.int(1...6) { declarations.append(outcome()) }
        for _ in 0..<random.int(0...2) { declarations.append(experiment()) }
    }

    /// A fresh local name, for functions that keep state in upvalues.
    private mutating func local(_ stem: String) -> String {
        locals += 1
        return "\(stem)_\(locals)"
    }

    private mutating func typeMatcher() -> String {
        switch random.int(0...5) {
        case 0: return FuzzText.lua(random.pick(FuzzText.types))
        case 1: return "{ \(FuzzText.lua(random.pick(FuzzText.types))), \(FuzzText.lua(random.pick(FuzzText.types))) }"
        case 2: return "prefix \(FuzzText.lua(random.pick(["V", "v", "CON", "\(FuzzText.cafeNFC.uppercased())"])))"
        case 3: return "regex \(FuzzText.lua(random.pick(["^(VIEW|FORM)$", "IDEO", "^C", "CLICK$"])))"
        default: return FuzzText.lua(random.pick(["VIEW", "FORM", "CONFIRM"]))
        }
    }

    private mutating func pageMatcher() -> String {
        switch random.int(0...4) {
        case 0: return FuzzText.lua(random.pick(FuzzText.pages))
        case 1: return "{ \(FuzzText.lua(random.pick(FuzzText.pages))), \(FuzzText.lua(random.pick(FuzzText.pages))) }"
        case 2: return "prefix \(FuzzText.lua(random.pick(["/docs/", "/blog/", "/caf", "/"])))"
        default:
            let patterns = ["^/blog/[a-z0-9-]+$", "caf", "^/docs/(intro|api)$", "heck", "^/\(FuzzText.cafeNFC)$", "\u{301}"]
            return "regex \(FuzzText.lua(random.pick(patterns)))"
        }
    }

    private mutating func whereTable() -> String {
        let entries = [
            "form = \(FuzzText.lua(random.pick(FuzzText.forms)))",
            "[\"utm.medium\"] = \(FuzzText.lua(random.pick(["cpc", "email"])))",
            "seats = \(random.pick(["\"5\"", "5", "\"5.0\"", "5.0", "7", "1e20", "\"1e+20\"", "0"]))",
            "plan = not_equal(\(FuzzText.lua(random.pick(FuzzText.plans))))",
            "type = \(FuzzText.lua(random.pick(["FORM", "VIEW", "form"])))",
            "flag = \(random.pick(["true", "false"]))",
            "plan = \(FuzzText.lua(random.pick(FuzzText.plans)))",
            "percent = \(random.pick(["75", "75.5", "\"75\"", "100"]))",
            "[\"utm.source\"] = not_equal(\"news\")",
        ]
        let count = random.int(1...2)
        return "{ " + (0..<count).map { _ in random.pick(entries) }.joined(separator: ", ") + " }"
    }

    /// A `where` function, with the locals it keeps before it.
    private mutating func whereFunction() -> (prologue: String, function: String) {
        switch random.int(0...17) {
        case 0: return ("", "function(e) return e.form == \(FuzzText.lua(random.pick(FuzzText.forms))) end")
        case 1: return ("", "function(e) return e.utm ~= nil and e.utm.medium == \"cpc\" end")
        case 2: return ("", "function(e) local n = 0 for _ in pairs(e) do n = n + 1 end return n % 2 == 0 end")
        case 3: return ("", "function(e) return tostring(e.seats) == \(random.pick(["\"5\"", "\"5.0\"", "\"1e+20\""])) end")
        case 4: return ("", "function(e, guest) guest.data.plan = e.plan return true end")
        case 5: return ("", "function(e, guest) return guest.data.plan == \(FuzzText.lua(random.pick(FuzzText.plans))) end")
        case 6: return ("", "function(e) count(\"seen_\" .. tostring(e.form)) return true end")
        case 7:
            return ("", "function(e) count(\(FuzzText.lua(FuzzText.cafeNFC))) count(\(FuzzText.lua(FuzzText.cafeNFD)), 2) "
                + "return e.page == \(FuzzText.lua("/" + FuzzText.cafeNFC)) end")
        case 8:
            let calls = local("calls")
            return ("local \(calls) = 0", "function(e) \(calls) = \(calls) + 1 return \(calls) % 3 == 0 end")
        case 9:
            let last = local("last")
            return ("local \(last)", "function(e) local previous = \(last) \(last) = e.utm "
                + "return previous ~= nil and previous.medium == \"email\" end")
        case 10: return ("", "function(e, guest) guest:add_points(2) return (tonumber(e.percent) or 0) >= 50 end")
        case 11: return ("", "function(e) return math.type(e.seats) == \(FuzzText.lua(random.pick(["float", "integer"]))) end")
        case 12: return ("", "function(e) return e.tags ~= nil and #e.tags > 1 end")
        case 13:
            return ("", "function(e, guest) guest.data.visits = (guest.data.visits or 0) + 1 "
                + "return guest.data.visits % 2 == 0 end")
        case 14: return ("", "function(e) return e.page ~= nil and e.page:find(\"docs\", 1, true) ~= nil end")
        case 15: return ("", "function(e) return e.missing.field == 1 end")
        case 16 where !goals.isEmpty:
            return ("", "function(e, guest) return guest.goals[\(FuzzText.lua(random.pick(goals)))] > 0 end")
        default: return ("", "function(e) return e.type == \(FuzzText.lua(random.pick(["VIEW", "FORM"]))) and e.seats ~= nil end")
        }
    }

    /// Fields `on`, `page` and `where` (some of them) and the prologue their functions need.
    private mutating func matchers(allowNone: Bool) -> (prologue: String, fields: [String]) {
        var fields: [String] = []
        var prologue = ""
        if random.chance(0.75) { fields.append("on = \(typeMatcher())") }
        if random.chance(0.35) { fields.append("page = \(pageMatcher())") }
        switch random.int(0...2) {
        case 0: fields.append("where = \(whereTable())")
        case 1:
            let (locals, function) = whereFunction()
            prologue = locals
            fields.append("where = \(function)")
        default: break
        }
        if fields.isEmpty && !allowNone { fields.append("on = \"VIEW\"") }
        return (prologue, fields)
    }

    private mutating func points() -> String {
        switch random.int(0...5) {
        case 0: return "function(e) return (tonumber(e.percent) or 10) / 10 end"
        case 1: return "function(e, guest) return guest.session.views end"
        case 2: return "function(e, guest) return #guest.id end"
        case 3: return "2.5"
        default: return String(random.int(1...20))
        }
    }

    private mutating func goal() -> String {
        let id = "g_\(goals.count + 1)"
        var (prologue, fields) = matchers(allowNone: false)
        fields.insert("name = \(FuzzText.lua(random.chance(0.2) ? "Goal \(FuzzText.cafeNFD)" : "Goal \(goals.count + 1)"))", at: 0)
        fields.append("points = \(points())")
        if random.chance(0.5) { fields.append("count = \(FuzzText.lua(random.pick(["every", "session", "guest"])))") }
        goals.append(id)
        return prologue + (prologue.isEmpty ? "" : "\n") + "goal \"\(id)\" { \(fields.joined(separator: ", ")) }"
    }

    /// A `when(guest[, e])` condition, with its prologue.
    private mutating func condition() -> (prologue: String, function: String) {
        switch random.int(0...14) {
        case 0, 1: return ("", "function(guest) return guest.points >= \(random.int(3...40)) end")
        case 12:
            let helper = local("above")
            return ("local function \(helper)(guest, n) return guest.points > n end",
                    "function(guest) return \(helper)(guest, \(random.int(2...30))) end")
        case 13:
            let seen = local("seen")
            return ("local \(seen) = {}",
                    "function(guest) local n = (\(seen)[guest.points] or 0) + 1 \(seen)[guest.points] = n return n > 3 end")
        case 14: return ("", "function(guest) return math.max(guest.points, guest.sessions * 3) > \(random.int(5...30)) end")
        case 2 where !goals.isEmpty:
            return ("", "function(guest) return guest.goals[\(FuzzText.lua(random.pick(goals)))] >= \(random.int(1...3)) end")
        case 3 where !outcomes.isEmpty:
            return ("", "function(guest) return guest.outcomes[\(FuzzText.lua(random.pick(outcomes)))] end")
        case 4: return ("", "function(guest) return guest.session.views >= \(random.int(2...4)) end")
        case 5: return ("", "function(guest) return guest.data.plan == \(FuzzText.lua(random.pick(FuzzText.plans))) end")
        case 6: return ("", "function(guest) return guest.sessions >= \(random.int(2...3)) end")
        case 7: return ("", "function(guest) return guest.id:sub(1, 1) == \(FuzzText.lua(random.pick(["g", "z", "u"]))) and guest.points > 4 end")
        case 8: return ("", "function(guest, e) return e.type == \"CONFIRM\" and guest.points > \(random.int(1...10)) end")
        case 9: return ("", "function(guest) return guest.data.visits ~= nil and guest.data.visits >= \(random.int(2...4)) end")
        case 10:
            return ("", "function(guest) local n = 0 for _ in pairs(guest.data) do n = n + 1 end return n >= 2 end")
        default:
            let threshold = local("threshold")
            return ("local \(threshold) = \(random.int(2...30))", "function(guest) return guest.points > \(threshold) end")
        }
    }

    private mutating func outcome() -> String {
        let id = "o_\(outcomes.count + 1)"
        var prologue = ""
        var fields: [String] = []
        let group = random.pick(["Lead", "Purchased", FuzzText.cafeNFC, FuzzText.cafeNFD, ""])
        if !group.isEmpty { fields.append("group = \(FuzzText.lua(group))") }
        let kind = random.int(0...2)
        if kind != 1 {
            let (locals, function) = condition()
            prologue = locals
            fields.append("when = \(function)")
        }
        if kind != 0 {
            let (locals, matched) = matchers(allowNone: false)
            prologue += (prologue.isEmpty || locals.isEmpty ? "" : "\n") + locals
            fields += matched
        }
        fields.append("value = " + random.pick(["100", "12.5", "function(e) return tonumber(e.revenue) or 1 end"]))
        if random.chance(0.3) { fields.append("once = false") }
        outcomes.append(id)
        return prologue + (prologue.isEmpty ? "" : "\n") + "outcome \"\(id)\" { \(fields.joined(separator: ", ")) }"
    }

    /// A goal metric, with the prologue its functions need.
    private mutating func metric() -> (prologue: String, metric: String) {
        let per = { (options: [String], random: inout FuzzRandom) -> String in
            ", per = \(FuzzText.lua(random.pick(options)))"
        }
        switch random.int(0...8) {
        case 0: return ("", "conversion_rate { on = \(typeMatcher())\(per(["guest", "session"], &random)) }")
        case 1:
            let (prologue, function) = whereFunction()
            return (prologue, "conversion_rate { where = \(function) }")
        case 2: return ("", "revenue { \(per(["guest", "session", "order"], &random).dropFirst(2)) }")
        case 3: return ("", "bounce_rate { page = \(pageMatcher()) }")
        case 4: return ("", "exit_rate { page = \(pageMatcher()) }")
        case 5: return ("", "page_view { page = \(pageMatcher())\(per(["guest", "session"], &random)) }")
        case 6 where !goals.isEmpty:
            return ("", "goal_rate { goal = \(FuzzText.lua(random.pick(goals)))\(per(["guest", "session"], &random)) }")
        case 7: return ("", "engagement_value { \(per(["guest", "session"], &random).dropFirst(2)) }")
        default:
            return ("", "custom { on = \(typeMatcher()), value = function(e, guest) return (tonumber(e.percent) or 1) + guest.session.events end"
                + "\(per(["guest", "session"], &random)) }")
        }
    }

    private mutating func experiment() -> String {
        let id = "x_\(experiments.count + 1)"
        let variantIDs = random.pick([["a", "b"], ["control", "v1", "v2"], ["c", FuzzText.cafeNFC, FuzzText.cafeNFD]])
        let weighted = random.chance(0.3)
        let variants = weighted
            ? variantIDs.enumerated().map { "{ id = \(FuzzText.lua($0.element)), weight = \($0.offset + 1) }" }
            : variantIDs.map(FuzzText.lua)
        let byEvents = random.chance(0.5)
        var fields = ["variants = { \(variants.joined(separator: ", ")) }"]
        if byEvents {
            fields.append("assign = \"events\"")
        } else {
            fields.append("assign = \"hash\"")
            if random.chance(0.5) { fields.append("traffic = \(random.pick(["0.8", "0.5", "1"]))") }
            if random.chance(0.6) { fields.append("eligible = { \(random.chance(0.5) ? "page = \(pageMatcher())" : "on = \(typeMatcher())") }") }
        }
        let metrics = (0..<random.int(1...5)).map { _ in metric() }
        fields.append("goals = { \(metrics.map(\.metric).joined(separator: ", ")) }")
        fields.append("sample = { base_rate = \(random.pick(["0.3", "0.5", "0.05"])), mde = \(random.pick(["0.5", "0.9", "0.2"])) }")
        fields.append("method = \(FuzzText.lua(random.pick(["fixed", "sequential", "bayesian"])))")
        if random.chance(0.5) {
            fields.append("on_conclusive = \(FuzzText.lua(random.pick(["promote_winner", "revert_to_control", "complete"])))")
        }
        experiments.append((id, variantIDs, byEvents))
        let prologue = metrics.map(\.prologue).filter { !$0.isEmpty }.joined(separator: "\n")
        return prologue + (prologue.isEmpty ? "" : "\n") + "experiment \"\(id)\" { \(fields.joined(separator: ", ")) }"
    }
}

/// Builds the events of a case.
private struct EventStreamBuilder {
    var random: FuzzRandom
    let experiments: [(id: String, variants: [String], byEvents: Bool)]

    /// 2023-11-14T22:13:20Z, in milliseconds.
    static let start: Int64 = 1_700_000_000_000

    mutating func build() -> [String] {
        let guestCount = random.int(20...300)
        let guests = (0..<guestCount).map { number -> String in
            switch number % 23 {
            case 5: return "zo\u{EB}\(number / 23)"
            case 6: return "zoe\u{308}\(number / 23)"
            case 7: return "\u{7528}\u{6237}\(number)"
            default: return "g\(number)"
            }
        }
        var clock = Self.start
        var lines: [String] = []
        for _ in 0..<random.int(200...900) {
            clock += Int64(random.int(0...90_000))
            if random.chance(0.02) { clock += Int64(random.int(20...120)) * 60_000 }
            let guest = random.pick(guests)
            var ts = clock
            if random.chance(0.05) { ts -= Int64(random.int(1...3_600_000)) }
            lines.append(event(guest: guest, ts: ts))
        }
        return lines
    }

    private mutating func event(guest: String, ts: Int64) -> String {
        let escaped = random.chance(0.3)
        var fields = ["\"guest\":\(FuzzText.json(guest, escaped: escaped))"]
        fields.append(random.chance(0.1) ? "\"ts\":\"\(Self.rfc3339(ts))\"" : "\"ts\":\(ts)")
        if random.chance(0.01) { return "{\"type\":\"VIEW\",\(fields.joined(separator: ","))" }  // bad JSON
        if random.chance(0.01) { return "{\"type\":\"VIEW\",\"ts\":\(ts)}" }  // no guest
        if !experiments.isEmpty, random.chance(0.08) {
            let experiment = random.pick(experiments)
            let variant = random.chance(0.03) ? "nope" : random.pick(experiment.variants)
            fields.insert("\"type\":\"EXPOSURE\"", at: 0)
            fields.append("\"experiment\":\(FuzzText.json(experiment.id)),\"variant\":\(FuzzText.json(variant, escaped: escaped))")
            return "{" + fields.joined(separator: ",") + "}"
        }
        let type = random.pick(FuzzText.types + ["VIEW", "VIEW", "VIEW", "FORM", "CONFIRM"])
        fields.insert("\"type\":\(FuzzText.json(type, escaped: escaped))", at: 0)
        if random.chance(0.8) { fields.append("\"page\":\(FuzzText.json(random.pick(FuzzText.pages), escaped: escaped))") }
        if random.chance(0.05) { fields.append("\"session\":\(FuzzText.json(random.pick(["s1", "s2"])))") }
        if random.chance(0.4) { fields.append("\"form\":\(FuzzText.json(random.pick(FuzzText.forms), escaped: escaped))") }
        if random.chance(0.4) { fields.append("\"plan\":\(FuzzText.json(random.pick(FuzzText.plans), escaped: escaped))") }
        if random.chance(0.5) { fields.append("\"seats\":\(random.pick(FuzzText.seats))") }
        if random.chance(0.4) { fields.append("\"percent\":\(random.pick(["0", "50", "75", "75.5", "100", "\"75\""]))") }
        if random.chance(0.3) {
            fields.append("\"utm\":{\"medium\":\(FuzzText.json(random.pick(["cpc", "email"]))),\"source\":\(FuzzText.json(random.pick(["google", "news"])))}")
        }
        if random.chance(0.2) { fields.append("\"revenue\":\(random.pick(["10", "99.5", "0", "250"]))") }
        if random.chance(0.01) { fields.append("\"revenue\":\"ten\"") }  // rejected: revenue must be a number
        if random.chance(0.2) { fields.append("\"tags\":[\"a\",\"b\"\(random.chance(0.5) ? ",\"c\"" : "")]") }
        if random.chance(0.2) { fields.append("\"flag\":\(random.pick(["true", "false"]))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func rfc3339(_ milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        let days = seconds / 86_400
        var remainder = seconds % 86_400
        let hour = remainder / 3600
        remainder %= 3600
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = milliseconds % 1000
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(remainder / 60)):\(two(remainder % 60)).\(fraction)Z"
    }
}
