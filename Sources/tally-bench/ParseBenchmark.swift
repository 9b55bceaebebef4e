import TallyCore

/// Event parsing throughput: 1,000,000 realistic JSON Lines events (~110 bytes) generated in
/// memory, parsed 5 times with one ``EventParser``; prints the median lines/s for parse only
/// and for splitting with ``EventIntake`` plus parsing. Run in release mode.
func runParseBenchmark() {
    let lineCount = 1_000_000
    let runs = 5
    let (bytes, ranges) = ParseBenchmarkData.make(lineCount: lineCount)
    let averageLength = Double(bytes.count) / Double(lineCount)
    print("parse: \(lineCount) lines, \(String(format1: averageLength)) bytes/line on average")

    var parseRates: [Double] = []
    var splitRates: [Double] = []
    var checksum: Int64 = 0
    bytes.withUnsafeBytes { all in
        for _ in 0..<runs {
            var parser = EventParser()
            var accepted = 0
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                var event = Event.placeholder  // parsed in place, as `tally run` does
                for (number, range) in ranges.enumerated() {
                    let line = UnsafeRawBufferPointer(rebasing: all[range])
                    if parser.parse(line, line: number + 1, into: &event) == nil {
                        accepted += 1
                        checksum &+= event.timestamp
                    }
                }
            }
            precondition(accepted == lineCount, "benchmark lines must all be valid")
            parseRates.append(Double(lineCount) / elapsed.seconds)

            let reader = EventIntake(name: "memory")
            accepted = 0
            let splitElapsed = clock.measure {
                reader.consume(all) { line in
                    var event = Event.placeholder
                    if parser.parse(line, into: &event) == nil {
                        accepted += 1
                        checksum &+= event.timestamp
                    }
                }
                reader.finish { _ in }
            }
            precondition(accepted == lineCount, "benchmark lines must all be valid")
            splitRates.append(Double(lineCount) / splitElapsed.seconds)
        }
    }
    let median = { (rates: [Double]) in rates.sorted()[rates.count / 2] }
    print("parse only:      median \(Int(median(parseRates))) lines/s over \(runs) runs"
        + " (\(String(format1: 1e9 / median(parseRates))) ns/line)")
    print("split + parse:   median \(Int(median(splitRates))) lines/s over \(runs) runs"
        + " (\(String(format1: 1e9 / median(splitRates))) ns/line)")
    print("(checksum \(checksum))")
}

/// Deterministic benchmark input.
private enum ParseBenchmarkData {
    /// `lineCount` newline-terminated event lines and the byte range of each (without `\n`).
    static func make(lineCount: Int) -> ([UInt8], [Range<Int>]) {
        var state: UInt64 = 0x5EED
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pages = [
            "/", "/pricing", "/products/basic", "/products/pro", "/checkout", "/blog/launch",
            "/docs/getting-started", "/account",
        ]
        let referrers = ["email", "search", "direct", "social", "ads"]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lineCount * 120)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(lineCount)
        var ts: Int64 = 1_763_632_800_000
        for _ in 0..<lineCount {
            ts += Int64(random(2000))
            let guest = 100_000 + random(50_000)
            let session = random(8)
            let head = "{\"type\":\"%\",\"guest\":\"g-\(guest)\",\"ts\":\(ts),\"session\":\"s-\(guest)-\(session)\""
            let line: String
            switch random(100) {
            case 0..<80:
                line = head.replacingPercent("VIEW")
                    + ",\"page\":\"\(pages[random(pages.count)])\",\"ref\":\"\(referrers[random(5)])\"}"
            case 80..<90:
                line = head.replacingPercent("FORM")
                    + ",\"page\":\"/pricing\",\"form\":\"pricing\",\"fields\":{\"plan\":\"pro\",\"seats\":\(1 + random(50))}}"
            case 90..<95:
                line = head.replacingPercent("CONFIRM")
                    + ",\"page\":\"/checkout\",\"revenue\":\(10 + random(490)).\(10 + random(89)),\"sku\":\"basic\"}"
            default:
                line = head.replacingPercent("EXPOSURE")
                    + ",\"experiment\":\"checkout\",\"variant\":\"\(random(2) == 0 ? "control" : "one_page")\"}"
            }
            let start = bytes.count
            bytes.append(contentsOf: line.utf8)
            ranges.append(start..<bytes.count)
            bytes.append(0x0A)
        }
        return (bytes, ranges)
    }
}

extension String {
    fileprivate func replacingPercent(_ with: String) -> String {
        var out = ""
        for character in self {
            if character == "%" { out += with } else { out.append(character) }
        }
        return out
    }

    /// A number with one decimal, without Foundation.
    fileprivate init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
