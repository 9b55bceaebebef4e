import Foundation
import Testing

/// `tally significance` and `tally sample-size` end to end.
@Suite struct StatsCommandTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func significanceOfTwoProportions() throws {
        let result = try TallyProcess.run(["significance", "--control", "200/2000", "--variant", "250/2000",
                                           "--format", "json"])
        #expect(result.status == 0)
        let report = try json(result.stdout)
        let variant = try #require((report["variants"] as? [[String: Any]])?.first)
        #expect(variant["uplift"] as? Double == 0.25)
        let pValue = try #require(variant["p_value"] as? Double)
        #expect(abs(pValue - 0.0254028004457117) < 1e-12)
        #expect(variant["significant"] as? Bool == true)
        let control = try #require(report["control"] as? [String: Any])
        #expect(control["n"] as? Int == 2000)
        #expect(control["mean"] as? Double == 0.1)
    }

    @Test func holmAcrossVariantsAndDegenerateArms() throws {
        let result = try TallyProcess.run(["significance", "--control", "0/100", "--variant", "5/100",
                                           "--variant", "1/1", "--format", "json"])
        #expect(result.status == 0)
        let variants = try #require(try json(result.stdout)["variants"] as? [[String: Any]])
        #expect(variants.count == 2)
        // A control mean of 0 makes every comparison degenerate: nulls, never NaN.
        for variant in variants {
            #expect(variant["uplift"] is NSNull)
            #expect(variant["p_value"] is NSNull)
            #expect(variant["significant"] is NSNull)
        }
        #expect(!result.stdout.contains("NaN"))
    }

    @Test func significanceTableReadsLikeACalculator() throws {
        let result = try TallyProcess.run(["significance", "--control", "200/2000", "--variant", "250/2000"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("+25.00%"))
        #expect(result.stdout.contains("97.46%"))
    }

    @Test func sampleSizeForTheSitecoreDefaults() throws {
        let result = try TallyProcess.run(["sample-size", "--base-rate", "0.02", "--mde", "0.2", "--format", "json"])
        #expect(result.status == 0)
        let report = try json(result.stdout)
        #expect(report["required_units"] as? Int == 21110)
        #expect(report["total_units"] as? Int == 42220)
        let three = try json(try TallyProcess.run(["sample-size", "--base-rate", "0.02", "--mde", "0.2",
                                                   "--variants", "3", "--format", "json"]).stdout)
        #expect(three["total_units"] as? Int == 63330)
    }

    @Test(arguments: [
        (["sample-size", "--base-rate", "2", "--mde", "0.2"], "--base-rate"),
        (["sample-size", "--base-rate", "0.1"], "--mde"),
        (["significance", "--control", "x", "--variant", "1/2"], "--control"),
        (["significance", "--control", "1/2"], "--variant"),
        (["significance", "--control", "1/10", "--variant", "1/10", "--confidence", "1.5"], "--confidence"),
        (["significance", "--control", "1/10", "--variant", "n=10,sum=5,sum_squares=9"],
         "--variant \"n=10,sum=5,sum_squares=9\" is a mean (n=,sum=,sum_squares=) but --control is a conversion rate"),
    ])
    func badArgumentsExit64NamingTheArgument(arguments: [String], flag: String) throws {
        let result = try TallyProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }
}
