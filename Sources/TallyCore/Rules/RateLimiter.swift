import Glibc

/// Allows at most `linesPerSecond` lines per wall-clock second.
final class RateLimiter {
    private let linesPerSecond: Int
    private var second: Int = 0
    private var used = 0

    init(linesPerSecond: Int) { self.linesPerSecond = linesPerSecond }

    func allow() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if now.tv_sec != second {
            second = now.tv_sec
            used = 0
        }
        used += 1
        return used <= linesPerSecond
    }
}
