#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--output` file, written only once the report is complete: a temporary file next to it
/// is created up front (so an unwritable place fails before the run) and renamed over it at
/// the end, so a failed run never leaves half a report.
final class ReportFile {
    let path: String
    private let temporaryPath: String
    private var sink: TextSink?

    init(path: String) throws {
        self.path = path
        temporaryPath = path + ".tmp-\(getpid())"
        switch TextSink.create(path: temporaryPath) {
        case .success(let sink): self.sink = sink
        case .failure(let error): throw CommandFailure.output("output", path: path, code: error.code)
        }
    }

    /// Writes `text` and moves the file into place.
    func commit(_ text: String) throws {
        guard let sink else { return }
        self.sink = nil
        sink.write(text)
        if let code = sink.close() {
            unlink(temporaryPath)
            throw CommandFailure.output("output", path: path, code: code)
        }
        if rename(temporaryPath, path) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw CommandFailure.output("output", path: path, code: code)
        }
    }

    deinit {
        if let sink {
            sink.close()
            unlink(temporaryPath)
        }
    }
}
