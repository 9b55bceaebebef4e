extension Engine {
    /// Reads JSON Lines from the files in order (standard input for none or `-`) and applies
    /// each event. Every rejected line (unparsable, or an unknown exposure) is counted and
    /// handed to `onReject` with the input's name; it changes nothing else.
    /// - Throws: `LineReader.ReadError` when a file cannot be opened or read.
    public func ingest(files paths: [String], onReject: (_ input: String, _ rejection: EventRejection) -> Void) throws {
        var parser = EventParser()
        try LineReader.readFiles(paths) { name, line in
            var event = Event.placeholder  // a local: the engine borrows it
            if let rejection = parser.parse(line, into: &event) {
                countRejected()
                onReject(name, rejection)
            } else if let rejection = ingest(event) {
                onReject(name, rejection)
            }
        }
    }
}
