import Testing

@testable import TallyCore

/// Fields read lazily from the line's tape behave exactly like decoded ones, and a tape is
/// reused only once its event is gone.
@Suite struct EventTapeTests {
    /// The fields of a parsed event line.
    private func fields(_ line: String) throws -> JSONObject {
        try #require(EventTestSupport.value(EventTestSupport.parse(line))).fields
    }

    /// The same object decoded at once (``EventParser/parseJSON(_:)`` never keeps a tape).
    private func decoded(_ line: String) throws -> JSONObject {
        try #require(EventTestSupport.value(EventTestSupport.json(line))?.objectValue)
    }

    private let base = #""type":"VIEW","guest":"g1","ts":1700000000001"#

    @Test func ordinaryLinesStayOnTheTape() throws {
        let line = "{\(base),\"form\":\"pricing\",\"user\":{\"plan\":\"pro\"}}"
        let object = try fields(line)
        #expect(object.tapeObject != nil)
        #expect(object["form"] == .string("pricing"))
        #expect(object["type"] == .string("VIEW"))
        #expect(object["ts"] == .int(1_700_000_000_001))
        #expect(object["missing"] == nil)
        #expect(object.count == 5)
        #expect(object.keys == ["type", "guest", "ts", "form", "user"])
        #expect(object == (try decoded(line)))
    }

    @Test func stringsAreComparedOnTheLinesBytesWhenTheyCanBe() throws {
        let line = #"{"# + base + #","utm":{"medium":"cpc","n":3},"form":"pric\u0069ng","city":"Zürich","a":"x","a":"y"}"#
        let object = try #require(try fields(line).tapeObject)
        let cases: [(path: [String], wanted: String, verdict: Bool?)] = [
            (["utm", "medium"], "cpc", true),
            (["utm", "medium"], "cpm", false),
            (["utm", "source"], "cpc", false),    // missing key
            (["type", "x"], "VIEW", false),       // not an object
            (["a"], "y", true),                   // the last value
            (["a"], "x", false),
            // Text is bytes: canonically equal text that differs in bytes is another text.
            (["city"], "Zürich", true),
            (["city"], "Zu\u{308}rich", false),
            (["guest"], "Zu\u{308}rich", false),
            // Left to the decoded comparison: numbers, escapes, `type`.
            (["utm", "n"], "3", nil),
            (["form"], "pricing", nil),
            (["type"], "VIEW", nil),
        ]
        let plan = FieldConditionPlan(cases.map { FieldExpectation(path: $0.path, expected: .string($0.wanted)) })
        for (number, check) in cases.enumerated() {
            #expect(plan.bytesVerdict(ofExpectation: number, on: object) == check.verdict, "\(check.path) \(check.wanted)")
        }
        let numeric = FieldConditionPlan([FieldExpectation(path: ["utm", "n"], expected: .number(3))])
        #expect(numeric.bytesVerdict(ofExpectation: 0, on: object) == nil)
        // A nested object with an escaped key is decoded at once: the bytes cannot tell.
        let escaped = try #require(try fields("{\(base),\"o\":{\"k\\u0065y\":\"v\"}}").tapeObject)
        let nested = FieldConditionPlan([FieldExpectation(path: ["o", "key"], expected: .string("v"))])
        #expect(nested.bytesVerdict(ofExpectation: 0, on: escaped) == nil)
    }

    @Test func whereMatchesTheSameOnTheTapeAsDecoded() throws {
        let rules = """
            goal "cpc" { on = "VIEW", where = { ["utm.medium"] = "cpc" } }
            goal "not_cpc" { on = "VIEW", where = { ["utm.medium"] = not_equal("cpc") } }
            goal "three" { on = "VIEW", where = { n = "3" } }
            goal "umlaut" { on = "VIEW", where = { city = "Zu\u{0308}rich" } }
            goal "escaped" { on = "VIEW", where = { form = "pricing" } }
            """
        let lines = [
            #"{"type":"VIEW","guest":"a","ts":1700000000001,"utm":{"medium":"cpc"},"n":3,"city":"Zürich","form":"pric\u0069ng"}"#,
            #"{"type":"VIEW","guest":"a","ts":1700000000002,"utm":{"medium":"email"},"n":"3"}"#,
            #"{"type":"VIEW","guest":"a","ts":1700000000003,"utm":"cpc"}"#,
        ]
        let report = try EngineHarness(rules: rules).report(lines)
        let reached = Dictionary(uniqueKeysWithValues: report.goals.map { ($0.id, $0.reached) })
        // "Zürich" (NFC) is not "Zu\u{308}rich" (NFD): text is bytes.
        #expect(reached == ["cpc": 1, "not_cpc": 2, "three": 2, "umlaut": 0, "escaped": 1])
    }

    @Test func repeatedKeysTakeTheLastValueInTheFirstPosition() throws {
        let line = "{\(base),\"a\":1,\"b\":2,\"a\":3}"
        let object = try fields(line)
        #expect(object.tapeObject != nil)
        #expect(object["a"] == .int(3))
        #expect(object.count == 5)
        #expect(object.keys == ["type", "guest", "ts", "a", "b"])
        #expect(Array(object).map(\.value) == [.string("VIEW"), .string("g1"), .int(1_700_000_000_001), .int(3), .int(2)])
    }

    @Test func nestedObjectsAndPaths() throws {
        let line = "{\(base),\"utm\":{\"medium\":\"cpc\",\"deep\":{\"x\":[1,2.5,null,true]}},\"n\":5}"
        let object = try fields(line)
        #expect(object.value(atPath: ["utm", "medium"]) == .string("cpc"))
        #expect(object.value(atPath: ["utm", "deep", "x"]) == .array([.int(1), .number(2.5), .null, .bool(true)]))
        #expect(object.value(atPath: ["utm", "nope"]) == nil)
        #expect(object.value(atPath: ["n", "x"]) == nil)
        let utm = try #require(object["utm"]?.objectValue)
        #expect(utm.tapeObject != nil)
        #expect(utm["medium"] == .string("cpc"))
        #expect(utm == (try decoded(line))["utm"]?.objectValue)
    }

    @Test func nestedObjectsWithEscapedKeysAreDecoded() throws {
        let line = "{\(base),\"o\":{\"k\\u0065y\":{\"z\":1},\"key\":0}}"
        let object = try fields(line)
        #expect(object.tapeObject != nil)
        // "k\u0065y" is "key": the later member wins, in the first position.
        #expect(object.value(atPath: ["o", "key"]) == .int(0))
        let nested = try #require(object["o"]?.objectValue)
        #expect(nested.tapeObject == nil)
        #expect(nested.keys == ["key"])
        let line2 = "{\(base),\"o\":{\"k\\u0065y\":{\"z\":1}}}"
        #expect(try fields(line2).value(atPath: ["o", "key", "z"]) == .int(1))
    }

    @Test func escapedOrManyTopLevelKeysAreDecodedAtOnce() throws {
        let escaped = try fields("{\"typ\\u0065\":\"VIEW\",\"guest\":\"g\",\"ts\":1700000000001,\"a\":1}")
        #expect(escaped.tapeObject == nil)
        #expect(escaped["type"] == .string("VIEW"))
        let many = (0..<20).map { ",\"k\($0)\":\($0)" }.joined()
        let large = try fields("{\(base)\(many)}")
        #expect(large.tapeObject == nil)
        #expect(large["k19"] == .int(19))
        #expect(large.count == 23)
    }

    @Test func changingATapeObjectDecodesItFirst() throws {
        var object = try fields("{\(base),\"a\":1}")
        object["b"] = .string("new")
        object["a"] = nil
        #expect(object.tapeObject == nil)
        #expect(object.keys == ["type", "guest", "ts", "b"])
        #expect(object["b"] == .string("new"))
    }

    @Test func anEventKeptPastTheNextLineKeepsItsFields() throws {
        var parser = EventParser()
        func parse(_ text: String, _ line: Int) throws -> Event {
            let bytes = Array(text.utf8)
            return try #require(EventTestSupport.value(bytes.withUnsafeBytes { parser.parse($0, line: line) }))
        }
        let first = try parse(#"{"type":"VIEW","guest":"guest-number-one-longer","ts":1700000000001,"page":"/a","x":"first"}"#, 1)
        let second = try parse(#"{"type":"FORM","guest":"g2","ts":1700000000002,"x":"second-value-that-is-longer"}"#, 2)
        #expect(first.fields["x"] == .string("first"))
        #expect(first.fields["page"] == .string("/a"))
        #expect(first.guest == "guest-number-one-longer")
        #expect(second.fields["x"] == .string("second-value-that-is-longer"))
        // Once both events are gone, lines keep parsing onto a reused tape.
        for n in 3...5 {
            let event = try parse("{\"type\":\"VIEW\",\"guest\":\"g\(n)\",\"ts\":\(1_700_000_000_000 + n),\"x\":\(n)}", n)
            #expect(event.fields["x"] == .int(Int64(n)))
        }
    }

    @Test func aLineNeedingManyTokensGrowsTheTape() throws {
        let items = (0..<500).map(String.init).joined(separator: ",")
        let object = try fields("{\(base),\"xs\":[\(items)]}")
        guard case .array(let xs)? = object["xs"] else {
            Issue.record("xs is not an array")
            return
        }
        #expect(xs.count == 500)
        #expect(xs.last == .int(499))
    }
}

/// Text of up to 32 bytes in place, longer text as a `String`.
@Suite struct CompactStringTests {
    @Test(arguments: ["", "a", "1b7375090c4fa47d", String(repeating: "x", count: 32),
                      String(repeating: "y", count: 33), "caf\u{E9}-\u{1F600}", String(repeating: "\u{E9}", count: 20)])
    func keepsTheText(_ text: String) {
        let compact = CompactString(text)
        #expect(compact.string == text)
        #expect(compact.isEmpty == text.isEmpty)
        #expect((compact.inlineWords != nil) == (text.utf8.count <= 32))
        let fromBytes = Array(text.utf8).withUnsafeBufferPointer { CompactString(validUTF8: $0) }
        #expect(fromBytes == compact)
    }

    @Test func comparesBytes() {
        #expect(CompactString("abc") == CompactString("abc"))
        #expect(CompactString("abc") != CompactString("abd"))
        #expect(CompactString("abc") != CompactString("abc\0"))
        #expect(CompactString("caf\u{E9}") != CompactString("cafe\u{301}"))
        let long = String(repeating: "z", count: 40)
        #expect(CompactString(long) == CompactString(long))
        #expect(CompactString(long) != CompactString(long + "z"))
    }

    @Test func findsTheSameEntriesAsStrings() {
        var index = StringIndex()
        let ids = ["g1", "1b7375090c4fa47d", String(repeating: "q", count: 32), String(repeating: "r", count: 50)]
        for (number, id) in ids.enumerated() { #expect(index.findOrInsert(CompactString(id), value: number) == nil) }
        for (number, id) in ids.enumerated() {
            #expect(index.find(id) == number)
            #expect(index.findOrInsert(CompactString(id), value: 99) == number)
        }
        #expect(index.count == ids.count)
    }
}
