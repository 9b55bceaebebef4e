/// For each event type, the rules (by index, in definition order) whose `on` can match it, so
/// the engine skips the others without looking at them. Rules without `on`, or with a prefix or
/// regex `on`, are candidates for every type.
struct TypeDispatch {
    private var exact: [String: [Int]] = [:]
    private var always: [Int] = []
    private var cache: [String: [Int]] = [:]

    init(_ filters: [EventFilter?]) {
        for (index, filter) in filters.enumerated() {
            switch filter?.on {
            case .exact(let type)?: exact[type, default: []].append(index)
            case .anyOf(let types)?: for type in types { exact[type, default: []].append(index) }
            default: always.append(index)
            }
        }
    }

    /// The candidate rules for an (upper-cased) event type, in definition order.
    mutating func candidates(for type: String) -> [Int] {
        if let known = cache[type] { return known }
        let merged = ((exact[type] ?? []) + always).sorted()
        cache[type] = merged
        return merged
    }
}
