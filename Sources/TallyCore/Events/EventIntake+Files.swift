#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventIntake {
    /// An input that cannot be opened or read, with the system's reason:
    /// `events.jsonl: No such file or directory`.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The input's name (a path, or `<stdin>`).
        public let name: String
        /// The `errno` value.
        public let code: Int32

        public init(name: String, code: Int32) {
            self.name = name
            self.code = code
        }

        /// `events.jsonl: No such file or directory`.
        public var description: String {
            "\(name): \(String(cString: strerror(code)))"
        }
    }

    /// The name standard input has in messages.
    public static let standardInputName = "<stdin>"

    /// A reader of the file at `path` (closed when the reader goes away); `-` means standard
    /// input. Throws ``ReadError`` when the file cannot be opened.
    public convenience init(path: String) throws {
        if path == "-" {
            self.init(fileDescriptor: STDIN_FILENO, name: Self.standardInputName)
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(name: path, code: errno) }
        self.init(fileDescriptor: fd, name: path, closesDescriptor: true)
    }

    /// Reads the files in order (standard input when `paths` is empty; `-` is standard input),
    /// handing each line to `body` with its input's name. Line numbers restart at 1 in every
    /// file. A file is opened only when its turn comes, so a ``ReadError`` for a later file
    /// arrives after the earlier files' lines.
    public static func readFiles(
        _ paths: [String], _ body: (_ name: String, _ line: Line) throws -> Void
    ) throws {
        for path in paths.isEmpty ? ["-"] : paths {
            let reader = try EventIntake(path: path)
            try reader.readAll { line in try body(reader.name, line) }
        }
    }
}
