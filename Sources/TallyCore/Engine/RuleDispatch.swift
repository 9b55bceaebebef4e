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
    /// Pages looked up lately, by type entry and the page string's bits (direct-mapped).
    private var recentPages = ContiguousArray(repeating: RecentPage(), count: Self.recentPageSlots)
    private static let recentPageSlots = 512

    /// A page looked up lately. The parser hands out repeated pages as the same string (its
    /// string cache), and short ones are stored inline, so a page seen before is most often
    /// found by comparing two words instead of hashing its bytes again.
    private struct RecentPage {
        var entry = -1
        var bits: (UInt64, UInt64) = (0, 0)
        var candidates = Candidates(goals: 0..<0, outcomes: 0..<0, pageChecked: false)
        /// Keeps the page's storage alive: while it is, equal bits mean the same page (a
        /// string's bits are its inline bytes, or its length and flags and its storage).
        var page = ""
    }

    private struct TypeEntry {
        /// Rules whose `on` matches the type.
        var onMatched: Candidates
        /// For events without a page: those without a page matcher.
        var withoutPage: Candidates
    }

    /// Every goal and every outcome, in definition order (the plain engine's candidates).
    private(set) var everyGoal = 0..<0
    private(set) var everyOutcome = 0..<0

    init(goals: [EventFilter], outcomes: [EventFilter]) {
        goalFilters = goals
        outcomeFilters = outcomes
        everyGoal = remember(Array(goals.indices))
        everyOutcome = remember(Array(outcomes.indices))
    }

    /// The goal numbers of `candidates` (tests and tools; the engine reads ``ruleNumbers``).
    func goals(_ candidates: Candidates) -> [Int] { Array(ruleNumbers[candidates.goals]) }

    /// The outcome numbers of `candidates` (tests and tools).
    func outcomes(_ candidates: Candidates) -> [Int] { Array(ruleNumbers[candidates.outcomes]) }

    /// The rules that can match an event of this (upper-cased) type and page.
    mutating func candidates(for type: String, page: String?) -> Candidates {
        if lastEntry < 0 || !type.hasSameBytes(as: lastType) {
            lastEntry = entryOfType.find(type) ?? insertEntry(for: type)
            lastType = type
        }
        let index = lastEntry
        guard let page else { return entries[index].withoutPage }
        let bits = unsafeBitCast(page, to: (UInt64, UInt64).self)
        let recent = Self.recentSlot(entry: index, bits: bits)
        if recentPages[recent].entry == index && recentPages[recent].bits == bits {
            return recentPages[recent].candidates
        }
        let found = pageCandidates(entry: index, page: page)
        recentPages[recent] = RecentPage(entry: index, bits: bits, candidates: found, page: page)
        return found
    }

    /// Where a page of the type entry `entry` is remembered among the recent pages.
    @inline(__always)
    private static func recentSlot(entry: Int, bits: (UInt64, UInt64)) -> Int {
        let mixed = (bits.0 ^ bits.1 &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: entry)).splitMixed
        return Int(truncatingIfNeeded: mixed) & (recentPageSlots - 1)
    }

    /// The candidates for `page` under the type entry `entry`, remembered the first time.
    private mutating func pageCandidates(entry index: Int, page: String) -> Candidates {
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
