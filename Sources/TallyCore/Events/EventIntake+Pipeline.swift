extension EventIntake {
    /// Reads the input to its end and feeds every line to `pipeline` (see ``readAll(_:)``),
    /// flushing it at the end, or before a read error is thrown. Every rejection goes to
    /// `onReject`; the counts are this call's lines, accepted and rejected events.
    @discardableResult
    public func readAll(into pipeline: EventPipeline, parser: inout EventParser,
                        onReject: (EventRejection) -> Void) throws -> Engine.BatchCounts {
        try feeding(pipeline, &parser, onReject) { feed in try readAll(feed) }
    }

    /// Performs one read (see ``readAvailable(_:)``), feeds the lines it completes to `pipeline`
    /// and flushes it, so every event read so far is applied. Returns the bytes read.
    @discardableResult
    public func readAvailable(into pipeline: EventPipeline, parser: inout EventParser,
                              onReject: (EventRejection) -> Void) throws -> Int {
        var count = 0
        try feeding(pipeline, &parser, onReject) { feed in count = try readAvailable(feed) }
        return count
    }

    /// Ends the input (see ``finish(_:)``): feeds the partial last line, if any, and flushes.
    public func finish(into pipeline: EventPipeline, parser: inout EventParser, onReject: (EventRejection) -> Void) {
        feeding(pipeline, &parser, onReject) { feed in finish(feed) }
    }

    /// Feeds `bytes` to `pipeline` as the whole rest of the input, its last line included,
    /// split where they are, and flushes it.
    @discardableResult
    func consumeAll(_ bytes: UnsafeRawBufferPointer, into pipeline: EventPipeline, parser: inout EventParser,
                           onReject: (EventRejection) -> Void) -> Engine.BatchCounts {
        feeding(pipeline, &parser, onReject) { feed in consumeWhole(bytes, feed) }
    }

    /// Runs `read` with a closure that feeds each line to `pipeline`, then flushes the pipeline
    /// (also when `read` throws) and counts what was fed.
    @discardableResult
    private func feeding(_ pipeline: EventPipeline, _ parser: inout EventParser, _ onReject: (EventRejection) -> Void,
                         _ read: ((Line) -> Void) throws -> Void) rethrows -> Engine.BatchCounts {
        var counts = Engine.BatchCounts()
        let linesBefore = lineCount
        var events = 0
        // `read` calls the feeding closure only before it returns: nothing escapes.
        try withoutActuallyEscaping(onReject) { onReject in
            func reject(_ rejection: EventRejection) {
                counts.rejected += 1
                onReject(rejection)
            }
            defer { pipeline.flush(onReject: reject) }
            try read { line in
                events += 1
                pipeline.feed(line, parser: &parser, onReject: reject)
            }
        }
        counts.lines = lineCount - linesBefore
        counts.accepted = events - counts.rejected  // a line is accepted or rejected, once
        return counts
    }
}
