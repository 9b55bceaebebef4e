#if canImport(Glibc)
import Glibc

/// Watches a rules directory and its subdirectories for changes to `*.lua` files, with Linux
/// inotify: a file created, written (`IN_MODIFY`, `IN_CLOSE_WRITE`), deleted, or renamed in or
/// out (`IN_MOVED_FROM`, `IN_MOVED_TO`: editors save by writing a temporary file and renaming it
/// over the original). Subdirectories created or moved in later are watched as they appear.
///
/// The watcher never blocks on its own: ``fileDescriptor`` becomes readable when inotify has
/// events (put it in a `poll()` set), ``drain()`` reads them, and ``settle(quietMilliseconds:limitMilliseconds:)``
/// waits for a burst of saves to end before the caller reloads. Not thread-safe.
public final class RuleWatcher {
    /// A rules directory that cannot be watched: `cannot watch rules directory "rules": No such file or directory`.
    public struct WatchError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The directory as given.
        public let directory: String
        /// The `errno` value.
        public let code: Int32

        /// One line naming the directory and the system's reason.
        public var description: String {
            var text = "cannot watch rules directory \"\(directory)\": \(String(cString: strerror(code)))"
            if code == ENOSPC {
                text += " (the inotify watch limit is reached; see /proc/sys/fs/inotify/max_user_watches)"
            } else if code == EMFILE {
                text += " (too many inotify instances or open files)"
            }
            return text
        }
    }

    /// The inotify descriptor: readable when events are pending (for `poll()`).
    public var fileDescriptor: Int32 { descriptor }

    private let descriptor: Int32
    private let root: String
    /// Watch descriptor → directory path (the root as given, then `root/sub/...`).
    private var directories: [Int32: String] = [:]
    private var buffer: UnsafeMutableRawPointer
    private let bufferSize = 64 << 10

    /// Events watched on every directory.
    private static let directoryMask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE
        | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

    /// Starts watching `directory` and every directory below it.
    /// - Throws: ``WatchError`` naming the directory when inotify cannot watch it (missing, not a
    ///   directory, no permission, watch limit reached).
    public init(directory: String) throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError(directory: directory, code: errno) }
        descriptor = fd
        root = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        buffer = .allocate(byteCount: bufferSize, alignment: 8)
        let wd = inotify_add_watch(fd, root, Self.directoryMask | UInt32(IN_ONLYDIR))
        // Every property is set: throwing now runs deinit, which frees the buffer and closes fd.
        guard wd >= 0 else { throw WatchError(directory: directory, code: errno) }
        directories[wd] = root
        _ = watchSubdirectories(of: root)
    }

    deinit {
        buffer.deallocate()
        close(descriptor)
    }

    /// Reads pending events without blocking; true if any concerned a rule file.
    ///
    /// Also true when a directory holding rule files appears or is moved, when the rules
    /// directory itself goes away, and when the kernel's queue overflowed (events were lost).
    public func drain() -> Bool {
        var concerned = false
        while true {
            let count = read(descriptor, buffer, bufferSize)
            if count < 0 {
                if errno == EINTR { continue }
                return concerned  // EAGAIN: nothing more now
            }
            if count == 0 { return concerned }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let event = (buffer + offset).loadUnaligned(as: inotify_event.self)
                let nameStart = buffer + offset + MemoryLayout<inotify_event>.size
                let name = event.len > 0
                    ? String(cString: nameStart.assumingMemoryBound(to: CChar.self)) : ""
                if handle(wd: event.wd, mask: event.mask, name: name) { concerned = true }
                offset += MemoryLayout<inotify_event>.size + Int(event.len)
            }
        }
    }

    /// After ``drain()`` returned true: waits until no further rule-file event arrives for
    /// `quietMilliseconds` (debounce; default 100), at most `limitMilliseconds`.
    ///
    /// Events that do not concern rule files do not extend the wait. Reload after it returns:
    /// a save that writes in several steps is then complete.
    public func settle(quietMilliseconds: Int = 100, limitMilliseconds: Int = 2000) {
        let start = Self.monotonicMilliseconds()
        let deadline = start + Int64(max(0, limitMilliseconds))
        var lastEvent = start
        while true {
            let now = Self.monotonicMilliseconds()
            let quietEnds = lastEvent + Int64(max(0, quietMilliseconds))
            let wait = min(quietEnds, deadline) - now
            if wait <= 0 { return }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: wait))
            if ready > 0, drain() { lastEvent = Self.monotonicMilliseconds() }
        }
    }

    // MARK: Events

    /// Applies one inotify event to the set of watches; true if it concerns rule files.
    private func handle(wd: Int32, mask: UInt32, name: String) -> Bool {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            // Events were lost: catch up with directories that may have appeared, and reload.
            for path in Array(directories.values) { _ = watchSubdirectories(of: path) }
            return true
        }
        if mask & UInt32(IN_IGNORED) != 0 {
            directories[wd] = nil
            return false
        }
        guard let directory = directories[wd] else { return false }
        if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            // Only the rules directory itself matters here; a subdirectory's own event comes
            // with its name in its parent's watch too.
            return directory == root
        }
        let path = directory + "/" + name
        if mask & UInt32(IN_ISDIR) != 0 {
            if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                let watched = watchTree(path)
                // A new directory matters when it already holds rule files (files written
                // before its watch existed send no events); one moved in always does.
                return mask & UInt32(IN_MOVED_TO) != 0 || watched
            }
            if mask & UInt32(IN_MOVED_FROM) != 0 {
                unwatchTree(path)
                return true
            }
            return false  // a deleted directory's files sent their own events
        }
        return name.hasSuffix(".lua")
    }

    // MARK: Watches

    /// Watches `path` and the directories below it; true if any of them holds a `*.lua` file.
    private func watchTree(_ path: String) -> Bool {
        let wd = inotify_add_watch(descriptor, path, Self.directoryMask | UInt32(IN_ONLYDIR | IN_DONT_FOLLOW))
        guard wd >= 0 else { return false }  // gone again, or a symbolic link
        directories[wd] = path
        return watchSubdirectories(of: path)
    }

    /// Watches every directory below `path` (not following symbolic links); true if `path` or
    /// any directory below it holds a `*.lua` file.
    private func watchSubdirectories(of path: String) -> Bool {
        guard let stream = opendir(path) else { return false }
        var subdirectories: [String] = []
        var holdsRules = false
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                subdirectories.append(child)
            } else if name.hasSuffix(".lua") {
                holdsRules = true
            }
        }
        closedir(stream)
        for child in subdirectories where !directories.values.contains(child) {
            if watchTree(child) { holdsRules = true }
        }
        return holdsRules
    }

    /// Stops watching `path` and every directory below it (it was moved away; its watch
    /// descriptors would otherwise report under the old path).
    private func unwatchTree(_ path: String) {
        let prefix = path + "/"
        for (wd, directory) in directories where directory == path || directory.hasPrefix(prefix) {
            inotify_rm_watch(descriptor, wd)
            directories[wd] = nil
        }
    }

    static func monotonicMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
#endif
