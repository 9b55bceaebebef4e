/// What rule functions may read and change of the guest an event belongs to (SPEC §3,
/// "What rules see"). The engine implements it over its own state.
public protocol GuestAccess: AnyObject {
    var guestID: String { get }
    /// Engagement value points so far.
    var points: Double { get }
    /// Sessions so far, the current one included.
    var sessionCount: Int { get }
    /// Times the goal with this id was reached.
    func timesReached(goal id: String) -> Int
    /// True once the outcome with this id was reached.
    func hasReached(outcome id: String) -> Bool
    var sessionID: String { get }
    var sessionPoints: Double { get }
    var sessionViews: Int { get }
    var sessionEvents: Int { get }
    /// `guest.data[key]`: strings, numbers and booleans kept with the guest.
    func data(_ key: String) -> GuestDataValue?
    func setData(_ key: String, _ value: GuestDataValue?)
    /// Every key of `guest.data`, sorted.
    var dataKeys: [String] { get }
    /// `guest:add_points(n)`.
    func addPoints(_ points: Double)
    /// ``points`` and ``sessionCount`` together, for the host's own cache of them (not a read
    /// a rule makes).
    var scalars: (points: Double, sessions: Int) { get }
}

extension GuestAccess {
    public var scalars: (points: Double, sessions: Int) { (points, sessionCount) }
}

/// A value rules may store in `guest.data`.
public enum GuestDataValue: Sendable, Equatable, Codable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)

    /// Equal values of the same kind; strings are equal when their bytes are.
    public static func == (lhs: GuestDataValue, rhs: GuestDataValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a.hasSameBytes(as: b)
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.boolean(let a), .boolean(let b)): return a == b
        default: return false
        }
    }
}
