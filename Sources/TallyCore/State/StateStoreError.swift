/// A state file that cannot be used: not a Tally state file, written by a newer Tally, corrupt,
/// in use by another process, or a failed read or write. One line, naming the file.
public struct StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state file as given.
    public let path: String
    /// What is wrong, without the path.
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `state file "x.db": not a Tally state file (...)`.
    public var description: String { "state file \"\(path)\": \(problem)" }
}
