// Micro-benchmarks, run by scripts/bench in release mode:
//   tally-bench [lua-call|parse|stats|engine RULES EVENTS|all]
let which = CommandLine.arguments.dropFirst().first ?? "all"
let benchmarks: [(name: String, run: () throws -> Void)] = [
    ("lua-call", runLuaCallBenchmark),
    ("parse", runParseBenchmark),
    ("stats", runStatsBenchmark),
    ("engine", runEngineBenchmark),
    ("reload", runReloadBenchmark),
]
for benchmark in benchmarks where (which == "all" && benchmark.name != "engine") || which == benchmark.name {
    try benchmark.run()
}
