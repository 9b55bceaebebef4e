import Foundation
import Testing

@testable import TallyCore

/// The JSON report (SPEC §6): key order, nulls, numbers, escaping, whole-document goldens.
@Suite struct ReportJSONTests {
    @Test func emptyReportIsStable() {
        let expected = """
            {
              "events": {
                "accepted": 0,
                "rejected": 0,
                "out_of_order": 0,
                "late": 0
              },
              "guests": {
                "count": 0,
                "points": 0
              },
              "sessions": {
                "count": 0,
                "points_per_session": 0
              },
              "goals": [],
              "outcomes": [],
              "outcome_groups": [],
              "counters": {},
              "rule_errors": [],
              "experiments": []
            }
            """
        #expect(ReportJSON.render(Report()) == expected)
        #expect(ReportJSON.render(Report(), style: .compact) == """
            {"events":{"accepted":0,"rejected":0,"out_of_order":0,"late":0},"guests":{"count":0,"points":0},\
            "sessions":{"count":0,"points_per_session":0},"goals":[],"outcomes":[],"outcome_groups":[],\
            "counters":{},"rule_errors":[],"experiments":[]}
            """)
    }

    @Test func fullReportGolden() {
        let expected = """
            {
              "events": {
                "accepted": 12,
                "rejected": 2,
                "out_of_order": 1,
                "late": 0
              },
              "guests": {
                "count": 3,
                "points": 70
              },
              "sessions": {
                "count": 4,
                "points_per_session": 17.5
              },
              "goals": [
                {
                  "id": "request_pricing",
                  "name": "Request pricing",
                  "reached": 3,
                  "guests": 2,
                  "points": 60
                }
              ],
              "outcomes": [
                {
                  "id": "mql",
                  "name": "Marketing qualified lead",
                  "group": "Lead lifecycle",
                  "reached": 1,
                  "guests": 1,
                  "value": 250,
                  "currency": "USD"
                },
                {
                  "id": "loose",
                  "name": "loose",
                  "group": null,
                  "reached": 0,
                  "guests": 0,
                  "value": 0,
                  "currency": "EUR"
                }
              ],
              "outcome_groups": [
                {
                  "group": "Lead lifecycle",
                  "guests": 1,
                  "value": 250
                }
              ],
              "counters": {
                "a": 1,
                "b": 2.5
              },
              "rule_errors": [
                {
                  "rule": "mql",
                  "file": "rules/lead.lua",
                  "line": 7,
                  "message": "attempt to index a nil value",
                  "count": 2
                }
              ],
              "experiments": [
                {
                  "id": "checkout",
                  "name": "One-page checkout",
                  "status": "collecting",
                  "winner": null,
                  "leading": "one_page",
                  "action": null,
                  "exposed": {
                    "control": 2,
                    "one_page": 1
                  },
                  "multiple_exposures": 0,
                  "srm_p_value": 0.5637028616507731,
                  "srm": false,
                  "goals": [
                    {
                      "id": "orders",
                      "name": "orders",
                      "primary": true,
                      "metric": "conversion_rate",
                      "per": "guest",
                      "direction": "increase",
                      "required_units": 21110,
                      "variants": [
                        {
                          "id": "control",
                          "control": true,
                          "guests": 2,
                          "units": 2,
                          "total": 1,
                          "mean": 0.5,
                          "uplift": null,
                          "ci_low": null,
                          "ci_high": null,
                          "p_value": null,
                          "confidence": null,
                          "chance_to_win": null,
                          "significant": null
                        },
                        {
                          "id": "one_page",
                          "control": false,
                          "guests": 1,
                          "units": 1,
                          "total": 1,
                          "mean": 1,
                          "uplift": null,
                          "ci_low": null,
                          "ci_high": null,
                          "p_value": null,
                          "confidence": null,
                          "chance_to_win": null,
                          "significant": null
                        }
                      ]
                    }
                  ]
                }
              ]
            }
            """
        #expect(ReportJSON.render(ReportSamples.small) == expected)
    }

    @Test func compactIsThePrettyTextWithoutWhiteSpace() {
        let pretty = ReportJSON.render(ReportSamples.small)
        let compact = ReportJSON.render(ReportSamples.small, style: .compact)
        #expect(!compact.contains("\n"))
        // No string in the sample contains ": " or a newline, so stripping layout recovers compact.
        let stripped = pretty.split(separator: "\n")
            .map { $0.drop(while: { $0 == " " }) }
            .joined()
            .replacingOccurrences(of: "\": ", with: "\":")
        #expect(stripped == compact)
    }

    @Test func countersAreSortedByName() {
        var report = Report()
        report.counters = [.init(name: "zeta", value: 1), .init(name: "Alpha", value: 2), .init(name: "alpha", value: 3)]
        #expect(ReportJSON.render(report, style: .compact).contains(#""counters":{"Alpha":2,"alpha":3,"zeta":1}"#))
    }

    @Test func nonFiniteNumbersAreNull() {
        var report = Report()
        report.guests.points = .nan
        report.sessions.pointsPerSession = .infinity
        report.goals = [.init(id: "g", name: "g", reached: 1, guests: 1, points: -.infinity)]
        let json = ReportJSON.render(report, style: .compact)
        #expect(json.contains(#""guests":{"count":0,"points":null}"#))
        #expect(json.contains(#""points_per_session":null"#))
        #expect(json.contains(#""points":null}]"#))
        #expect(!json.contains("nan") && !json.contains("inf"))
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (250.0, "250"), (-3.0, "-3"), (17.5, "17.5"), (0.1, "0.1"),
        (1.0 / 3.0, "0.3333333333333333"), (0.00001, "1e-05"), (123_456_789_012.0, "123456789012"),
        (9_007_199_254_740_991.0, "9007199254740991"), (9_007_199_254_740_992.0, "9007199254740992"),
        (18_014_398_509_481_984.0, "1.8014398509481984e+16"), (1e16, "1e+16"), (0.0001, "0.0001"),
        (1e20, "1e+20"), (-2.5e-7, "-2.5e-07"), (Double.nan, "null"), (Double.infinity, "null"),
        (Double.leastNonzeroMagnitude, "5e-324"), (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
    ])
    func numbers(value: Double, text: String) {
        #expect(JSONWriter.number(value) == text)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\dir"#, #""C:\\dir""#),
        ("line\nbreak\ttab\r", #""line\u000abreak\u0009tab\u000d""#),
        ("\u{0}\u{1}\u{1f}", #""\u0000\u0001\u001f""#),
        ("\u{7f}", "\"\u{7f}\""),
        ("/slash", #""/slash""#),
        ("Ünïcødé €😀 — 中文", #""Ünïcødé €😀 — 中文""#),
        ("e\u{301}", "\"e\u{301}\""),
    ])
    func strings(text: String, json: String) {
        var output = ""
        JSONWriter.appendQuoted(text, to: &output)
        #expect(output == json)
    }

    @Test func escapingAppliesToKeysAndValues() {
        var report = Report()
        report.counters = [.init(name: "q\"uote", value: 1)]
        report.goals = [.init(id: "a\\b", name: "tab\there", reached: 0, guests: 0, points: 0)]
        let json = ReportJSON.render(report, style: .compact)
        #expect(json.contains(#""counters":{"q\"uote":1}"#))
        #expect(json.contains(#"{"id":"a\\b","name":"tab\u0009here","#))
    }

    @Test func nullsInExperiments() {
        var experiment = ReportSamples.small.experiments[0]
        experiment.srmPValue = nil
        experiment.srm = nil
        experiment.leading = nil
        experiment.goals[0].variants[1].mean = nil
        var report = Report()
        report.experiments = [experiment]
        let json = ReportJSON.render(report, style: .compact)
        #expect(json.contains(#""status":"collecting","winner":null,"leading":null,"action":null,"#))
        #expect(json.contains(#""multiple_exposures":0,"srm_p_value":null,"srm":null,"goals""#))
        #expect(json.contains(#""units":1,"total":1,"mean":null,"uplift":null"#))
    }

    @Test func significantVariantKeyOrder() {
        var report = Report()
        var experiment = ReportSamples.small.experiments[0]
        experiment.status = "winner"
        experiment.winner = "one_page"
        experiment.action = "promote_winner"
        experiment.multipleExposures = 3
        experiment.srm = true
        experiment.srmPValue = 0.0004
        experiment.goals[0].variants[1] = .init(
            id: "one_page", control: false, guests: 1000, units: 1000, total: 25, mean: 0.025,
            uplift: 0.25, ciLow: 0.029, ciHigh: 0.471, pValue: 0.02, confidence: 0.98, chanceToWin: 0.99,
            significant: true)
        report.experiments = [experiment]
        let json = ReportJSON.render(report, style: .compact)
        #expect(json.contains(#""status":"winner","winner":"one_page","leading":"one_page","action":"promote_winner","#))
        #expect(json.contains(#""exposed":{"control":2,"one_page":1},"multiple_exposures":3,"srm_p_value":0.0004,"srm":true,"#))
        #expect(json.contains(
            #"{"id":"one_page","control":false,"guests":1000,"units":1000,"total":25,"mean":0.025,"uplift":0.25,"ci_low":0.029,"ci_high":0.471,"p_value":0.02,"confidence":0.98,"chance_to_win":0.99,"significant":true}"#
        ))
    }

    @Test func exposedKeepsDeclarationOrder() {
        var experiment = ReportSamples.small.experiments[0]
        experiment.exposed = [("zz", 0), ("aa", 5), ("mm", 1)]
        var report = Report()
        report.experiments = [experiment]
        #expect(ReportJSON.render(report, style: .compact).contains(#""exposed":{"zz":0,"aa":5,"mm":1}"#))
    }
}
