/// The version `tally --version` prints.
enum TallyVersion {
    static let current = "0.1.0"
}
