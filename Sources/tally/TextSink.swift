#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered text output to a file descriptor (standard error, a `--rejects` file), written with
/// `write(2)` in large chunks. Not thread-safe.
final class TextSink {
    let fileDescriptor: Int32
    private let closesDescriptor: Bool
    private var buffer: [UInt8] = []
    private let flushThreshold = 64 << 10
    /// The first write error's `errno`, if any; later writes are dropped.
    private(set) var failure: Int32?

    /// A sink writing to `fileDescriptor`, which it closes on `close()` when `closes` is true.
    init(fileDescriptor: Int32, closes: Bool = false) {
        self.fileDescriptor = fileDescriptor
        closesDescriptor = closes
        buffer.reserveCapacity(flushThreshold)
    }

    /// A sink writing to a new (or truncated) file at `path`, or the reason it cannot be created.
    static func create(path: String) -> Result<TextSink, SystemError> {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(SystemError(code: errno)) }
        return .success(TextSink(fileDescriptor: fd, closes: true))
    }

    /// Appends `text`, flushing when the buffer is full.
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushThreshold { flush() }
    }

    /// Writes out everything buffered.
    func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return }
        if let code = Self.writeAll(buffer, to: fileDescriptor) { failure = code }
    }

    /// Flushes and closes the descriptor if the sink owns it; returns the first write or close error.
    @discardableResult
    func close() -> Int32? {
        flush()
        if closesDescriptor, posixClose(fileDescriptor) != 0, failure == nil { failure = errno }
        return failure
    }

    /// Writes `bytes` completely, retrying short writes; returns `errno` on failure.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let count = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return nil
        }
    }

    /// Writes `text` to standard error at once (unbuffered).
    static func writeError(_ text: String) {
        _ = writeAll(Array(text.utf8), to: STDERR_FILENO)
    }
}

private func posixClose(_ fd: Int32) -> Int32 { close(fd) }
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

/// An `errno` value with the system's text for it.
struct SystemError: Error, CustomStringConvertible {
    let code: Int32

    var description: String { Self.text(code) }

    /// `No such file or directory` for ENOENT.
    static func text(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
