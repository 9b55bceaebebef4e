// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tally", targets: ["tally"]),
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallyStats", targets: ["TallyStats"]),
        .library(name: "LuaKit", targets: ["LuaKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev).
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // libedit (BSD editline) for the REPL's line editing and history (Debian: libedit-dev).
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // SQLite 3 from the system (Debian: libsqlite3-dev), for the state store (--state).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // C code that may raise Lua errors: trampoline, protected calls, hooks, allocator.
        .target(name: "CLuaSupport", dependencies: ["CLua"]),
        // Step-bounded Lua pattern matching (string.find, match, gmatch, gsub) for the sandbox.
        .target(name: "CLuaPatterns", dependencies: ["CLua", "CLuaSupport"]),
        // Which fields of a parameter a Lua function reads, from its bytecode.
        .target(name: "CLuaFieldReads", dependencies: ["CLua"]),
        // Swift binding over one lua_State. Knows nothing of rules.
        .target(name: "LuaKit", dependencies: ["CLua", "CLuaSupport", "CLuaPatterns", "CLuaFieldReads"]),
        // Pure Swift statistics. No Lua, no I/O.
        .target(name: "TallyStats"),
        // A compact binary form for Codable values (the engine's snapshots). Knows nothing of Tally.
        .target(name: "CompactBinary"),
        // A validating JSON scanner over UTF-8 bytes (one event line at a time).
        .target(name: "CEventJSON"),
        // Cache prefetch hints for the engine's per-guest state.
        .target(name: "CPrefetch"),
        // Transparent huge pages for the main heap (glibc, Linux).
        .target(name: "CHeap"),
        // Turns stdlib/*.lua into Swift string literals at build time.
        .executableTarget(name: "embed-stdlib", path: "Sources/embed-stdlib"),
        .plugin(name: "EmbedStdlib", capability: .buildTool(), dependencies: ["embed-stdlib"]),
        // The domain: events, sessions, guests, rules, experiments, report.
        .target(
            name: "TallyCore",
            dependencies: ["LuaKit", "TallyStats", "CompactBinary", "CEventJSON", "CPrefetch", "CSQLite"],
            // The engine's hot loop touches its own arrays millions of times per second; dynamic
            // exclusivity checks cost ~8% there and guard nothing the tests don't.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))],
            plugins: ["EmbedStdlib"]
        ),
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyCore", "TallyStats", "CLibEdit", "CHeap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Micro-benchmarks (scripts/bench runs them in release mode).
        .executableTarget(name: "tally-bench", dependencies: ["LuaKit", "TallyStats", "TallyCore"]),
        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit", "CLua", "CLuaPatterns"]),
        .testTarget(name: "TallyStatsTests", dependencies: ["TallyStats"], exclude: ["Fixtures"]),
        .testTarget(name: "CompactBinaryTests", dependencies: ["CompactBinary"]),
        .testTarget(name: "TallyCoreTests", dependencies: ["TallyCore"], exclude: ["Fixtures"]),
        .testTarget(name: "TallyCLITests", dependencies: ["tally"]),
    ],
    swiftLanguageModes: [.v6]
)
