import ArgumentParser
import TallyCore

/// `--state FILE` and its tuning flags, shared by the commands that can keep their state.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Keep the engine's state in this SQLite file across runs (created if missing).",
                               valueName: "file"))
    var state: String?

    @Option(name: .customLong("checkpoint-events"),
            help: ArgumentHelp("With --state: write a snapshot every N events (default 1000000).", valueName: "n",
                               visibility: .hidden))
    var checkpointEvents: Int = 1_000_000

    @Option(name: .customLong("checkpoint-seconds"),
            help: ArgumentHelp("With --state: write a snapshot at least every S seconds (default 300).",
                               valueName: "s", visibility: .hidden))
    var checkpointSeconds: Int = 300

    @Option(name: .customLong("state-batch-bytes"),
            help: ArgumentHelp("With --state: bytes of input per journaled batch (default 1 MiB).", valueName: "n",
                               visibility: .hidden))
    var batchBytes: Int = 1 << 20

    /// Opens the store and the durable engine, printing the notes of the restore.
    func open(engine: Engine, rulesDirectory: String, diagnostics: TextSink) throws -> DurableEngine? {
        guard let state else { return nil }
        guard checkpointEvents > 0, checkpointSeconds > 0, batchBytes > 0 else {
            throw CommandFailure.usage("--checkpoint-events, --checkpoint-seconds and --state-batch-bytes must be positive")
        }
        do {
            let store = try StateStore(path: state)
            let durable = try DurableEngine(engine: engine, store: store,
                                            rulesHash: RulesDigest.contentHash(directory: rulesDirectory))
            durable.checkpointEvents = checkpointEvents
            durable.checkpointMilliseconds = Int64(checkpointSeconds) * 1000
            for note in durable.notes { diagnostics.write("tally: state: \(note)\n") }
            return durable
        } catch let error as StateStoreError {
            throw CommandFailure.state(error)
        }
    }
}
