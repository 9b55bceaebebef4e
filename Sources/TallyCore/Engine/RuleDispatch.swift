/// Which goals and outcomes can match an event, by its type and page, so the engine looks only
/// at those.
///
/// `on` and `page` matchers depend on nothing but the type and the page, so their verdict is
/// worked out once per type and once per (type, page) and remembered: for a page seen before,
/// the candidates are exactly the rules whose `on` and `page` match, and only `where` is left to
/// check. Pages are remembered up to a bound per type; past it (a site with endless distinct
/// URLs) the candidates are the rules whose `on` matches, and the caller checks `page` itself.
struct RuleDispatch {
    /// The candidates for one event, in definition order.
    struct Candidates {
        var goals: [Int]
        var outcomes: [Int]
        /// True when every candidate's `on` and `page` are known to match.
        var pageChecked: Bool
    }

    /// Distinct pages remembered per event type.
    static let pageLimit = 4096

    private let goalFilters: [EventFilter]
    private let outcomeFilters: [EventFilter]
    private var entries: [TypeEntry] = []
    private var entryOfType: [String: Int] = [:]
    /// The previous event's type and its entry (types repeat: most events are views).
    private var lastType = ""
    private var lastEntry = -1

    private struct TypeEntry {
        /// Rules whose `on` matches the type.
        var onMatched: Candidates
        /// For events without a page: those without a page matcher.
        var withoutPage: Candidates
        /// For each page seen: those whose page matcher matches it (or that have none).
        var byPage: [String: Candidates] = [:]
    }

    init(goals: [EventFilter], outcomes: [EventFilter]) {
        goalFilters = goals
        outcomeFilters = outcomes
    }

    /// The rules that can match an event of this (upper-cased) type and page.
    mutating func candidates(for type: String, page: String?) -> Candidates {
        if lastEntry < 0 || type != lastType {
            lastEntry = entryOfType[type] ?? insertEntry(for: type)
            lastType = type
        }
        let index = lastEntry
        guard let page else { return entries[index].withoutPage }
        if let known = entries[index].byPage[page] { return known }
        guard entries[index].byPage.count < Self.pageLimit else { return entries[index].onMatched }
        let onMatched = entries[index].onMatched
        let matching = Candidates(goals: onMatched.goals.filter { goalFilters[$0].page?.matches(page) ?? true },
                                  outcomes: onMatched.outcomes.filter { outcomeFilters[$0].page?.matches(page) ?? true },
                                  pageChecked: true)
        entries[index].byPage[page] = matching
        return matching
    }

    private mutating func insertEntry(for type: String) -> Int {
        let goals = goalFilters.indices.filter { goalFilters[$0].on?.matches(type) ?? true }
        let outcomes = outcomeFilters.indices.filter { outcomeFilters[$0].on?.matches(type) ?? true }
        entries.append(TypeEntry(
            onMatched: Candidates(goals: goals, outcomes: outcomes, pageChecked: false),
            withoutPage: Candidates(goals: goals.filter { goalFilters[$0].page == nil },
                                    outcomes: outcomes.filter { outcomeFilters[$0].page == nil }, pageChecked: true)))
        entryOfType[type] = entries.count - 1
        return entries.count - 1
    }
}
