/// One value per row and slot, stored row by row in a single array: per guest and goal or
/// outcome slot in the engine, per participant and metric in an experiment. A row is found
/// from its number alone, without first loading the guest's (or participant's) own record, so
/// its cache miss can overlap with the others of the event (see ``prefetchRow(_:)``).
struct SlotTable<Element> {
    private var storage = ContiguousArray<Element>()
    /// Slots per row.
    private(set) var width: Int
    /// The number of rows.
    private(set) var rows = 0
    /// The value of a slot nothing has happened in yet.
    let filler: Element
    /// A row of fillers, appended as a whole for each new row.
    private var fillerRow: ContiguousArray<Element>

    /// An empty table of rows `width` slots wide.
    init(width: Int, filler: Element) {
        self.width = width
        self.filler = filler
        fillerRow = ContiguousArray(repeating: filler, count: width)
    }

    /// The value of `slot` in `row`.
    @inline(__always)
    subscript(row: Int, slot: Int) -> Element {
        get { storage[row * width + slot] }
        set { storage[row * width + slot] = newValue }
    }

    /// The values of a row, in slot order.
    func row(_ row: Int) -> ArraySlice<Element> {
        ArraySlice(storage[row * width ..< (row + 1) * width])
    }

    /// Adds a row of fillers.
    mutating func appendRow() {
        // A contiguous row is copied at once (a `repeatElement` goes through generic code).
        storage.append(contentsOf: fillerRow)
        rows += 1
    }

    /// Adds a row of saved values (cut or padded with fillers to the width).
    mutating func appendRow<Values: Collection>(_ values: Values) where Values.Element == Element {
        storage.append(contentsOf: values.prefix(width))
        if values.count < width { storage.append(contentsOf: repeatElement(filler, count: width - values.count)) }
        rows += 1
    }

    /// Sets every slot of a row to the filler.
    mutating func clearRow(_ row: Int) {
        for slot in 0..<width { storage[row * width + slot] = filler }
    }

    /// Makes every row `newWidth` slots wide (new slots hold the filler); never narrows.
    mutating func widen(to newWidth: Int) {
        let oldWidth = width
        guard newWidth > oldWidth else { return }
        rearrange(width: newWidth) { $0 < oldWidth ? $0 : nil }
    }

    /// Lays every row out anew, `newWidth` slots wide: slot `s` takes the value of the old slot
    /// `source(s)`, or the filler when that is nil.
    mutating func rearrange(width newWidth: Int, source: (Int) -> Int?) {
        let sources = (0..<newWidth).map(source)
        var laidOut = ContiguousArray<Element>()
        laidOut.reserveCapacity(rows * newWidth)
        for row in 0..<rows {
            for old in sources { laidOut.append(old.map { storage[row * width + $0] } ?? filler) }
        }
        storage = laidOut
        width = newWidth
        fillerRow = ContiguousArray(repeating: filler, count: newWidth)
    }

    /// Starts loading a row into the cache.
    @inline(__always)
    mutating func prefetchRow(_ row: Int) {
        guard width > 0, row < rows else { return }
        storage.prefetch(row * width, count: width)
    }
}
