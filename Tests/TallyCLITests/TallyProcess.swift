import Foundation

/// Runs the built `tally` binary and captures what it prints.
///
/// The binary is `$TALLY_BINARY` when set, otherwise `tally` in the products directory of the
/// running test bundle (where SwiftPM builds it, since this test target depends on it), otherwise
/// `.build/debug/tally` under the repository root.
struct TallyProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard error split into lines (no empty trailing line).
        var stderrLines: [String] {
            stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast(stderr.hasSuffix("\n") ? 1 : 0)
                .map(String.init)
        }
    }

    /// The binary under test.
    static let binary: URL = {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["TALLY_BINARY"], !path.isEmpty {
            candidates.append(URL(fileURLWithPath: path))
        }
        // Linux: the test executable sits in the products directory.
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tally"))
        }
        // macOS: the products directory is the parent of the .xctest bundle.
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("tally"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/tally"))
        return candidates.first { fileManager.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Runs `tally arguments...` in `directory` with `stdin` as standard input (empty when nil).
    static func run(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Result {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let input = scratch.url.appendingPathComponent("stdin")
        let output = scratch.url.appendingPathComponent("stdout")
        let error = scratch.url.appendingPathComponent("stderr")
        try Data((stdin ?? "").utf8).write(to: input)
        try Data().write(to: output)
        try Data().write(to: error)

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        // Files rather than pipes: nothing can block on a full pipe.
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: error), as: UTF8.self))
    }
}

/// A fresh directory under the system's temporary directory. Call `remove()` when done (in a
/// `defer`): removal is explicit because Swift may end a value's lifetime after its last use.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `text` to `relativePath` (creating directories) and returns its path.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// The path of `relativePath` inside the directory.
    func path(_ relativePath: String) -> String {
        url.appendingPathComponent(relativePath).path
    }

    /// The contents of `relativePath`, or nil if it does not exist.
    func read(_ relativePath: String) -> String? {
        FileManager.default.contents(atPath: path(relativePath)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A parsed JSON report with subscripts that record a test issue instead of crashing.
struct JSONReport {
    let root: Any

    init(_ text: String) throws {
        root = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    init(value: Any) {
        root = value
    }

    /// The member `key` of an object (or `NSNull` when absent).
    subscript(_ key: String) -> JSONReport {
        JSONReport(value: (root as? [String: Any])?[key] ?? NSNull())
    }

    /// The element at `index` of an array.
    subscript(_ index: Int) -> JSONReport {
        guard let array = root as? [Any], array.indices.contains(index) else { return JSONReport(value: NSNull()) }
        return JSONReport(value: array[index])
    }

    /// The element of an array whose `id` member is `id`.
    subscript(id id: String) -> JSONReport {
        let match = (root as? [Any])?.first { ($0 as? [String: Any])?["id"] as? String == id }
        return JSONReport(value: match ?? NSNull())
    }

    var int: Int? { root as? Int }
    var double: Double? { root as? Double }
    var string: String? { root as? String }
    var bool: Bool? { root as? Bool }
    var isNull: Bool { root is NSNull }
    var count: Int { (root as? [Any])?.count ?? (root as? [String: Any])?.count ?? 0 }
}
