import Foundation

/// Counters and the request latency histogram of `tally serve`, for `GET /metrics`
/// (Prometheus text format 0.0.4). Thread-safe: handlers record from any thread.
final class ServeMetrics: @unchecked Sendable {
    /// Histogram buckets' upper bounds, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private let lock = NSLock()
    private var accepted = 0
    private var rejected = 0
    private var reloads = 0
    private var failedReloads = 0
    private var storeFailures = 0
    private var bucketCounts = [Int](repeating: 0, count: ServeMetrics.buckets.count)
    private var latencyCount = 0
    private var latencySum = 0.0
    private var requests: [String: Int] = [:]

    func counted(accepted: Int, rejected: Int) {
        lock.withLock {
            self.accepted += accepted
            self.rejected += rejected
        }
    }

    func reloaded() { lock.withLock { reloads += 1 } }
    func reloadFailed() { lock.withLock { failedReloads += 1 } }
    func storeFailed() { lock.withLock { storeFailures += 1 } }

    /// Records one request's latency (seconds) and status code.
    func observe(seconds: Double, status: Int) {
        lock.withLock {
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { bucketCounts[index] += 1 }
            latencyCount += 1
            latencySum += seconds
            requests[String(status), default: 0] += 1
        }
    }

    /// The exposition text.
    func prometheusText(ruleErrors: Int) -> String {
        lock.withLock {
            var text = """
                # HELP tally_events_accepted_total Events accepted through POST /events.
                # TYPE tally_events_accepted_total counter
                tally_events_accepted_total \(accepted)
                # HELP tally_events_rejected_total Event lines rejected through POST /events.
                # TYPE tally_events_rejected_total counter
                tally_events_rejected_total \(rejected)
                # HELP tally_rule_errors_total Failed rule calls (as counted in the report's rule_errors).
                # TYPE tally_rule_errors_total counter
                tally_rule_errors_total \(ruleErrors)
                # HELP tally_reloads_total Rule reloads that were swapped in.
                # TYPE tally_reloads_total counter
                tally_reloads_total \(reloads)
                # HELP tally_reload_failures_total Rule reloads refused because a file did not load.
                # TYPE tally_reload_failures_total counter
                tally_reload_failures_total \(failedReloads)
                # HELP tally_state_write_failures_total Batches whose journal write failed.
                # TYPE tally_state_write_failures_total counter
                tally_state_write_failures_total \(storeFailures)
                # HELP tally_http_requests_total HTTP requests by status code.
                # TYPE tally_http_requests_total counter

                """
            for code in requests.keys.sorted() {
                text += "tally_http_requests_total{code=\"\(code)\"} \(requests[code]!)\n"
            }
            text += """
                # HELP tally_http_request_duration_seconds Time to answer a request.
                # TYPE tally_http_request_duration_seconds histogram

                """
            for (index, bound) in Self.buckets.enumerated() {
                text += "tally_http_request_duration_seconds_bucket{le=\"\(bound)\"} \(bucketCounts[index])\n"
            }
            text += "tally_http_request_duration_seconds_bucket{le=\"+Inf\"} \(latencyCount)\n"
            text += "tally_http_request_duration_seconds_sum \(latencySum)\n"
            text += "tally_http_request_duration_seconds_count \(latencyCount)\n"
            return text
        }
    }
}
