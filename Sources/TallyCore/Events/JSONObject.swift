/// A JSON object: members in the order they first appear, looked up by key.
///
/// Keys are compared by their UTF-8 bytes (as JSON and Lua do), not by Swift's canonical
/// equivalence. A key given twice keeps its first position and its last value ("last wins",
/// like most JSON parsers). Small objects are searched linearly; objects with more than
/// ``JSONObject/linearLimit`` members also keep a hash index.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// A member: its key and value.
    public typealias Element = (key: String, value: JSONValue)

    /// Objects with at most this many members are searched linearly.
    static let linearLimit = 16

    private var members: [Element]
    private var index: [ByteKey: Int]?

    /// An empty object.
    public init() {
        members = []
    }

    /// An object with these members, in order; a repeated key keeps its last value.
    public init<S: Sequence>(_ members: S) where S.Element == (String, JSONValue) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// An object from a literal such as `["page": .string("/"), "n": .int(1)]`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// An empty object with room for `capacity` members.
    init(capacity: Int) {
        members = []
        members.reserveCapacity(capacity)
    }

    /// The number of members.
    public var count: Int { members.count }

    /// True when the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }

    /// Iterates over the members in order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        members.makeIterator()
    }

    /// The value of `key`, or `nil` when absent; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return members[i].value
        }
        set {
            if let newValue {
                insert(key, newValue)
            } else if let i = position(of: key) {
                members.remove(at: i)
                rebuildIndex()
            }
        }
    }

    /// The value at a path of keys through nested objects (`["user", "plan"]` reads
    /// `{"user": {"plan": …}}`), or `nil` when a key is missing or a step is not an object.
    public func value<Path: Sequence>(atPath path: Path) -> JSONValue? where Path.Element == String {
        var iterator = path.makeIterator()
        guard let first = iterator.next() else { return nil }
        var current = self[first]
        while let key = iterator.next() {
            guard case .object(let object)? = current else { return nil }
            current = object[key]
        }
        return current
    }

    /// Adds a member, or replaces the value of an existing key in place (its position kept).
    mutating func insert(_ key: String, _ value: JSONValue) {
        if let i = position(of: key) {
            members[i].value = value
            return
        }
        members.append((key, value))
        if index != nil {
            index![ByteKey(key)] = members.count - 1
        } else if members.count > Self.linearLimit {
            rebuildIndex()
        }
    }

    /// The position of `key` in `members`.
    private func position(of key: String) -> Int? {
        if let index { return index[ByteKey(key)] }
        let utf8Count = key.utf8.count
        for i in members.indices {
            let candidate = members[i].key
            if candidate.utf8.count == utf8Count && candidate.utf8.elementsEqual(key.utf8) {
                return i
            }
        }
        return nil
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.linearLimit else {
            index = nil
            return
        }
        var built = [ByteKey: Int](minimumCapacity: members.count)
        for (i, member) in members.enumerated() { built[ByteKey(member.key)] = i }
        index = built
    }

    /// Objects are equal when they have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs where rhs[key] != value { return false }
        return true
    }
}

/// A dictionary key that compares and hashes a string by its UTF-8 bytes.
private struct ByteKey: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        lhs.text.utf8.count == rhs.text.utf8.count && lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(text.utf8.count)
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}
