/// Which rules can match an event, by its type and page, so the engine looks only at those.
///
/// `on` and `page` matchers depend on nothing but the type and the page, so their verdict is
/// worked out once per type and once per (type, page) and remembered: for a page seen before,
/// the candidates are exactly the rules whose `on` and `page` match, and only `where` is left to
/// check. Pages are remembered up to a bound per type; past it (a site with endless distinct
/// URLs) the candidates are the rules whose `on` matches, and the caller checks `page` itself.
struct RuleDispatch {
    /// The candidates for one event, in definition order.
    struct Candidates {
        var rules: [Int]
        /// True when every candidate's `on` and `page` are known to match.
        var pageChecked: Bool
    }

    /// Distinct pages remembered per event type.
    static let pageLimit = 4096

    private let filters: [EventFilter]
    private var byType: [String: TypeEntry] = [:]

    private struct TypeEntry {
        /// Rules whose `on` matches the type.
        var rules: [Int]
        /// For events without a page: those of `rules` without a page matcher.
        var withoutPage: [Int]
        /// For each page seen: those of `rules` whose page matcher matches it (or that have none).
        var byPage: [String: [Int]] = [:]
    }

    init(_ filters: [EventFilter]) {
        self.filters = filters
    }

    /// The rules that can match an event of this (upper-cased) type and page.
    mutating func candidates(for type: String, page: String?) -> Candidates {
        let known = byType.index(forKey: type)
        let index = known ?? insertEntry(for: type)
        guard let page else { return Candidates(rules: byType.values[index].withoutPage, pageChecked: true) }
        if let rules = byType.values[index].byPage[page] { return Candidates(rules: rules, pageChecked: true) }
        let rules = byType.values[index].rules
        guard byType.values[index].byPage.count < Self.pageLimit else { return Candidates(rules: rules, pageChecked: false) }
        let matching = rules.filter { filters[$0].page?.matches(page) ?? true }
        byType.values[index].byPage[page] = matching
        return Candidates(rules: matching, pageChecked: true)
    }

    private mutating func insertEntry(for type: String) -> Dictionary<String, TypeEntry>.Index {
        byType[type] = entry(for: type)
        return byType.index(forKey: type)!
    }

    private func entry(for type: String) -> TypeEntry {
        let rules = filters.indices.filter { filters[$0].on?.matches(type) ?? true }
        return TypeEntry(rules: rules, withoutPage: rules.filter { filters[$0].page == nil })
    }
}
