/// The direction in which a goal improves.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    /// Higher is better (conversion rate, revenue).
    case increase
    /// Lower is better (bounce rate, exit rate).
    case decrease
}
