import Testing

@testable import TallyCore

/// Ordered members, lookup, duplicates and paths.
@Suite struct JSONObjectTests {
    @Test func keepsFirstPositionAndLastValue() {
        var object: JSONObject = ["a": .int(1), "b": .int(2)]
        object["a"] = .int(3)
        object["c"] = .null
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["a"] == .int(3))
        #expect(object["c"] == .null)
        #expect(object["zz"] == nil)
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object.count == 2)
    }

    @Test func equalityIgnoresOrder() {
        let one: JSONObject = ["a": .int(1), "b": .string("x")]
        let two: JSONObject = ["b": .string("x"), "a": .int(1)]
        #expect(one == two)
        #expect(one != ["a": .int(1), "b": .string("y")])
        #expect(one != ["a": .int(1)])
        #expect(JSONObject() == [:])
    }

    @Test func keysCompareByBytes() {
        var object = JSONObject()
        object["caf\u{E9}"] = .int(1)        // precomposed é
        object["cafe\u{301}"] = .int(2)      // e + combining acute: equal as Swift strings
        #expect(object.count == 2)
        #expect(object["caf\u{E9}"] == .int(1))
        #expect(object["cafe\u{301}"] == .int(2))
    }

    @Test func largeObjectsUseAnIndex() {
        var object = JSONObject((0..<100).map { ("k\($0)", JSONValue.int(Int64($0))) })
        #expect(object.count == 100)
        #expect(object["k0"] == .int(0))
        #expect(object["k99"] == .int(99))
        object["k50"] = .string("x")
        #expect(object.count == 100)
        #expect(object.keys[50] == "k50")
        #expect(object["k50"] == .string("x"))
        object["k0"] = nil
        #expect(object["k1"] == .int(1))
        #expect(object["k0"] == nil)
        #expect(object.keys.first == "k1")
        object["new"] = .bool(true)
        #expect(object["new"] == .bool(true))
        #expect(object.count == 100)
    }

    @Test func parsedLargeObjectWithDuplicates() throws {
        let members = (0..<40).map { #""k\#($0 % 30)":\#($0)"# }.joined(separator: ",")
        let value = try #require(EventTestSupport.value(EventTestSupport.json("{" + members + "}")))
        let object = try #require(value.objectValue)
        #expect(object.count == 30)
        #expect(object["k5"] == .int(35))
        #expect(object["k29"] == .int(29))
        #expect(object.keys.first == "k0" && object.keys.last == "k29")
    }

    @Test func paths() {
        let object: JSONObject = ["user": .object(["plan": .string("pro"), "tags": .array([.string("a")])]), "n": .int(1)]
        #expect(object.value(atPath: ["user", "plan"]) == .string("pro"))
        #expect(object.value(atPath: ["n"]) == .int(1))
        #expect(object.value(atPath: ["n", "x"]) == nil)
        #expect(object.value(atPath: ["user", "tags", "0"]) == nil)
        #expect(object.value(atPath: "user.plan".split(separator: ".").map(String.init)) == .string("pro"))
    }

    @Test func valueAccessors() {
        #expect(JSONValue.int(3).doubleValue == 3)
        #expect(JSONValue.number(2.5).doubleValue == 2.5)
        #expect(JSONValue.string("x").doubleValue == nil)
        #expect(JSONValue.string("x").stringValue == "x")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.null.isNull)
        #expect(JSONValue.object(["a": .null]).objectValue == ["a": .null])
    }
}
