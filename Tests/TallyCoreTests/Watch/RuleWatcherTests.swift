#if canImport(Glibc)
import Foundation
import Glibc
import Testing
@testable import TallyCore

/// `RuleWatcher`: each kind of change to a `*.lua` file is noticed, other files are not, new
/// subdirectories are watched, and `settle` waits for a burst of saves to end.
@Suite struct RuleWatcherTests {
    /// A rules directory with `main.lua` and `sub/other.lua`, and a watcher on it.
    final class Fixture {
        let root: URL
        let watcher: RuleWatcher

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-watch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try Data("goal \"a\" { on = \"VIEW\" }\n".utf8).write(to: root.appendingPathComponent("main.lua"))
            try Data("goal \"b\" { on = \"FORM\" }\n".utf8).write(to: root.appendingPathComponent("sub/other.lua"))
            watcher = try RuleWatcher(directory: root.path)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

        func write(_ relative: String, _ text: String) throws {
            try Data(text.utf8).write(to: root.appendingPathComponent(relative))
        }

        /// Waits (up to 5 s) for the watcher's descriptor to become readable, then drains it
        /// once; nil if nothing arrived.
        func drainWhenReadable(timeoutMilliseconds: Int32 = 5000) -> Bool? {
            var entry = pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, timeoutMilliseconds) > 0 else { return nil }
            return watcher.drain()
        }

        /// Drains until an event concerning rule files arrives (true) or 5 s pass (false).
        func noticesRuleChange() -> Bool {
            let deadline = RuleWatcher.monotonicMilliseconds() + 5000
            while RuleWatcher.monotonicMilliseconds() < deadline {
                if drainWhenReadable(timeoutMilliseconds: 100) == true { return true }
            }
            return false
        }
    }

    @Test func editInPlaceIsNoticed() throws {
        let fixture = try Fixture()
        #expect(fixture.watcher.drain() == false, "nothing happened yet")
        try fixture.write("main.lua", "goal \"a\" { on = \"VIEW\", points = 2 }\n")
        #expect(fixture.noticesRuleChange())
        #expect(fixture.watcher.drain() == false, "drain took every event")
    }

    @Test func appendingThroughAnOpenFileIsNoticed() throws {
        let fixture = try Fixture()
        let handle = try #require(FileHandle(forWritingAtPath: fixture.path("main.lua")))
        handle.seekToEndOfFile()
        handle.write(Data("-- more\n".utf8))  // IN_MODIFY while the file is still open
        #expect(fixture.noticesRuleChange())
        handle.closeFile()
    }

    @Test func createIsNoticed() throws {
        let fixture = try Fixture()
        try fixture.write("new.lua", "goal \"c\" { on = \"VIEW\" }\n")
        #expect(fixture.noticesRuleChange())
    }

    @Test func deleteIsNoticed() throws {
        let fixture = try Fixture()
        #expect(unlink(fixture.path("main.lua")) == 0)
        #expect(fixture.noticesRuleChange())
    }

    @Test func renameOverTheOriginalIsNoticedButTheTemporaryFileIsNot() throws {
        let fixture = try Fixture()
        try fixture.write("main.lua.tmp", "goal \"a\" { on = \"VIEW\", points = 3 }\n")
        #expect(fixture.drainWhenReadable() == false, "writing main.lua.tmp concerns no rule file")
        #expect(rename(fixture.path("main.lua.tmp"), fixture.path("main.lua")) == 0)
        #expect(fixture.noticesRuleChange())
    }

    @Test func renamingARuleFileAwayIsNoticed() throws {
        let fixture = try Fixture()
        #expect(rename(fixture.path("main.lua"), fixture.path("main.lua.disabled")) == 0)
        #expect(fixture.noticesRuleChange())
    }

    @Test func nonLuaFilesAreIgnored() throws {
        let fixture = try Fixture()
        try fixture.write("notes.txt", "not rules\n")
        #expect(fixture.drainWhenReadable() == false)
        try fixture.write("main.lua~", "a backup\n")
        #expect(fixture.drainWhenReadable() == false)
        #expect(unlink(fixture.path("notes.txt")) == 0)
        #expect(fixture.drainWhenReadable() == false)
        #expect(mkdir(fixture.path("empty"), 0o755) == 0)
        #expect(fixture.drainWhenReadable() == false, "a new directory without rule files")
    }

    @Test func existingSubdirectoriesAreWatched() throws {
        let fixture = try Fixture()
        try fixture.write("sub/other.lua", "goal \"b\" { on = \"FORM\", points = 5 }\n")
        #expect(fixture.noticesRuleChange())
    }

    @Test func aNewSubdirectoryIsWatchedAsItAppears() throws {
        let fixture = try Fixture()
        #expect(mkdir(fixture.path("later"), 0o755) == 0)
        #expect(fixture.drainWhenReadable() == false, "the directory alone holds no rules")
        try fixture.write("later/x.lua", "goal \"x\" { on = \"VIEW\" }\n")
        #expect(fixture.noticesRuleChange())
        try fixture.write("later/x.lua", "goal \"x\" { on = \"VIEW\", points = 4 }\n")
        #expect(fixture.noticesRuleChange(), "edits in the new directory are seen too")
    }

    @Test func aNewSubdirectoryWithAFileBeforeTheWatcherLooksIsNoticed() throws {
        let fixture = try Fixture()
        // The file is written before drain() gets to add a watch on the directory: the
        // directory's creation must still count as a rule change.
        try FileManager.default.createDirectory(atPath: fixture.path("deep/er"), withIntermediateDirectories: true)
        try fixture.write("deep/er/y.lua", "goal \"y\" { on = \"VIEW\" }\n")
        #expect(fixture.noticesRuleChange())
        try fixture.write("deep/er/y.lua", "goal \"y\" { on = \"VIEW\", points = 2 }\n")
        #expect(fixture.noticesRuleChange(), "the nested directory is watched")
    }

    @Test func aDirectoryMovedInIsWatchedUnderItsNewName() throws {
        let fixture = try Fixture()
        let outside = fixture.root.path + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try Data("goal \"z\" { on = \"VIEW\" }\n".utf8).write(to: URL(fileURLWithPath: outside + "/z.lua"))
        #expect(rename(outside, fixture.path("moved")) == 0)
        #expect(fixture.noticesRuleChange())
        try fixture.write("moved/z.lua", "goal \"z\" { on = \"VIEW\", points = 9 }\n")
        #expect(fixture.noticesRuleChange())
    }

    @Test func settleWaitsForABurstOfSavesToEnd() throws {
        let fixture = try Fixture()
        try fixture.write("main.lua", "-- save 0\n")
        #expect(fixture.noticesRuleChange())
        // Nine more saves, 10 ms apart: each one restarts the 500 ms quiet period, so settle
        // cannot return before the last one.
        let done = Flag()
        let path = fixture.path("main.lua")
        let writer = Thread {
            for save in 1...9 {
                usleep(10_000)
                try? Data("-- save \(save)\n".utf8).write(to: URL(fileURLWithPath: path))
            }
            done.set()
        }
        writer.start()
        fixture.watcher.settle(quietMilliseconds: 500, limitMilliseconds: 20_000)
        #expect(done.isSet, "settle returned during the burst")
        #expect(fixture.watcher.drain() == false, "settle consumed the burst's events")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == "-- save 9\n")
    }

    @Test func settleGivesUpAtItsLimit() throws {
        let fixture = try Fixture()
        try fixture.write("main.lua", "-- save 0\n")
        #expect(fixture.noticesRuleChange())
        // Saves every 10 ms for 3 s: the quiet period never comes, the 300 ms limit ends the wait.
        let done = Flag()
        let path = fixture.path("main.lua")
        let writer = Thread {
            for save in 1...300 {
                usleep(10_000)
                try? Data("-- save \(save)\n".utf8).write(to: URL(fileURLWithPath: path))
            }
            done.set()
        }
        writer.start()
        fixture.watcher.settle(quietMilliseconds: 200, limitMilliseconds: 300)
        #expect(!done.isSet, "settle waited for the whole burst despite its limit")
        while !done.isSet { usleep(10_000) }
    }

    @Test func aMissingDirectoryThrowsAOneLineErrorNamingIt() {
        #expect(throws: RuleWatcher.WatchError.self) { try RuleWatcher(directory: "/nonexistent/rules") }
        do {
            _ = try RuleWatcher(directory: "/nonexistent/rules")
        } catch {
            #expect("\(error)" == "cannot watch rules directory \"/nonexistent/rules\": No such file or directory")
        }
    }
}

/// A flag set by one thread and read by another.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
#endif
