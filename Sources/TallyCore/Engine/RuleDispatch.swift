/// Which goals and outcomes can match an event, by its type and page, so the engine looks only
/// at those.
///
/// `on` and `page` matchers depend on nothing but the type and the page, so their verdict is
/// worked out once per type and once per (type, page) and remembered: for a page seen before,
/// the candidates are exactly the rules whose `on` and `page` match, and only `where` is left to
/// check. Pages are remembered up to a bound per type; past it (a site with endless distinct
/// URLs) the candidates are the rules whose `on` matches, and the caller checks `page` itself.
///
/// Every remembered list of rule numbers lives in one flat array, and ``Candidates`` are
/// positions in it: handing them out costs no reference counting.
struct RuleDispatch {
    /// The candidates for one event: positions in ``ruleNumbers``, whose values are goal and
    /// outcome numbers in definition order.
    struct Candidates {
        var goals: Range<Int>
        var outcomes: Range<Int>
        /// True when every candidate's `on` and `page` are known to match.
        var pageChecked: Bool
    }

    /// Distinct pages remembered per event type.
    static let pageLimit = 4096

    private let goalFilters: [EventFilter]
    private let outcomeFilters: [EventFilter]
    /// The goal and outcome numbers of every remembered list, back to back.
    private(set) var ruleNumbers = ContiguousArray<Int>()
    private var entries: [TypeEntry] = []
    /// Per type entry: page → position in `pageLists` of those whose page matcher matches it
    /// (or that have none). Apart from the entries, so looking a page up copies no entry.
    private var pagesOfEntry: [StringIndex] = []
    private var entryOfType = StringIndex()
    /// Every remembered page list, for all types.
    private var pageLists = ContiguousArray<Candidates>()
    /// The previous event's type and its entry (types repeat: most events are views).
    private var lastType = ""
    private var lastEntry = -1

    private struct TypeEntry {
        /// Rules whose `on` matches the type.
        var onMatched: Candidates
        /// For events without a page: those without a page matcher.
        var withoutPage: Candidates
    }

    init(goals: [EventFilter], outcomes: [EventFilter]) {
        goalFilters = goals
        outcomeFilters = outcomes
    }

    /// The goal numbers of `candidates` (tests and tools; the engine reads ``ruleNumbers``).
    func goals(_ candidates: Candidates) -> [Int] { Array(ruleNumbers[candidates.goals]) }

    /// The outcome numbers of `candidates` (tests and tools).
    func outcomes(_ candidates: Candidates) -> [Int] { Array(ruleNumbers[candidates.outcomes]) }

    /// The rules that can match an event of this (upper-cased) type and page.
    mutating func candidates(for type: String, page: String?) -> Candidates {
        if lastEntry < 0 || type != lastType {
            lastEntry = entryOfType.find(type) ?? insertEntry(for: type)
            lastType = type
        }
        let index = lastEntry
        guard let page else { return entries[index].withoutPage }
        if let known = pagesOfEntry[index].find(page) { return pageLists[known] }
        guard pagesOfEntry[index].count < Self.pageLimit else { return entries[index].onMatched }
        let onMatched = entries[index].onMatched
        let matching = Candidates(
            goals: remember(ruleNumbers[onMatched.goals].filter { goalFilters[$0].page?.matches(page) ?? true }),
            outcomes: remember(ruleNumbers[onMatched.outcomes].filter { outcomeFilters[$0].page?.matches(page) ?? true }),
            pageChecked: true)
        _ = pagesOfEntry[index].findOrInsert(page, value: pageLists.count)
        pageLists.append(matching)
        return matching
    }

    private mutating func insertEntry(for type: String) -> Int {
        let goals = goalFilters.indices.filter { goalFilters[$0].on?.matches(type) ?? true }
        let outcomes = outcomeFilters.indices.filter { outcomeFilters[$0].on?.matches(type) ?? true }
        entries.append(TypeEntry(
            onMatched: Candidates(goals: remember(goals), outcomes: remember(outcomes), pageChecked: false),
            withoutPage: Candidates(goals: remember(goals.filter { goalFilters[$0].page == nil }),
                                    outcomes: remember(outcomes.filter { outcomeFilters[$0].page == nil }),
                                    pageChecked: true)))
        pagesOfEntry.append(StringIndex())
        _ = entryOfType.findOrInsert(type, value: entries.count - 1)
        return entries.count - 1
    }

    /// Appends a list of rule numbers and returns where it is.
    private mutating func remember(_ numbers: [Int]) -> Range<Int> {
        let start = ruleNumbers.count
        ruleNumbers.append(contentsOf: numbers)
        return start..<ruleNumbers.count
    }
}
