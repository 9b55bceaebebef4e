#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import TallyCore

/// Line splitting over pipes and files, with chunks small enough to split every line.
@Suite struct EventIntakeTests {
    /// "number:text" or "number:oversize(n)" per line handed out.
    static func describe(_ line: EventIntake.Line) -> String {
        switch line {
        case .text(let bytes, let number):
            return "\(number):" + String(decoding: bytes, as: UTF8.self)
        case .oversize(let count, let number):
            return "\(number):oversize(\(count))"
        }
    }

    /// Writes `bytes` into a pipe, closes it, and reads it back with `reader`'s settings.
    static func lines(_ bytes: [UInt8], chunkSize: Int = 1 << 20, maxLineLength: Int = 1 << 20) -> [String] {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        precondition(bytes.count < 60_000, "must fit in the pipe")
        let written = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        precondition(written == bytes.count)
        close(fds[1])
        defer { close(fds[0]) }
        let reader = EventIntake(
            fileDescriptor: fds[0], name: "pipe", closesDescriptor: false, chunkSize: chunkSize,
            maxLineLength: maxLineLength)
        var out: [String] = []
        do {
            try reader.readAll { out.append(describe($0)) }
        } catch {
            Issue.record("read failed: \(error)")
        }
        return out
    }

    static func lines(_ text: String, chunkSize: Int = 1 << 20, maxLineLength: Int = 1 << 20) -> [String] {
        lines(Array(text.utf8), chunkSize: chunkSize, maxLineLength: maxLineLength)
    }

    static let cases: [(String, [String])] = [
        ("", []),
        ("\n", []),
        ("a\nb\n", ["1:a", "2:b"]),
        ("a\nb", ["1:a", "2:b"]),
        ("a\r\nb\r\n", ["1:a", "2:b"]),
        ("a\r\nb\r", ["1:a", "2:b"]),
        ("a\r\r\n", ["1:a\r"]),
        ("a\n\n  \n\t \r\n\r\nb\n", ["1:a", "6:b"]),
        ("\n\n\nx", ["4:x"]),
        ("  x  \n", ["1:  x  "]),
        ("\u{FEFF}{\"a\":1}\nb", ["1:{\"a\":1}", "2:b"]),
        ("a\u{FEFF}\n", ["1:a\u{FEFF}"]),
        ("\u{FEFF}", []),
        ("é😀\r\n日本\n", ["1:é😀", "2:日本"]),
    ]

    @Test(arguments: cases)
    func splits(input: String, expected: [String]) {
        #expect(Self.lines(input) == expected)
        for chunkSize in 1...9 {
            #expect(Self.lines(input, chunkSize: chunkSize) == expected, "chunk size \(chunkSize)")
        }
    }

    @Test func linesSpanningManyChunks() {
        var text = ""
        var expected: [String] = []
        for i in 1...200 {
            let line = String(repeating: "x", count: i % 37) + "\(i)"
            text += line + (i % 3 == 0 ? "\r\n" : "\n")
            expected.append("\(i):\(line)")
        }
        for chunkSize in [1, 2, 3, 5, 7, 16, 64, 1000] {
            #expect(Self.lines(text, chunkSize: chunkSize) == expected, "chunk size \(chunkSize)")
        }
    }

    @Test func oversizeLines() {
        let text = "12345678\n123456789\nabc\n12345678\r\n123456789\r\n" + String(repeating: "y", count: 100) + "\nz\n"
            + String(repeating: "w", count: 30)
        let expected = [
            "1:12345678", "2:oversize(9)", "3:abc", "4:12345678", "5:oversize(9)", "6:oversize(100)", "7:z",
            "8:oversize(30)",
        ]
        for chunkSize in [1, 2, 3, 4, 5, 8, 9, 10, 11, 64, 4096] {
            #expect(Self.lines(text, chunkSize: chunkSize, maxLineLength: 8) == expected, "chunk size \(chunkSize)")
        }
        #expect(Self.lines("123456789\r", chunkSize: 3, maxLineLength: 8) == ["1:oversize(9)"])
        #expect(Self.lines("12345678\r", chunkSize: 3, maxLineLength: 8) == ["1:12345678"])
    }

    @Test func oversizeLineIsNotBuffered() throws {
        let reader = EventIntake(fileDescriptor: -1, name: "memory", closesDescriptor: false, chunkSize: 4, maxLineLength: 8)
        var out: [String] = []
        let long = Array(String(repeating: "q", count: 10_000).utf8) + Array("\nok\n".utf8)
        long.withUnsafeBytes { reader.consume($0) { out.append(Self.describe($0)) } }
        reader.finish { out.append(Self.describe($0)) }
        #expect(out == ["1:oversize(10000)", "2:ok"])
        #expect(reader.bufferCapacity <= 10)
    }

    @Test func followsGrowingInput() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let reader = EventIntake(fileDescriptor: fds[0], name: "pipe")
        var out: [String] = []
        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        }
        send("a\nb")
        try reader.readAvailable { out.append(Self.describe($0)) }
        #expect(out == ["1:a"])
        send("c\n\nd")
        try reader.readAvailable { out.append(Self.describe($0)) }
        #expect(out == ["1:a", "2:bc"])
        close(fds[1])
        #expect(try reader.readAvailable { out.append(Self.describe($0)) } == 0)
        reader.finish { out.append(Self.describe($0)) }
        #expect(out == ["1:a", "2:bc", "4:d"])
    }

    @Test func aThrowingClosureConsumesItsLine() {
        struct Stop: Error {}
        let reader = EventIntake(fileDescriptor: -1, name: "memory")
        var out: [String] = []
        let bytes = Array("a\nb\nc\n".utf8)
        bytes.withUnsafeBytes { all in
            do {
                try reader.consume(all) { line in
                    out.append(Self.describe(line))
                    if line.number == 2 { throw Stop() }
                }
            } catch {}
        }
        reader.finish { out.append(Self.describe($0)) }
        #expect(out == ["1:a", "2:b", "3:c"])
    }

    @Test func readsFilesInSequence() throws {
        let first = try TemporaryFile(contents: "{\"n\":1}\r\n\n{\"n\":2}")
        let second = try TemporaryFile(contents: "x\ny\n")
        var out: [String] = []
        try EventIntake.readFiles([first.path, second.path]) { name, line in
            out.append("\(name == first.path ? "first" : "second"):" + Self.describe(line))
        }
        #expect(out == ["first:1:{\"n\":1}", "first:3:{\"n\":2}", "second:1:x", "second:2:y"])
    }

    @Test func missingFile() {
        #expect(throws: EventIntake.ReadError(name: "/nonexistent/events.jsonl", code: ENOENT)) {
            try EventIntake.readFiles(["/nonexistent/events.jsonl"]) { _, _ in }
        }
        let error = EventIntake.ReadError(name: "/nonexistent/events.jsonl", code: ENOENT)
        #expect(error.description == "/nonexistent/events.jsonl: No such file or directory")
    }

    @Test func readingADirectoryFails() throws {
        let reader = try EventIntake(path: "/")
        #expect(throws: EventIntake.ReadError(name: "/", code: EISDIR)) {
            try reader.readAll { _ in }
        }
    }

    /// Reader and parser together, naming the file in messages.
    @Test func rejectionsNameTheFileAndLine() throws {
        var bytes = Array("{\"type\":\"VIEW\",\"guest\":\"g1\",\"ts\":1700000000001}\r\n\n[1]\n".utf8)
        bytes += Array("{\"type\":\"VIEW\",\"guest\":\"g".utf8) + [0xC3, 0x28] + Array("\",\"ts\":1700000000001}\n".utf8)
        bytes += Array("{\"type\":\"FORM\",\"guest\":\"g2\",\"ts\":\"2026-11-20T10:00:00Z\"}".utf8)
        let file = try TemporaryFile(bytes: bytes)
        let reader = try EventIntake(path: file.path)
        var parser = EventParser()
        var out: [String] = []
        try reader.readAll { line in
            switch parser.parse(line) {
            case .success(let event): out.append("\(event.line) \(event.type) \(event.guest) \(event.timestamp)")
            case .failure(let rejection): out.append(rejection.description(file: "events.jsonl"))
            }
        }
        #expect(out == [
            "1 VIEW g1 1700000000001",
            "events.jsonl:3: not a JSON object (found an array)",
            "events.jsonl:4: invalid UTF-8 at column 26 (byte 0xC3)",
            "5 FORM g2 1795168800000",
        ])
    }
}

/// A file in the temporary directory, removed when the value goes away.
final class TemporaryFile {
    let path: String

    convenience init(contents: String) throws {
        try self.init(bytes: Array(contents.utf8))
    }

    init(bytes: [UInt8]) throws {
        var template = Array("/tmp/tally-events-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw EventIntake.ReadError(name: "mkstemp", code: errno) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw EventIntake.ReadError(name: path, code: errno) }
    }

    deinit { unlink(path) }
}
