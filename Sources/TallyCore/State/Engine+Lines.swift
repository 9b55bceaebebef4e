extension Engine {
    /// What ``ingest(lines:firstLine:parser:onReject:)`` did with a batch.
    public struct BatchCounts: Sendable, Equatable {
        /// Lines in the batch, blank ones included (the next batch's first line follows them).
        public var lines = 0
        public var accepted = 0
        public var rejected = 0
    }

    /// Applies a batch of JSON Lines held in memory (a `POST /events` body, a stretch of an
    /// events file, a journal entry being replayed), numbering them from `firstLine`.
    ///
    /// The same rules as ``LineReader`` apply: lines end at `\n`, one trailing `\r` is stripped,
    /// lines of only white space are skipped but counted, a last line without `\n` counts.
    /// A byte order mark is not stripped here (only at the start of a stream; callers do it).
    /// Each rejected line is counted by the engine and handed to `onReject`.
    @discardableResult
    public func ingest(lines bytes: UnsafeRawBufferPointer, firstLine: Int, parser: inout EventParser,
                       onReject: (EventRejection) -> Void) -> BatchCounts {
        var counts = BatchCounts()
        guard let base = bytes.baseAddress, bytes.count > 0 else { return counts }
        var start = 0
        var number = firstLine
        var events = 0
        let pipeline = EventPipeline(engine: self)  // events applied a few behind the parser
        func reject(_ rejection: EventRejection) {
            counts.rejected += 1
            onReject(rejection)
        }
        while start < bytes.count {
            var end = start
            let remaining = bytes.count - start
            if let found = memchrNewline(base + start, remaining) {
                end = start + found
            } else {
                end = bytes.count
            }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            counts.lines += 1
            if !Self.isBlank(bytes, start, lineEnd) {
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd])
                events += 1
                pipeline.feed(line, line: number, parser: &parser, onReject: reject)
            }
            number += 1
            start = end + 1
        }
        pipeline.flush(onReject: reject)
        counts.accepted = events - counts.rejected  // a line is accepted or rejected, once
        return counts
    }

    private static func isBlank(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var index = start
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            default: return false
            }
        }
        return true
    }
}

/// The offset of the first `\n` in `count` bytes at `pointer`, or nil.
@inline(__always)
func memchrNewline(_ pointer: UnsafeRawPointer, _ count: Int) -> Int? {
    guard let found = memchr(pointer, 0x0A, count) else { return nil }
    return pointer.distance(to: UnsafeRawPointer(found))
}

/// The number of `\n` bytes in `bytes`.
func newlineCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    var count = 0
    var offset = 0
    while offset < bytes.count, let found = memchrNewline(base + offset, bytes.count - offset) {
        count += 1
        offset += found + 1
    }
    return count
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
