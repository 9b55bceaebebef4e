extension Engine {
    /// Reads JSON Lines from the files in order (standard input for none or `-`) and applies
    /// each event. Every rejected line (unparsable, or an unknown exposure) is counted and
    /// handed to `onReject` with the input's name; it changes nothing else.
    /// - Throws: `LineReader.ReadError` when a file cannot be opened or read.
    public func ingest(files paths: [String], onReject: (_ input: String, _ rejection: EventRejection) -> Void) throws {
        var parser = EventParser()
        try LineReader.readFiles(paths) { name, line in
            switch parser.parse(line) {
            case .success(let event):
                if let rejection = ingest(event) { onReject(name, rejection) }
            case .failure(let rejection):
                countRejected()
                onReject(name, rejection)
            }
        }
    }
}
