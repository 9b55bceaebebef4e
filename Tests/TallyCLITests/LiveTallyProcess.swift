import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `tally` process that keeps running while a test talks to it: standard input is a pipe the
/// test writes to over time (or a file), standard error is read incrementally so the test can
/// wait for a line, standard output goes to a file read at the end.
final class LiveTallyProcess {
    private let process = Process()
    private let input = Pipe()
    private let errors = Pipe()
    private let scratch: TemporaryDirectory
    private var pending: [UInt8] = []
    /// Standard error's complete lines so far.
    private(set) var stderrLines: [String] = []
    /// Lines before this index have been matched by ``waitForLine(timeout:where:)``.
    private var cursor = 0

    /// Starts `tally arguments...`; standard input is a pipe (see ``write(_:)``). `environment`
    /// replaces the test's own when given.
    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        scratch = try TemporaryDirectory()
        try Data().write(to: scratch.url.appendingPathComponent("stdout"))
        process.executableURL = TallyProcess.binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: scratch.url.appendingPathComponent("stdout"))
        process.standardError = errors
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        scratch.remove()
    }

    /// Writes `text` to the process's standard input.
    func write(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes standard input (end of input for `tally watch` reading a stream).
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// The bytes of the process's mappings the kernel was advised to back with huge pages
    /// (`hg` among their `VmFlags` in `/proc/PID/smaps`).
    var hugePageAdvisedBytes: Int {
        // Read to the end: /proc files report no size.
        guard let file = FileHandle(forReadingAtPath: "/proc/\(process.processIdentifier)/smaps"),
              let data = try? file.readToEnd()
        else { return 0 }
        var total = 0
        var size = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("Size:") {
                size = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            } else if line.hasPrefix("VmFlags:"), line.split(separator: " ").contains("hg") {
                total += size * 1024
            }
        }
        return total
    }

    /// Sends SIGINT, as Ctrl-C would.
    func interrupt() {
        process.interrupt()
    }

    /// Sends SIGKILL: the process dies at once, wherever it is.
    func killNow() {
        kill(process.processIdentifier, SIGKILL)
    }

    /// What standard output holds so far.
    var stdout: String {
        (try? String(decoding: Data(contentsOf: scratch.url.appendingPathComponent("stdout")), as: UTF8.self)) ?? ""
    }

    /// Waits up to `timeout` seconds for a standard error line after the last one matched that
    /// satisfies `predicate`; returns it (and moves past it), or nil, recording an issue, if
    /// none came.
    @discardableResult
    func waitForLine(timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
                     where predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let index = stderrLines[cursor...].firstIndex(where: predicate) {
                cursor = index + 1
                return stderrLines[index]
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 || !readStderr(timeoutMilliseconds: Int32(remaining * 1000)) {
                if remaining <= 0 || !process.isRunning {
                    Issue.record("no matching line on standard error; it has:\n\(stderrLines.joined(separator: "\n"))",
                                 sourceLocation: sourceLocation)
                    return nil
                }
            }
        }
    }

    /// Waits for a standard error line starting with `prefix`.
    @discardableResult
    func waitForLine(startingWith prefix: String, timeout: Double = 10,
                     sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        waitForLine(timeout: timeout, sourceLocation: sourceLocation) { $0.hasPrefix(prefix) }
    }

    /// Waits up to `timeout` seconds for the process to exit (terminating it if it does not)
    /// and returns its status, standard output and all of standard error.
    func finish(timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) -> TallyProcess.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            _ = readStderr(timeoutMilliseconds: 20)
            if Date() > deadline {
                Issue.record("tally did not exit within \(timeout) s", sourceLocation: sourceLocation)
                kill(process.processIdentifier, SIGKILL)
                break
            }
        }
        process.waitUntilExit()
        while readStderr(timeoutMilliseconds: 0) {}
        if !pending.isEmpty {
            stderrLines.append(String(decoding: pending, as: UTF8.self))
            pending = []
        }
        let stderr = stderrLines.map { $0 + "\n" }.joined()
        return TallyProcess.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Reads what standard error has within the timeout; false if nothing came (or it ended).
    private func readStderr(timeoutMilliseconds: Int32) -> Bool {
        let fd = errors.fileHandleForReading.fileDescriptor
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, max(0, timeoutMilliseconds)) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = read(fd, &chunk, chunk.count)
        guard count > 0 else { return false }
        pending += chunk[..<count]
        while let newline = pending.firstIndex(of: 0x0A) {
            stderrLines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
        return true
    }
}
