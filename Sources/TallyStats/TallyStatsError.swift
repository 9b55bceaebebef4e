/// An input the statistics cannot use, with a one-line description that quotes it.
public enum TallyStatsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An arm written in none of the accepted forms.
    case invalidArm(input: String, reason: String)

    /// One line for the user, e.g. `invalid arm "20/x": units must be a whole number ≥ 0`.
    public var description: String {
        switch self {
        case let .invalidArm(input, reason): "invalid arm \"\(input)\": \(reason)"
        }
    }
}
