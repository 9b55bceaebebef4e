import ArgumentParser

/// How a command prints its report (`--format`, see ``FormatOptions``).
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// Aligned columns for people.
    case table
    /// JSON for programs.
    case json
}
