#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way event lines come in: reads a file, a stream (stdin, a pipe, a growing file
/// followed like `tail -f`) or bytes held in memory, splits them into JSON Lines, and feeds
/// them to an ``EventPipeline`` (or hands them to a closure).
///
/// Lines end at `\n`; one trailing `\r` is stripped; lines of only white space (space, tab,
/// CR) are skipped but still counted; a final line without `\n` counts; a UTF-8 byte order
/// mark at the start of the stream is skipped (a later one is data). A line longer than 1 MiB
/// is handed out as ``Line/oversize(byteCount:number:)`` and its bytes are skipped without
/// being buffered. Lines are numbered from `firstLine` across reads and batches.
///
/// The intake keeps the partial last line between reads, so a follower can call
/// ``readAvailable(_:)`` whenever the input grows and ``finish(_:)`` when it ends.
/// ``readAll(_:)`` does both for ordinary input. Lines are handed to the closure in order;
/// a line counts as consumed once handed out, even if the closure throws.
///
/// An intake made with ``init(batchesOf:name:batchBytes:stripsBOM:)`` hands out batches of
/// whole lines instead (``readBatch(_:)``), unsplit, for a caller that journals raw lines.
public final class EventIntake {
    /// One line of input, valid only during the closure it is passed to.
    public enum Line {
        /// The line's bytes (no `\n`, no trailing `\r`) and its 1-based line number.
        case text(UnsafeRawBufferPointer, number: Int)
        /// A line over the limit: its length in bytes and its 1-based line number.
        case oversize(byteCount: Int, number: Int)

        /// The 1-based line number.
        public var number: Int {
            switch self {
            case .text(_, let number), .oversize(_, let number): return number
            }
        }
    }

    /// The input's name for messages (a path, or `<stdin>`).
    public let name: String
    /// The descriptor read from.
    public let fileDescriptor: Int32

    let chunkSize: Int
    let maxLineLength: Int
    private let closesDescriptor: Bool
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0        // first byte of the current (partial) line
    private var end = 0          // end of the bytes read
    private var scanFrom = 0     // [start, scanFrom) holds no '\n'
    private var skipped: Int?    // bytes of an oversize line already dropped
    private var skippedLastByte: UInt8 = 0
    private var expectBOM: Bool
    private var lineNumber: Int  // number of the line being assembled
    private let firstLine: Int
    /// Batches of whole lines: the buffer grows to hold a line of any length.
    private let keepsWholeLines: Bool
    /// The stream offset of `buffer[0]` (bytes read, or consumed, before it).
    private var origin = 0

    /// An intake of `fileDescriptor` (not closed by the intake), named `name` in messages.
    public convenience init(fileDescriptor: Int32, name: String) {
        self.init(fileDescriptor: fileDescriptor, name: name, closesDescriptor: false)
    }

    /// An intake of bytes handed to ``consume(_:_:)`` (it reads no descriptor), numbering
    /// lines from `firstLine`; a byte order mark is stripped only if `stripsBOM`.
    public convenience init(name: String, firstLine: Int = 1, stripsBOM: Bool = true, chunkSize: Int = 1 << 20) {
        self.init(fileDescriptor: -1, name: name, closesDescriptor: false, chunkSize: max(1, chunkSize),
                  firstLine: firstLine, stripsBOM: stripsBOM)
    }

    /// An intake of `fileDescriptor` (not closed) read with ``readBatch(_:)``: each read of up
    /// to `batchBytes` hands out the whole lines it completes, in one piece.
    public convenience init(batchesOf fileDescriptor: Int32, name: String, batchBytes: Int, stripsBOM: Bool) {
        self.init(fileDescriptor: fileDescriptor, name: name, closesDescriptor: false, chunkSize: max(1, batchBytes),
                  stripsBOM: stripsBOM, keepsWholeLines: true)
    }

    /// The designated initializer; tests shrink `chunkSize` and `maxLineLength`.
    init(
        fileDescriptor: Int32, name: String, closesDescriptor: Bool,
        chunkSize: Int = 1 << 20, maxLineLength: Int = EventRejection.maxLineLength,
        firstLine: Int = 1, stripsBOM: Bool = true, keepsWholeLines: Bool = false
    ) {
        precondition(chunkSize > 0 && maxLineLength > 0)
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.closesDescriptor = closesDescriptor
        self.chunkSize = chunkSize
        self.maxLineLength = maxLineLength
        self.firstLine = firstLine
        lineNumber = firstLine
        expectBOM = stripsBOM
        self.keepsWholeLines = keepsWholeLines
        capacity = chunkSize
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    /// Lines handed out or skipped as blank so far (the next line is `firstLine` plus this).
    public var lineCount: Int { lineNumber - firstLine }

    /// The buffer's current size in bytes (tests check that oversize lines are not buffered).
    var bufferCapacity: Int { capacity }

    deinit {
        buffer.deallocate()
        if closesDescriptor { _ = close(fileDescriptor) }
    }

    /// Reads the input to its end, handing every line to `body`, the last one included.
    public func readAll(_ body: (Line) throws -> Void) throws {
        while try readAvailable(body) > 0 {}
        try finish(body)
    }

    /// Performs one read of up to a chunk and hands out the lines it completes; the partial
    /// last line is kept for the next call. Returns the number of bytes read: 0 at the end of
    /// the input (or, for a non-blocking descriptor, when nothing is available now).
    @discardableResult
    public func readAvailable(_ body: (Line) throws -> Void) throws -> Int {
        let count = try readChunk()
        try split(body)
        return count
    }

    /// One `read(2)` of up to a chunk after the buffered bytes, retried on `EINTR`. Returns the
    /// bytes read: 0 at the end (or when a non-blocking descriptor has nothing now).
    private func readChunk() throws -> Int {
        makeRoom()
        var count: Int
        repeat {
            count = read(fileDescriptor, buffer + end, min(chunkSize, capacity - end))
        } while count < 0 && errno == EINTR
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            throw ReadError(name: name, code: errno)
        }
        end += count
        return count
    }

    /// Batches: performs one read of up to `batchBytes` and hands `body` the whole lines it
    /// completes, unsplit, with their offset in the stream (a byte order mark at the start
    /// is skipped and counted in the offset). Returns the bytes read (0 at the end).
    @discardableResult
    public func readBatch(_ body: (_ lines: UnsafeRawBufferPointer, _ offset: Int) throws -> Void) throws -> Int {
        precondition(keepsWholeLines, "readBatch needs an intake made with init(batchesOf:...)")
        let count = try readChunk()
        if expectBOM {
            guard stripBOM() else { return count }
        }
        var last = end  // the last '\n' in [scanFrom, end), searched from the end
        while last > scanFrom && buffer.load(fromByteOffset: last - 1, as: UInt8.self) != 0x0A { last -= 1 }
        guard last > scanFrom else {
            scanFrom = end
            return count
        }
        let lineStart = start
        start = last
        scanFrom = start
        try body(UnsafeRawBufferPointer(start: buffer + lineStart, count: start - lineStart), origin + lineStart)
        return count
    }

    /// Batches: ends the input, handing `body` the partial last line (one without `\n`), if any.
    public func finishBatch(_ body: (_ lines: UnsafeRawBufferPointer, _ offset: Int) throws -> Void) rethrows {
        expectBOM = false
        let lineStart = start
        start = end
        if end > lineStart {
            try body(UnsafeRawBufferPointer(start: buffer + lineStart, count: end - lineStart), origin + lineStart)
        }
        origin += end
        start = 0
        end = 0
        scanFrom = 0
    }

    /// Reads batches to the end (see ``readBatch(_:)``), the partial last line included.
    public func readAllBatches(_ body: (_ lines: UnsafeRawBufferPointer, _ offset: Int) throws -> Void) throws {
        while try readBatch(body) > 0 {}
        try finishBatch(body)
    }

    /// Hands out bytes obtained elsewhere (a socket, memory), as if they had been read.
    public func consume(_ bytes: UnsafeRawBufferPointer, _ body: (Line) throws -> Void) rethrows {
        var offset = 0
        while offset < bytes.count {
            makeRoom()
            let count = min(chunkSize, capacity - end, bytes.count - offset)
            (buffer + end).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            end += count
            offset += count
            try split(body)
        }
    }

    /// Hands out the lines of `bytes` as the whole rest of the input, the last one included,
    /// splitting them where they are (no copy; the intake's own buffer must be empty).
    func consumeWhole(_ bytes: UnsafeRawBufferPointer, _ body: (Line) throws -> Void) rethrows {
        precondition(start == end && skipped == nil, "consumeWhole needs an intake with nothing buffered")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return try finish(body) }
        let (ownBuffer, ownCapacity) = (buffer, capacity)
        // Splitting only reads the buffer: it may be the caller's bytes for the time being.
        buffer = UnsafeMutableRawPointer(mutating: base)
        capacity = bytes.count
        start = 0
        end = bytes.count
        scanFrom = 0
        defer {
            (buffer, capacity) = (ownBuffer, ownCapacity)
            origin += end
            start = 0
            end = 0
            scanFrom = 0
        }
        try split(body)
        try finish(body)
    }

    /// Ends the input: hands out the partial last line (one without `\n`), if any.
    public func finish(_ body: (Line) throws -> Void) rethrows {
        expectBOM = false
        try split(body)
        if let skipped {
            let total = skipped + (end - start)
            let last = end > start ? buffer.load(fromByteOffset: end - 1, as: UInt8.self) : skippedLastByte
            self.skipped = nil
            start = end
            try emitOversize(total - (last == 0x0D ? 1 : 0), body)
        } else if end > start {
            let (lineStart, lineEnd) = (start, end)
            start = end
            try emit(lineStart, lineEnd, body)
        }
        origin += end
        start = 0
        end = 0
        scanFrom = 0
    }

    /// Hands out every complete line in the buffer.
    private func split(_ body: (Line) throws -> Void) rethrows {
        if expectBOM {
            guard stripBOM() else { return }
        }
        while scanFrom < end {
            guard let found = memchr(buffer + scanFrom, 0x0A, end - scanFrom) else {
                scanFrom = end
                break
            }
            let newline = buffer.distance(to: found)
            let lineStart = start
            start = newline + 1
            scanFrom = start
            if let skipped {
                let last = newline > lineStart ? buffer.load(fromByteOffset: newline - 1, as: UInt8.self) : skippedLastByte
                self.skipped = nil
                try emitOversize(skipped + (newline - lineStart) - (last == 0x0D ? 1 : 0), body)
            } else {
                try emit(lineStart, newline, body)
            }
        }
        // No newline in [start, end): drop the bytes of a line that is already too long.
        let pending = end - start
        if skipped != nil || pending > maxLineLength + 1 {
            if pending > 0 { skippedLastByte = buffer.load(fromByteOffset: end - 1, as: UInt8.self) }
            skipped = (skipped ?? 0) + pending
            origin += end
            start = 0
            end = 0
            scanFrom = 0
        }
    }

    /// Hands out the line in [lineStart, lineEnd) unless it is blank.
    private func emit(_ lineStart: Int, _ lineEnd: Int, _ body: (Line) throws -> Void) rethrows {
        let number = lineNumber
        lineNumber += 1
        var stop = lineEnd
        if stop > lineStart && buffer.load(fromByteOffset: stop - 1, as: UInt8.self) == 0x0D { stop -= 1 }
        if stop - lineStart > maxLineLength {
            try body(.oversize(byteCount: stop - lineStart, number: number))
            return
        }
        var i = lineStart
        while i < stop {
            let byte = buffer.load(fromByteOffset: i, as: UInt8.self)
            guard byte == 0x20 || byte == 0x09 || byte == 0x0D else { break }
            i += 1
        }
        if i == stop { return }  // blank
        try body(.text(UnsafeRawBufferPointer(start: buffer + lineStart, count: stop - lineStart), number: number))
    }

    private func emitOversize(_ byteCount: Int, _ body: (Line) throws -> Void) rethrows {
        let number = lineNumber
        lineNumber += 1
        try body(.oversize(byteCount: byteCount, number: number))
    }

    /// Skips a byte order mark at the start; false while too few bytes have arrived to tell.
    private func stripBOM() -> Bool {
        var i = 0
        while i < 3 && start + i < end {
            guard buffer.load(fromByteOffset: start + i, as: UInt8.self) == Self.byteOrderMark[i] else {
                expectBOM = false
                return true
            }
            i += 1
        }
        guard i == 3 else { return false }
        expectBOM = false
        start += 3
        scanFrom = start
        return true
    }

    /// The UTF-8 byte order mark, skipped at the start of a stream.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Ensures free space after `end`: moves the partial line to the front, or grows the
    /// buffer when the partial line fills it (never beyond the line limit plus `\r\n`, unless
    /// it keeps whole lines: then there is always room for a full chunk).
    private func makeRoom() {
        if start == end {
            origin += end
            start = 0
            end = 0
            scanFrom = 0
        } else if start > 0 && capacity - end < (keepsWholeLines ? chunkSize : min(chunkSize, capacity / 2 + 1)) {
            let pending = end - start
            memmove(buffer, buffer + start, pending)
            origin += start
            scanFrom -= start
            start = 0
            end = pending
        }
        if keepsWholeLines ? capacity - end < chunkSize : end == capacity {
            let grown = keepsWholeLines ? max(capacity * 2, end + chunkSize)
                : max(capacity + 1, min(capacity * 2, maxLineLength + 2))
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            bigger.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = bigger
            capacity = grown
        }
    }
}
