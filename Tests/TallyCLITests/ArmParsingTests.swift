import Foundation
import XCTest
import TallyStats
@testable import tally

/// Arms as written on the command line (`tally significance --control 200/2000`).
final class ArmParsingTests: XCTestCase {
    func parse(_ text: String) throws -> ArmStatistic { try ArmStatistic(parsing: text) }

    func reason(_ text: String) -> String? {
        do {
            _ = try ArmStatistic(parsing: text)
            return nil
        } catch {
            return error.description
        }
    }

    func testAcceptedForms() throws {
        XCTAssertEqual(try parse("200/2000"), .proportion(ProportionStatistic(n: 2000, conversions: 200)))
        XCTAssertEqual(try parse(" 0 / 2e3 "), .proportion(ProportionStatistic(n: 2000, conversions: 0)))
        XCTAssertEqual(try parse("0/0").n, 0)
        let mean = try parse("n=10, sum=100, sum_squares=1002.25")
        XCTAssertEqual(mean, .mean(MeanStatistic(n: 10, sum: 100, sumOfSquares: 1002.25)))
        XCTAssertEqual(mean.mean, 10)
        XCTAssertEqual(mean.variance, 0.25, accuracy: 1e-12)
        let ratio = try parse("md_sum=-900,n=100,m_sum=270,m_sum_squares=848.79,d_sum=510,d_sum_squares=810")
        guard case .ratio(let r) = ratio else { return XCTFail("not a ratio") }
        XCTAssertEqual(r.n, 100)
        XCTAssertEqual(r.numeratorSum, 270)
        XCTAssertEqual(r.denominatorSum, 510)
        XCTAssertEqual(r.productSum, -900, accuracy: 1e-12)
        XCTAssertEqual(ratio.mean, 270.0 / 510)
    }

    func testErrorsQuoteTheInputAndSayWhatIsWrong() {
        XCTAssertEqual(reason("200/abc"), "invalid arm \"200/abc\": units must be a whole number ≥ 0")
        XCTAssertEqual(reason("-1/10"), "invalid arm \"-1/10\": conversions must be a whole number ≥ 0")
        XCTAssertEqual(reason("2.5/10"), "invalid arm \"2.5/10\": conversions must be a whole number ≥ 0")
        XCTAssertEqual(reason("30/20"), "invalid arm \"30/20\": conversions (30) exceed units (20)")
        XCTAssertEqual(reason(""), "invalid arm \"\": expected \(ArmStatistic.acceptedForms)")
        XCTAssertEqual(reason("1/2/3"), "invalid arm \"1/2/3\": expected \(ArmStatistic.acceptedForms)")
        XCTAssertEqual(reason("n=10,sum=5"), "invalid arm \"n=10,sum=5\": missing sum_squares")
        XCTAssertEqual(reason("n=10,sum=5,sum_squares=x"),
                       "invalid arm \"n=10,sum=5,sum_squares=x\": sum_squares must be a finite number")
        XCTAssertEqual(reason("n=10,sum=inf,sum_squares=1"),
                       "invalid arm \"n=10,sum=inf,sum_squares=1\": sum must be a finite number")
        XCTAssertEqual(reason("n=10,sum=5,sum_squares=-1"),
                       "invalid arm \"n=10,sum=5,sum_squares=-1\": sum_squares must be ≥ 0")
        XCTAssertEqual(reason("n=1.5,sum=5,sum_squares=1"),
                       "invalid arm \"n=1.5,sum=5,sum_squares=1\": n must be a whole number ≥ 0")
        XCTAssertEqual(reason("n=10,total=5"), "invalid arm \"n=10,total=5\": unknown key \"total\"")
        XCTAssertEqual(reason("n=10,n=11"), "invalid arm \"n=10,n=11\": n is given twice")
        XCTAssertEqual(reason("n=10,sum"), "invalid arm \"n=10,sum\": \"sum\" is not KEY=VALUE")
        XCTAssertEqual(reason("n=2,sum=1,sum_squares=1,m_sum=1,m_sum_squares=1,d_sum=1,d_sum_squares=1,md_sum=1"),
                       "invalid arm \"n=2,sum=1,sum_squares=1,m_sum=1,m_sum_squares=1,d_sum=1,d_sum_squares=1,"
                       + "md_sum=1\": sum does not belong in a ratio arm")
        XCTAssertEqual(reason("n=2,m_sum=1"), "invalid arm \"n=2,m_sum=1\": missing m_sum_squares")
    }

    /// Every arm of the statistics' reference vectors, written as on the command line, parses to
    /// the arm built directly (numbers in Swift's round-trip form, so exactly).
    func testReferenceVectorArmsRoundTrip() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../TallyStatsTests/Fixtures/stats.json")
        let data = try Data(contentsOf: url)
        let vectors = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let comparisons = try XCTUnwrap(vectors["comparisons"] as? [[String: Any]])
        XCTAssertFalse(comparisons.isEmpty)
        func number(_ json: [String: Any], _ key: String) -> Double { (json[key] as? NSNumber)?.doubleValue ?? .nan }
        for vector in comparisons {
            for side in ["control", "variant"] {
                let json = try XCTUnwrap(vector[side] as? [String: Any])
                let n = Int(number(json, "n"))
                let direct: ArmStatistic
                let text: String
                switch json["kind"] as? String {
                case "proportion":
                    let conversions = Int(number(json, "sum"))
                    direct = .proportion(ProportionStatistic(n: n, conversions: conversions))
                    text = "\(conversions)/\(n)"
                case "mean":
                    let (s, q) = (number(json, "sum"), number(json, "sum_squares"))
                    direct = .mean(MeanStatistic(n: n, sum: s, sumOfSquares: q))
                    text = "n=\(n),sum=\(s),sum_squares=\(q)"
                default:
                    let v = ["m_sum", "m_sum_squares", "d_sum", "d_sum_squares", "md_sum"].map { number(json, $0) }
                    direct = .ratio(RatioStatistic(
                        n: n, numeratorSum: v[0], numeratorSumOfSquares: v[1],
                        denominatorSum: v[2], denominatorSumOfSquares: v[3], productSum: v[4]))
                    text = "n=\(n),m_sum=\(v[0]),m_sum_squares=\(v[1]),d_sum=\(v[2]),d_sum_squares=\(v[3]),md_sum=\(v[4])"
                }
                XCTAssertEqual(try parse(text), direct, "\(vector["name"] ?? "?") \(side): \(text)")
            }
        }
    }
}
