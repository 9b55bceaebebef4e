#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import TallyCore

/// The intake fed in several batches (bytes in memory, or reads of a pipe): splitting, numbering
/// and byte order marks across batch boundaries.
@Suite struct EventIntakeBatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let batches: [[UInt8]]
        var firstLine = 1
        var stripsBOM = true
        var maxLineLength = 1 << 20
        let expected: [String]
        /// Lines counted, blank ones included.
        let lineCount: Int
        var testDescription: String { name }
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let cases: [Case] = [
        Case(name: "CRLF", batches: [bytes("a\r\nb\r\n"), bytes("c\r\n")], expected: ["1:a", "2:b", "3:c"], lineCount: 3),
        Case(name: "CR only once", batches: [bytes("a\r\r\n")], expected: ["1:a\r"], lineCount: 1),
        Case(name: "CRLF split between batches", batches: [bytes("a\r"), bytes("\nb")], expected: ["1:a", "2:b"],
             lineCount: 2),
        Case(name: "BOM at the start", batches: [bom + bytes("a\n"), bytes("b\n")], expected: ["1:a", "2:b"], lineCount: 2),
        Case(name: "BOM split over batches", batches: [[0xEF], [0xBB], [0xBF] + bytes("a\n")], expected: ["1:a"],
             lineCount: 1),
        Case(name: "BOM in a later batch is data", batches: [bytes("a\n"), bom + bytes("b\n")],
             expected: ["1:a", "2:\u{FEFF}b"], lineCount: 2),
        Case(name: "BOM kept when not stripped", batches: [bom + bytes("a\n")], stripsBOM: false,
             expected: ["1:\u{FEFF}a"], lineCount: 1),
        Case(name: "blank and white space lines counted", batches: [bytes("\n \n\t\r\n"), bytes("a\n  \n"), bytes("b")],
             expected: ["4:a", "6:b"], lineCount: 6),
        Case(name: "only blank lines", batches: [bytes("\n\n"), bytes(" \t\n")], expected: [], lineCount: 3),
        Case(name: "last line without newline", batches: [bytes("a\nb")], expected: ["1:a", "2:b"], lineCount: 2),
        Case(name: "line split across batches", batches: [bytes("{\"ty"), bytes("pe\":1}\nx"), bytes("y\n")],
             expected: ["1:{\"type\":1}", "2:xy"], lineCount: 2),
        Case(name: "oversize line", batches: [bytes("12345"), bytes("6789\nok\n123456789")], maxLineLength: 8,
             expected: ["1:oversize(9)", "2:ok", "3:oversize(9)"], lineCount: 3),
        Case(name: "oversize line with CRLF", batches: [bytes("123456789\r"), bytes("\n12345678\r\n")], maxLineLength: 8,
             expected: ["1:oversize(9)", "2:12345678"], lineCount: 2),
        Case(name: "numbering from firstLine", batches: [bytes("a\n\n"), bytes("b\n")], firstLine: 41,
             expected: ["41:a", "43:b"], lineCount: 3),
        Case(name: "empty", batches: [[], []], expected: [], lineCount: 0),
    ]

    /// The case fed to an intake of bytes, one ``EventIntake/consume(_:_:)`` per batch.
    @Test(arguments: cases)
    func consumedInBatches(_ test: Case) {
        for chunkSize in [1, 2, 3, 7, 1 << 16] {
            let intake = EventIntake(fileDescriptor: -1, name: "memory", closesDescriptor: false, chunkSize: chunkSize,
                                     maxLineLength: test.maxLineLength, firstLine: test.firstLine,
                                     stripsBOM: test.stripsBOM)
            var out: [String] = []
            for batch in test.batches {
                batch.withUnsafeBytes { intake.consume($0) { out.append(EventIntakeTests.describe($0)) } }
            }
            intake.finish { out.append(EventIntakeTests.describe($0)) }
            #expect(out == test.expected, "chunk size \(chunkSize)")
            #expect(intake.lineCount == test.lineCount, "chunk size \(chunkSize)")
        }
    }

    /// The case's batches joined and split in place, as ``Engine/ingest(lines:firstLine:parser:onReject:)`` does.
    @Test(arguments: cases)
    func consumedWhole(_ test: Case) {
        let intake = EventIntake(fileDescriptor: -1, name: "memory", closesDescriptor: false, chunkSize: 1,
                                 maxLineLength: test.maxLineLength, firstLine: test.firstLine, stripsBOM: test.stripsBOM)
        var out: [String] = []
        test.batches.joined().map { $0 }.withUnsafeBytes { intake.consumeWhole($0) { out.append(EventIntakeTests.describe($0)) } }
        #expect(out == test.expected)
        #expect(intake.lineCount == test.lineCount)
        #expect(intake.bufferCapacity == 1)
    }

    /// The case written to a pipe one batch at a time, each batch read with ``EventIntake/readAvailable(_:)``.
    @Test(arguments: cases)
    func readInBatches(_ test: Case) throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let intake = EventIntake(fileDescriptor: fds[0], name: "pipe", closesDescriptor: false,
                                 maxLineLength: test.maxLineLength, firstLine: test.firstLine, stripsBOM: test.stripsBOM)
        var out: [String] = []
        for batch in test.batches where !batch.isEmpty {
            _ = batch.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            try intake.readAvailable { out.append(EventIntakeTests.describe($0)) }
        }
        close(fds[1])
        try intake.readAll { out.append(EventIntakeTests.describe($0)) }
        #expect(out == test.expected)
        #expect(intake.lineCount == test.lineCount)
    }

    /// Batches of whole lines, unsplit, with their offsets in the stream.
    @Test func wholeLineBatches() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let intake = EventIntake(batchesOf: fds[0], name: "pipe", batchBytes: 4, stripsBOM: true)
        var out: [String] = []
        func record(_ lines: UnsafeRawBufferPointer, _ offset: Int) {
            out.append("\(offset):" + String(decoding: lines, as: UTF8.self))
        }
        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        }
        send(Self.bom + Self.bytes("a\nbc"))
        while try intake.readBatch(record) == 4 {}
        #expect(out == ["3:a\n"])
        send(Self.bytes("defghij\n\nk"))  // a line longer than a batch stays whole
        while try intake.readBatch(record) == 4 {}
        #expect(out == ["3:a\n", "5:bcdefghij\n", "15:\n"])
        send(Self.bom + Self.bytes("\nl"))  // not at the start: data
        close(fds[1])
        try intake.readAllBatches(record)
        #expect(out == ["3:a\n", "5:bcdefghij\n", "15:\n", "16:k\u{FEFF}\n", "21:l"])
    }

    /// The pipeline's counts: every line, blank ones included; accepted and rejected events.
    @Test func countsWhatItFeeds() throws {
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", "")]))
        var parser = EventParser()
        let pipeline = EventPipeline(engine: engine)
        let intake = EventIntake(name: "memory", firstLine: 10)
        var rejections: [String] = []
        let text = "{\"type\":\"VIEW\",\"guest\":\"g1\",\"ts\":1700000000001}\n\n[1]\r\n  \n{\"type\":\"VIEW\",\"guest\":\"g2\",\"ts\":1700000000002}"
        let counts = Array(text.utf8).withUnsafeBytes {
            intake.consumeAll($0, into: pipeline, parser: &parser) { rejections.append($0.description(file: "m")) }
        }
        #expect(counts == Engine.BatchCounts(lines: 5, accepted: 2, rejected: 1))
        #expect(rejections == ["m:12: not a JSON object (found an array)"])
    }
}
