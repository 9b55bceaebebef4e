// Micro-benchmarks, run by scripts/bench in release mode:
//   tally-bench [lua-call|parse|stats|all]
let which = CommandLine.arguments.dropFirst().first ?? "all"
let benchmarks: [(name: String, run: () throws -> Void)] = [
    ("lua-call", runLuaCallBenchmark),
    ("parse", runParseBenchmark),
    ("stats", runStatsBenchmark),
]
for benchmark in benchmarks where which == "all" || which == benchmark.name {
    try benchmark.run()
}
