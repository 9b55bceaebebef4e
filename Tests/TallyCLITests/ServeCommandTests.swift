import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tally serve` over loopback: every endpoint with good and bad input, state across a SIGTERM
/// restart and across a SIGKILL (an answered batch is never lost).
@Suite(.serialized) struct ServeCommandTests {
    static let rules = """
        goal "view" { on = "VIEW", points = 1 }
        goal "signup" { on = "FORM", where = { form = "signup" }, points = 10, count = "guest" }
        outcome "lead" { group = "Leads", when = function(guest) return guest.points >= 11 end, value = 50 }
        experiment "checkout" {
          variants = { "control", "one_page" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" } },
        }
        """

    static func events(_ count: Int, from start: Int = 0) -> String {
        (start..<start + count).map { index in
            let guest = "g\(index % 17)"
            let ts = 1_700_000_000_000 + Int64(index) * 60_000
            switch index % 5 {
            case 0: return "{\"type\":\"EXPOSURE\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"experiment\":\"checkout\",\"variant\":\"\(index % 2 == 0 ? "control" : "one_page")\"}"
            case 1: return "{\"type\":\"FORM\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"form\":\"signup\"}"
            case 2: return "{\"type\":\"CONFIRM\",\"guest\":\"\(guest)\",\"ts\":\(ts)}"
            default: return "{\"type\":\"VIEW\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"page\":\"/p\"}"
            }
        }.joined(separator: "\n") + "\n"
    }

    /// Five guests' views 3.75 minutes apart per guest (a 10-minute pause every 40 events),
    /// every 10th one delivered 1 to 3.25 minutes after later events of other guests.
    static func lateStream() -> [String] {
        var timed: [(arrival: Int64, line: String)] = []
        for index in 0..<200 {
            let ts = 1_700_000_000_000 + Int64(index) * 45_000 + Int64(index / 40) * 600_000
            let delay: Int64 = index % 10 == 3 ? 60_000 + Int64(index % 4) * 45_000 : 0
            timed.append((ts + delay, "{\"type\":\"VIEW\",\"guest\":\"g\(index % 5)\",\"ts\":\(ts),\"page\":\"/p\"}"))
        }
        return timed.sorted { $0.arrival < $1.arrival }.map(\.line)
    }

    /// `serve` keeps sessions open for the allowed lateness: posted one event at a time (the
    /// service closes idle sessions after each request), a stream with late events counts the
    /// sessions `run` counts; with no lateness it counts one more per late event.
    @Test func lateEventsWithinTheLatenessGiveTheSessionsOfRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", #"settings { session_timeout = "5m" }"# + "\n" + Self.rules)
        let lines = Self.lateStream()
        let events = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        let run = try TallyProcess.run(["run", "--rules", dir.path("rules"), "--events", events, "--format", "json"])
        #expect(run.status == 0)
        let runReport = try JSONReport(run.stdout)
        let runSessions = try #require(runReport["sessions"]["count"].int)
        #expect(runReport["events"]["late"].int == 0)

        for (flags, expectLate) in [([String](), false), (["--allowed-lateness", "0s"], true)] {
            let server = try ServeProcess(["serve", "--rules", dir.path("rules"), "--no-watch"] + flags)
            defer { server.stop() }
            for line in lines { #expect(try server.request("POST", "/events", body: line + "\n").status == 200) }
            let report = try JSONReport(try server.request("GET", "/report").body)
            let late = try #require(report["events"]["late"].int)
            #expect(report["events"]["accepted"].int == lines.count)
            #expect(report["sessions"]["count"].int == runSessions + late, "\(flags)")
            #expect(expectLate ? late > 0 : late == 0, "\(flags): \(late) late")
        }
    }

    @Test func everyEndpointWithGoodAndBadInput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let server = try ServeProcess(["serve", "--rules", dir.path("rules"), "--state", dir.path("state.db"), "--no-watch"])
        defer { server.stop() }

        let posted = try server.request("POST", "/events", body: Self.events(100))
        #expect(posted.status == 200)
        #expect(posted.body == "{\"accepted\":100,\"rejected\":0,\"rejections\":[]}\n")

        let mixed = try server.request("POST", "/events", body: """
            [{"type":"VIEW","guest":"g1","ts":1700000000000},
             5, {"type":"VIEW"}, {"type":"EXPOSURE","guest":"g2","ts":1700000000001,"experiment":"nope","variant":"a"}]
            """)
        #expect(mixed.status == 200)
        let answer = try JSONReport(mixed.body)
        #expect(answer["accepted"].int == 1)
        #expect(answer["rejected"].int == 3)
        #expect(answer["rejections"][0]["line"].int == 2)
        #expect(answer["rejections"][0]["reason"].string == "not a JSON object (found a number)")
        #expect(answer["rejections"][1]["reason"].string == "missing required field \"guest\"")
        #expect(answer["rejections"][2]["reason"].string == "EXPOSURE to unknown experiment \"nope\"")

        let lines = try server.request("POST", "/events", body: "{\"type\":\"VIEW\",\"guest\":\"g3\",\"ts\":1700000000000}\nnot json\n")
        #expect(try JSONReport(lines.body)["rejections"][0]["line"].int == 2)

        for bad in ["", "hello", "[{\"type\":\"VIEW\"", "[1,]", "[{}] trailing"] {
            let result = try server.request("POST", "/events", body: bad)
            #expect(result.status == 400, "\(bad): \(result.body)")
            #expect(result.body.hasPrefix("{\"error\":"))
        }
        // 413 from the declared length, before the body is read.
        let huge = try server.request("POST", "/events", body: Self.events(10), declaredLength: (16 << 20) + 1)
        #expect(huge.status == 413)
        #expect(huge.body == "{\"error\":\"the body is larger than 16777216 bytes (16 MiB)\"}\n")

        let report = try server.request("GET", "/report")
        #expect(report.status == 200)
        let parsed = try JSONReport(report.body)
        #expect(parsed["events"]["accepted"].int == 102)
        #expect(parsed["events"]["rejected"].int == 4)
        #expect(parsed["guests"]["count"].int == 17)
        #expect(parsed["goals"][1]["guests"].int == 17)

        let experiment = try server.request("GET", "/experiments/checkout")
        #expect(experiment.status == 200)
        #expect(try JSONReport(experiment.body)["id"].string == "checkout")
        #expect(try JSONReport(experiment.body)["exposed"]["control"].int != nil)
        #expect(try server.request("GET", "/experiments/nope").status == 404)

        let guest = try server.request("GET", "/guests/g1")
        #expect(guest.status == 200)
        let profile = try JSONReport(guest.body)
        #expect(profile["id"].string == "g1")
        #expect(profile["goals"]["signup"].int == 1)
        #expect(profile["outcomes"][0].string == "lead")
        #expect(try server.request("GET", "/guests/nobody").status == 404)

        // Reload: a good change swaps in; a broken file is refused with file:line, old rules run on.
        try dir.write("rules/main.lua", Self.rules + "\ngoal \"confirm\" { on = \"CONFIRM\", points = 2 }\n")
        let reloaded = try server.request("POST", "/reload")
        #expect(reloaded.status == 200, "\(reloaded.body)")
        #expect(try JSONReport(reloaded.body)["goals"].int == 3)
        try dir.write("rules/main.lua", "goal \"view\" { on = \"VIEW\", points = 1 }\ngoal \"x\" { on = = 1 }\n")
        let broken = try server.request("POST", "/reload")
        #expect(broken.status == 422)
        #expect(try JSONReport(broken.body)["error"].string?.contains("main.lua:2:") == true, "\(broken.body)")
        _ = try server.request("POST", "/events", body: "{\"type\":\"CONFIRM\",\"guest\":\"g1\",\"ts\":1800000000000}\n")
        let after = try JSONReport(try server.request("GET", "/report").body)
        #expect(after["goals"][2]["id"].string == "confirm")
        #expect(after["goals"][2]["reached"].int == 1, "the reloaded rules still run")

        let health = try server.request("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.body == "{\"status\":\"ok\"}\n")
        #expect(try server.request("GET", "/nothing-here").status == 404)

        let metrics = try server.request("GET", "/metrics")
        #expect(metrics.status == 200)
        for line in ["tally_events_accepted_total 103", "tally_events_rejected_total 4", "tally_rule_errors_total 0",
                     "tally_reloads_total 1", "tally_reload_failures_total 1",
                     "# TYPE tally_http_request_duration_seconds histogram"] {
            #expect(metrics.body.contains(line + "\n"), "\(line)")
        }
        #expect(metrics.body.contains("tally_http_request_duration_seconds_count "))

        let result = server.terminate()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tally serve: stopped; state saved in"))
    }

    @Test func stateSurvivesSIGTERMAndSIGKILL() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let arguments = ["serve", "--rules", dir.path("rules"), "--state", dir.path("state.db"), "--no-watch"]
        let all = try dir.write("all.jsonl", Self.events(300))
        let onePass = try JSONReport(try TallyProcess.run(["run", "--rules", dir.path("rules"), "--events", all,
                                                             "--format", "json"]).stdout)

        let first = try ServeProcess(arguments)
        #expect(try first.request("POST", "/events", body: Self.events(120)).status == 200)
        #expect(first.terminate().status == 0)

        let second = try ServeProcess(arguments)
        #expect(try second.request("POST", "/events", body: Self.events(100, from: 120)).status == 200)
        second.kill()  // SIGKILL: the answered batch is in the journal

        let third = try ServeProcess(arguments)
        defer { third.stop() }
        #expect(third.stderr.contains("replayed 1 journal entry"))
        #expect(try third.request("POST", "/events", body: Self.events(80, from: 220)).status == 200)
        let report = try JSONReport(try third.request("GET", "/report").body)
        #expect(report["events"]["accepted"].int == onePass["events"]["accepted"].int)
        #expect(report["guests"]["count"].int == onePass["guests"]["count"].int)
        #expect(report["guests"]["points"].double == onePass["guests"]["points"].double)
        for index in 0..<2 {
            #expect(report["goals"][index]["reached"].int == onePass["goals"][index]["reached"].int)
        }
        #expect(report["outcomes"][0]["reached"].int == onePass["outcomes"][0]["reached"].int)
        #expect(report["experiments"][0]["exposed"]["control"].int == onePass["experiments"][0]["exposed"]["control"].int)
    }
}

/// A `tally serve` on an ephemeral loopback port, with a minimal HTTP/1.1 client.
final class ServeProcess {
    private let process = Process()
    private let scratch: TemporaryDirectory
    let port: Int

    init(_ arguments: [String], timeout: Double = 30) throws {
        scratch = try TemporaryDirectory()
        let errors = scratch.url.appendingPathComponent("stderr")
        try Data().write(to: errors)
        process.executableURL = TallyProcess.binary
        process.arguments = arguments + ["--host", "127.0.0.1", "--port", "0"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(decoding: Data(contentsOf: errors), as: UTF8.self)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw ServeError(message: "tally serve did not start: \(String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self))")
        }
        port = found
    }

    struct ServeError: Error { let message: String }

    var stderr: String {
        String(decoding: (try? Data(contentsOf: scratch.url.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
    }

    /// Sends SIGTERM and waits (at most 20 s) for the exit.
    func terminate() -> TallyProcess.Result {
        if process.isRunning { process.terminate() }
        wait()
        return TallyProcess.Result(status: process.terminationStatus, stdout: "", stderr: stderr)
    }

    /// SIGKILL.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        wait()
    }

    /// Stops the server if it still runs and removes its scratch files.
    func stop() {
        if process.isRunning { _ = terminate() }
        scratch.remove()
    }

    private func wait() {
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// One request on a fresh connection (`Connection: close`); 10 s timeouts.
    /// `declaredLength` claims a larger Content-Length than the body sent (for 413).
    func request(_ method: String, _ path: String, body: String = "",
                 declaredLength: Int? = nil) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeError(message: "socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServeError(message: "connect: \(errno)") }
        let bodyBytes = Array(body.utf8)
        var message = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".utf8)
        if method == "POST" { message += Array("Content-Type: application/x-ndjson\r\nContent-Length: \(declaredLength ?? bodyBytes.count)\r\n".utf8) }
        message += Array("\r\n".utf8) + bodyBytes
        var sent = 0
        while sent < message.count {
            let count = message[sent...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }  // the server may answer (413) and close before reading it all
            sent += count
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            response += chunk[..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"),
              let status = Int(text.split(separator: " ", maxSplits: 2).dropFirst().first ?? "")
        else { throw ServeError(message: "no HTTP answer: \(text.prefix(200))") }
        var payload = String(text[headerEnd.upperBound...])
        if text[..<headerEnd.lowerBound].lowercased().contains("transfer-encoding: chunked") {
            payload = Self.dechunk(payload)
        }
        return (status, payload)
    }

    private static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var output = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let bytes = Array(rest[start...].utf8)
            output += String(decoding: bytes[..<min(size, bytes.count)], as: UTF8.self)
            rest = Substring(String(decoding: bytes[min(size + 2, bytes.count)...], as: UTF8.self))
        }
        return output
    }
}
