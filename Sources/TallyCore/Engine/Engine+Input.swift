extension Engine {
    /// What a batch of lines fed to the engine came to.
    public struct BatchCounts: Sendable, Equatable {
        /// Lines in the batch, blank ones included (the next batch's first line follows them).
        public var lines = 0
        public var accepted = 0
        public var rejected = 0
    }

    /// Reads JSON Lines from the files in order (standard input for none or `-`) and applies
    /// each event. Every rejected line (unparsable, or an unknown exposure) is counted and
    /// handed to `onReject` with the input's name; it changes nothing else.
    /// - Throws: `EventIntake.ReadError` when a file cannot be opened or read.
    public func ingest(files paths: [String], onReject: (_ input: String, _ rejection: EventRejection) -> Void) throws {
        var parser = EventParser()
        let pipeline = EventPipeline(engine: self)
        for path in paths.isEmpty ? ["-"] : paths {
            let intake = try EventIntake(path: path)
            try intake.readAll(into: pipeline, parser: &parser) { onReject(intake.name, $0) }
        }
    }

    /// Applies a batch of JSON Lines held in memory (a `POST /events` body, a stretch of an
    /// events file, a journal entry being replayed), numbering them from `firstLine`.
    ///
    /// The lines are split by an ``EventIntake``, except that a byte order mark is not stripped
    /// (only at the start of a stream; callers do it). Each rejected line is counted by the
    /// engine and handed to `onReject`.
    @discardableResult
    public func ingest(lines bytes: UnsafeRawBufferPointer, firstLine: Int, parser: inout EventParser,
                       onReject: (EventRejection) -> Void) -> BatchCounts {
        guard bytes.count > 0 else { return BatchCounts() }
        // The intake splits `bytes` where they are: its own buffer stays at one byte.
        let intake = EventIntake(name: "lines", firstLine: firstLine, stripsBOM: false, chunkSize: 1)
        let pipeline = EventPipeline(engine: self)  // events applied a few behind the parser
        return intake.consumeAll(bytes, into: pipeline, parser: &parser, onReject: onReject)
    }
}
