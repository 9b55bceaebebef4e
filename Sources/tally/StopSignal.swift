#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM set a flag and wake the loop's `poll` through a pipe; the loop then
/// finishes what it has read and prints the final report. The handlers reset themselves, so a
/// second Ctrl-C ends Tally at once.
enum StopSignal {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0
    nonisolated(unsafe) static var wakeDescriptor: Int32 = -1
    nonisolated(unsafe) private static var wakeWriteDescriptor: Int32 = -1

    static func install() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            wakeDescriptor = ends[0]
            wakeWriteDescriptor = ends[1]
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            StopSignal.requested = 1
            var byte: UInt8 = 1
            _ = write(StopSignal.wakeWriteDescriptor, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(bitPattern: UInt32(SA_RESETHAND))
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have started us with them blocked (a thread of a test runner does).
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
