import ArgumentParser
import Dispatch
import Foundation
import Hummingbird
import Logging
import TallyCore

#if canImport(Glibc)
import Glibc
#endif

/// `tally serve`: the engine as an HTTP service (docs/serve.md).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the engine over HTTP: POST /events, GET /report, /experiments/ID, /guests/ID, /metrics.",
        discussion: """
            Events arrive as JSON Lines or a JSON array in POST /events (16 MiB at most per body). \
            The rules directory is watched and reloaded on change (and on POST /reload); a broken \
            file keeps the old rules running. With --state FILE every batch is journaled before \
            the answer, and SIGTERM or SIGINT checkpoints the state before exiting. See docs/serve.md.

            Exit status: 0 after a graceful shutdown, 64 usage error, 65 rules failed to load, \
            69 the address cannot be listened on, 74 the state file is refused or cannot be written.
            """)

    @OptionGroup var rulesOptions: RulesOptions

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on (0: any free port; the one chosen is printed).",
                               valueName: "port"))
    var port = 8080

    @Flag(name: .customLong("no-watch"), help: "Do not watch the rules directory (reload with POST /reload only).")
    var noWatch = false

    @OptionGroup var allowedLateness: EngineOptions.AllowedLateness

    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        try CommandFailure.reporting(execute)
    }

    func execute() throws {
        guard (0...65535).contains(port) else {
            throw CommandFailure.usage("--port must be between 0 and 65535, got \(port)")
        }
        let log: @Sendable (String) -> Void = { line in TextSink.writeError(line + "\n") }
        let metrics = ServeMetrics()
        let service = try EngineService(rulesDirectory: rulesOptions.directory,
                                        allowedLateness: allowedLateness.milliseconds, stateOptions: stateOptions,
                                        metrics: metrics, log: log)
        if !noWatch { startWatcher(service: service, log: log) }

        let host = self.host
        let port = self.port
        let statePath = stateOptions.state
        let outcome = blockOn { () async -> CommandFailure? in
            let app = Application(
                router: ServeRoutes.router(service: service, metrics: metrics),
                configuration: .init(address: .hostname(host, port: port), serverName: "tally"),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port ?? port
                    log("tally serve: listening on http://\(host):\(bound)")
                },
                logger: Self.logger())
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 2_000_000_000)
                    await service.tick()
                }
            }
            defer { ticker.cancel() }
            do {
                try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            } catch {
                return CommandFailure(status: ExitStatus.unavailable, message: "cannot serve on \(host):\(port): \(error)")
            }
            if let problem = await service.shutdown() {
                return CommandFailure(status: ExitStatus.state, message: problem)
            }
            log(statePath.map { "tally serve: stopped; state saved in \"\($0)\"" } ?? "tally serve: stopped")
            return nil
        }
        if let outcome { throw outcome }
    }

    /// The server's own log: warnings and errors only (LOG_LEVEL overrides), on standard error.
    static func logger() -> Logger {
        var logger = Logger(label: "tally.serve", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// Watches the rules directory on a thread of its own and reloads through the service.
    private func startWatcher(service: EngineService, log: @escaping @Sendable (String) -> Void) {
        let directory = rulesOptions.directory
        let thread = Thread {
            let watcher: RuleWatcher
            do {
                watcher = try RuleWatcher(directory: directory)
            } catch {
                log("tally serve: \(error); reload with POST /reload")
                return
            }
            while true {
                var entry = pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 1000) > 0, watcher.drain() else { continue }
                watcher.settle()
                let done = DispatchSemaphore(value: 0)
                Task {
                    let answer = await service.reload()
                    log(answer.status == 200 ? "tally serve: rules reloaded: \(answer.body)"
                                             : "tally serve: reload failed, the previous rules keep running: \(answer.body)")
                    done.signal()
                }
                done.wait()
            }
        }
        thread.start()
    }
}

/// Runs `body` on the concurrency pool and waits for it (the command itself is synchronous).
func blockOn<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = BlockOnBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class BlockOnBox<T>: @unchecked Sendable {
    var value: T?
}
