import Testing

@testable import TallyCore

/// Valid events of every shape, with exact values.
@Suite struct EventParserTests {
    private func event(_ text: String, line: Int = 1) throws -> Event {
        let result = EventTestSupport.parse(text, line: line)
        if case .failure(let rejection) = result { Issue.record("rejected: \(rejection)") }
        return try #require(EventTestSupport.value(result))
    }

    @Test func minimalEvent() throws {
        let e = try event(#"{"type":"view","guest":"g1","ts":1763632800250}"#, line: 7)
        #expect(e.type == "VIEW")
        #expect(e.guest == "g1")
        #expect(e.timestamp == 1_763_632_800_250)
        #expect(e.session == nil && e.page == nil && e.revenue == nil)
        #expect(e.experiment == nil && e.variant == nil)
        #expect(e.line == 7)
        #expect(e.fields == ["type": .string("view"), "guest": .string("g1"), "ts": .int(1_763_632_800_250)])
        #expect(e.fields.keys == ["type", "guest", "ts"])
    }

    @Test func linesParsedIntoOneEventReplaceEveryField() throws {
        let lines = [
            #"{"type":"CONFIRM","guest":"g1","ts":1700000000005,"session":"s1","page":"/checkout","revenue":49.99,"experiment":"x","variant":"a","sku":"pro"}"#,
            #"{"type":"view","guest":"g2","ts":1700000000006}"#,
            #"{"type":"view","guest":"g3"}"#,
            #"{"type":"form","guest":"g4","ts":1700000000008,"form":"pricing"}"#,
        ]
        var parser = EventParser()
        var event = Event.placeholder
        var seen: [String] = []
        for (offset, line) in lines.enumerated() {
            var text = line
            let rejection = text.withUTF8 { parser.parse(UnsafeRawBufferPointer($0), line: offset + 1, into: &event) }
            if let rejection {
                seen.append("rejected \(rejection.line): \(rejection.reason); fields \(event.fields.count)")
                continue
            }
            // The same event the Result API gives for the line.
            #expect(event == (try #require(EventTestSupport.value(EventTestSupport.parse(line, line: offset + 1)))))
            seen.append("\(event.type) \(event.guest) \(event.timestamp) \(event.session ?? "-") \(event.page ?? "-") "
                        + "\(event.revenue.map { "\($0)" } ?? "-") \(event.experiment ?? "-") \(event.variant ?? "-") "
                        + "\(event.fields.count)")
        }
        #expect(seen == [
            "CONFIRM g1 1700000000005 s1 /checkout 49.99 x a 9",
            "VIEW g2 1700000000006 - - - - - 3",
            "rejected 3: missing required field \"ts\"; fields 0",
            "FORM g4 1700000000008 - - - - - 4",
        ])
    }

    @Test func everyReservedField() throws {
        let e = try event(
            #"{"type":"CONFIRM","guest":"g1","ts":1700000000005,"session":"s1","page":"/checkout","revenue":49.99,"experiment":"checkout","variant":"one_page","sku":"basic"}"#)
        #expect(e.type == "CONFIRM")
        #expect(e.session == "s1")
        #expect(e.page == "/checkout")
        #expect(e.revenue == 49.99)
        #expect(e.experiment == "checkout")
        #expect(e.variant == "one_page")
        #expect(e.fields.count == 9)
        #expect(e.fields["sku"] == .string("basic"))
    }

    @Test func exposure() throws {
        let e = try event(#"{"type":"Exposure","guest":"g1","ts":1700000000005,"experiment":"checkout","variant":"control"}"#)
        #expect(e.type == "EXPOSURE")
        #expect(e.experiment == "checkout")
        #expect(e.variant == "control")
    }

    @Test func integerRevenueBecomesDouble() throws {
        #expect(try event(#"{"type":"CONFIRM","guest":"g","ts":1700000000001,"revenue":120}"#).revenue == 120)
        #expect(try event(#"{"type":"CONFIRM","guest":"g","ts":1700000000001,"revenue":-5.5}"#).revenue == -5.5)
        #expect(try event(#"{"type":"CONFIRM","guest":"g","ts":1700000000001,"revenue":1.5e2}"#).revenue == 150)
    }

    @Test func nullOptionalFieldsAreAbsent() throws {
        let e = try event(
            #"{"type":"VIEW","guest":"g","ts":1700000000001,"session":null,"page":null,"revenue":null,"experiment":null,"variant":null}"#)
        #expect(e.session == nil && e.page == nil && e.revenue == nil && e.experiment == nil && e.variant == nil)
        #expect(e.fields["page"] == .null)
    }

    @Test func guestFallsBackToBrowserID() throws {
        #expect(try event(#"{"type":"VIEW","browser_id":"b1","ts":1700000000001}"#).guest == "b1")
        #expect(try event(#"{"type":"VIEW","guest":null,"browser_id":"b1","ts":1700000000001}"#).guest == "b1")
        #expect(try event(#"{"type":"VIEW","browser_id":"b1","guest":"g1","ts":1700000000001}"#).guest == "g1")
        #expect(try event(#"{"type":"VIEW","guest":"g1","browser_id":7,"ts":1700000000001}"#).guest == "g1")
    }

    static let timestamps: [(String, Int64)] = [
        ("100000000000", 100_000_000_000),  // the smallest number accepted (1973-03-03T09:46:40Z)
        ("100000000000.7", 100_000_000_000),
        ("1e11", 100_000_000_000),
        ("1763632800250", 1_763_632_800_250),
        ("9223372036854775807", Int64.max),
        ("1763632800250.9", 1_763_632_800_250),
        ("1763632800250.0", 1_763_632_800_250),
        ("1.7636328e12", 1_763_632_800_000),
        ("1E12", 1_000_000_000_000),
        (#""2026-11-20T10:00:00Z""#, 1_795_168_800_000),
        (#""2026-11-20T10:00:00.250Z""#, 1_795_168_800_250),
        (#""2026-11-20T10:00:00.25Z""#, 1_795_168_800_250),
        (#""2026-11-20T10:00:00.2Z""#, 1_795_168_800_200),
        (#""2026-11-20T10:00:00.250999999Z""#, 1_795_168_800_250),
        (#""2026-11-20t10:00:00.001z""#, 1_795_168_800_001),
        (#""2026-11-20T11:00:00+01:00""#, 1_795_168_800_000),
        (#""2026-11-20T04:30:00-05:30""#, 1_795_168_800_000),
        (#""2026-11-20T10:00:00-00:00""#, 1_795_168_800_000),
        (#""2026-11-20T10:00:00.999+00:00""#, 1_795_168_800_999),
        (#""1970-01-01T00:00:00Z""#, 0),  // date-times from 1970 on, below 10^11 too
        (#""1970-01-01T00:00:00.001Z""#, 1),
        (#""1969-12-31T23:00:00-01:00""#, 0),
        (#""1973-03-03T09:46:39Z""#, 99_999_999_000),
        (#""2024-02-29T12:00:00Z""#, 1_709_208_000_000),
        (#""2000-02-29T00:00:00Z""#, 951_782_400_000),
        (#""2016-12-31T23:59:60Z""#, 1_483_228_800_000),
        (#""9999-12-31T23:59:59.999Z""#, 253_402_300_799_999),
        (#""2026-11-20T10:00:00\u005a""#, 1_795_168_800_000),
    ]

    @Test(arguments: timestamps)
    func timestamp(ts: String, expected: Int64) throws {
        let e = try event(#"{"type":"VIEW","guest":"g","ts":"# + ts + "}")
        #expect(e.timestamp == expected)
    }

    @Test func nestedFieldsArraysEscapesAndNumbers() throws {
        let e = try event(
            #"{"type":"FORM","guest":"g","ts":1700000000001,"user":{"plan":"pro","seats":12,"tags":["a","b"],"meta":{"x":null}},"n":-3,"big":12345678901234567890,"e":1.5e3,"small":-2.5E-3,"name":"Jos\u00e9 \ud83d\ude00 \"q\"","ok":true,"empty":{},"list":[]}"#)
        #expect(e.fields.value(atPath: ["user", "plan"]) == .string("pro"))
        #expect(e.fields.value(atPath: ["user", "seats"]) == .int(12))
        #expect(e.fields.value(atPath: ["user", "tags"]) == .array([.string("a"), .string("b")]))
        #expect(e.fields.value(atPath: ["user", "meta", "x"]) == .null)
        #expect(e.fields.value(atPath: ["user", "missing"]) == nil)
        #expect(e.fields.value(atPath: ["user", "plan", "deeper"]) == nil)
        #expect(e.fields.value(atPath: [String]()) == nil)
        #expect(e.fields["n"] == .int(-3))
        #expect(e.fields["big"] == .number(12_345_678_901_234_567_890.0))
        #expect(e.fields["e"] == .number(1500))
        #expect(e.fields["small"] == .number(-0.0025))
        #expect(e.fields["name"] == .string("José 😀 \"q\""))
        #expect(e.fields["ok"] == .bool(true))
        #expect(e.fields["empty"] == .object([:]))
        #expect(e.fields["list"] == .array([]))
        #expect(e.fields.keys == ["type", "guest", "ts", "user", "n", "big", "e", "small", "name", "ok", "empty", "list"])
    }

    @Test func unicodeTextInReservedFields() throws {
        let e = try event(#"{"type":"achat","guest":"gäst-😀","ts":1700000000001,"page":"/caf\u00e9","session":"\u0073\u0031"}"#)
        #expect(e.type == "ACHAT")
        #expect(e.guest == "gäst-😀")
        #expect(e.page == "/café")
        #expect(e.session == "s1")
        // ASCII letters only, as Lua's string.upper: other bytes are kept.
        #expect(try event(#"{"type":"straße","guest":"g","ts":1700000000001}"#).type == "STRAßE")
        #expect(try event(#"{"type":"vue_é","guest":"g","ts":1700000000001}"#).type.utf8.elementsEqual("VUE_é".utf8))
        #expect(try event(#"{"type":"Form_Submit-2","guest":"g","ts":1700000000001}"#).type == "FORM_SUBMIT-2")
    }

    @Test func escapedReservedKeysAreRecognised() throws {
        let e = try event(#"{"\u0074ype":"VIEW","gu\u0065st":"g","\u0074s":1700000000003}"#)
        #expect(e.type == "VIEW" && e.guest == "g" && e.timestamp == 1_700_000_000_003)
    }

    @Test func duplicateKeysLastWins() throws {
        let e = try event(#"{"type":"VIEW","guest":"g","ts":1700000000001,"type":"form","page":"/a","page":"/b"}"#)
        #expect(e.type == "FORM")
        #expect(e.page == "/b")
        #expect(e.fields.keys == ["type", "guest", "ts", "page"])
        #expect(e.fields["type"] == .string("form"))
    }

    @Test func whiteSpaceAroundTokens() throws {
        let e = try event(" \t{ \"type\" : \"VIEW\" ,\r\n\"guest\":\"g\" , \"ts\" : 1700000000002 } \t")
        #expect(e.type == "VIEW" && e.timestamp == 1_700_000_000_002)
    }

    @Test func oneParserManyLines() throws {
        var parser = EventParser()
        let big = #"{"type":"VIEW","guest":"g","ts":1700000000001,"xs":["# + (0..<3000).map(String.init).joined(separator: ",") + "]}"
        let lines = [#"{"type":"VIEW","guest":"a","ts":1700000000001}"#, "[", big, #"{"type":"FORM","guest":"b","ts":1700000000002}"#]
        var results: [String] = []
        for (i, text) in lines.enumerated() {
            let bytes = Array(text.utf8)
            switch bytes.withUnsafeBytes({ parser.parse($0, line: i + 1) }) {
            case .success(let e): results.append("\(e.line):\(e.type):\(e.guest):\(e.fields["xs"].map { _ in "xs" } ?? "")")
            case .failure(let r): results.append(r.description)
            }
        }
        #expect(results == [
            "1:VIEW:a:", "line 2: not valid JSON: expected a value, found end of line at column 2", "3:VIEW:g:xs",
            "4:FORM:b:",
        ])
    }

    @Test func copiedParsersDoNotShareTheirTape() throws {
        var first = EventParser()
        var second = first
        let a = Array(#"{"type":"VIEW","guest":"a","ts":1700000000001}"#.utf8)
        let b = Array(#"{"type":"FORM","guest":"b","ts":1700000000002,"x":[1,2,3]}"#.utf8)
        let ea = a.withUnsafeBytes { first.parse($0, line: 1) }
        let eb = b.withUnsafeBytes { second.parse($0, line: 2) }
        #expect(EventTestSupport.value(ea)?.guest == "a")
        #expect(EventTestSupport.value(eb)?.fields["x"] == .array([.int(1), .int(2), .int(3)]))
    }

    @Test func cachedStringsNeverMixUp() {
        var parser = EventParser()
        var rng = SeededRandom(seed: 99)
        for i in 0..<5000 {
            // Keys and values of 0 to 40 bytes, many sharing lengths and prefixes.
            let length = Int(rng.next() % 41)
            let text = String((0..<length).map { k in Character(Unicode.Scalar(UInt8(97 + (i >> (k % 12)) % 3))) })
            let line = #"{"type":"VIEW","guest":"g","ts":1700000000001,"page":""# + text + #"",""# + text + #"":1}"#
            let bytes = Array(line.utf8)
            let event = EventTestSupport.value(bytes.withUnsafeBytes { parser.parse($0, line: i) })
            #expect(event?.page == text)
            #expect(event?.fields[text] == .int(1))
        }
    }
}
