/// A JSON object: members in the order they first appear, looked up by key.
///
/// Keys are compared by their UTF-8 bytes (as JSON and Lua do), not by Swift's canonical
/// equivalence. A key given twice keeps its first position and its last value ("last wins",
/// like most JSON parsers). Small objects are searched linearly; objects with more than
/// ``JSONObject/linearLimit`` members also keep a hash index.
///
/// An event's fields are read lazily: the object stays on its line's ``EventTape`` and a
/// lookup decodes only the value asked for. Iterating, counting, comparing or changing such
/// an object decodes it first, so it behaves exactly like one built member by member.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// A member: its key and value.
    public typealias Element = (key: String, value: JSONValue)

    /// Objects with at most this many members are searched linearly.
    static let linearLimit = 16

    /// A stored member (a nominal type: arrays of it allocate without runtime metadata
    /// lookups, unlike arrays of tuples).
    struct Member: Sendable {
        var key: String
        var value: JSONValue
    }

    /// The members; empty while the object is still on its tape.
    private var members: [Member]
    private var lookup: Lookup

    /// How members are found.
    private enum Lookup: Sendable {
        /// By a linear search of `members`.
        case linear
        /// Through a hash index of `members` (objects of more than ``linearLimit`` members).
        case hashed([ByteString: Int])
        /// On the tape, as the line's top-level object (`members` is empty).
        case tape(EventTape)
        /// On the tape, as a nested object (`members` is empty).
        case nested(NestedTapeObject)
    }

    /// An empty object.
    public init() {
        members = []
        lookup = .linear
    }

    /// An object read lazily from its tape: members are decoded only when asked for.
    init(tape object: TapeObject) {
        members = []
        lookup = object.token == 0 ? .tape(object.tape) : .nested(NestedTapeObject(object))
    }

    /// The object on its tape, when it has not been decoded.
    @inline(__always)
    var tapeObject: TapeObject? {
        switch lookup {
        case .tape(let tape): return TapeObject(topLevelOf: tape)
        case .nested(let nested): return nested.object
        case .linear, .hashed: return nil
        }
    }

    /// Decodes an object still on its tape into `members`, before a change or a walk.
    private mutating func decodeFromTape() {
        guard let object = tapeObject else { return }
        members = object.members()
        rebuildIndex()
    }

    /// This object with its members decoded (itself when they are).
    private var decoded: JSONObject {
        var copy = self
        copy.decodeFromTape()
        return copy
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

    /// An object with these members, whose keys the caller knows to be distinct.
    init(members: [Member]) {
        self.members = members
        lookup = .linear
        if members.count > Self.linearLimit { rebuildIndex() }
    }

    /// True when two keys have the same UTF-8 bytes.
    @inline(__always)
    static func sameKey(_ a: String, _ b: String) -> Bool {
        a.hasSameBytes(as: b)
    }

    /// The number of members.
    public var count: Int { tapeObject == nil ? members.count : decoded.members.count }

    /// True when the object has no members.
    public var isEmpty: Bool { tapeObject.map { $0.writtenCount == 0 } ?? members.isEmpty }

    /// The keys, in order.
    public var keys: [String] { decoded.members.map(\.key) }

    /// Iterates over the members in order.
    public func makeIterator() -> Iterator {
        Iterator(base: decoded.members.makeIterator())
    }

    /// Iterates over the members in order.
    public struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Member]>

        /// The next member, or `nil` after the last.
        public mutating func next() -> Element? {
            base.next().map { ($0.key, $0.value) }
        }
    }

    /// The value of `key`, or `nil` when absent; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            if let object = tapeObject { return object.value(of: key) }
            guard let i = position(of: key) else { return nil }
            return members[i].value
        }
        set {
            decodeFromTape()
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
        if let object = tapeObject { return object.value(atPath: path) }
        var iterator = path.makeIterator()
        guard let first = iterator.next() else { return nil }
        var current = self[first]
        while let key = iterator.next() {
            guard case .object(let object)? = current else { return nil }
            current = object[key]
        }
        return current
    }

    /// Adds a member, or replaces the value of an existing key in place (its position kept);
    /// returns the member's position.
    @discardableResult
    mutating func insert(_ key: String, _ value: JSONValue) -> Int {
        decodeFromTape()
        if let i = position(of: key) {
            members[i].value = value
            return i
        }
        return appendNew(key, value)
    }

    /// Adds a member whose key the caller knows is not present yet; returns its position.
    @inline(__always)
    @discardableResult
    mutating func appendNew(_ key: String, _ value: JSONValue) -> Int {
        decodeFromTape()
        members.append(Member(key: key, value: value))
        if case .hashed(var index) = lookup {
            lookup = .linear  // the index is uniquely referenced while it is changed
            index[ByteString(key)] = members.count - 1
            lookup = .hashed(index)
        } else if members.count > Self.linearLimit {
            rebuildIndex()
        }
        return members.count - 1
    }

    /// The value of the member at `position` of a decoded object.
    func value(at position: Int) -> JSONValue {
        members[position].value
    }

    /// The position of `key` in `members` (of a decoded object).
    private func position(of key: String) -> Int? {
        if case .hashed(let index) = lookup { return index[ByteString(key)] }
        for i in members.indices where Self.sameKey(members[i].key, key) { return i }
        return nil
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.linearLimit else {
            lookup = .linear
            return
        }
        var built = [ByteString: Int](minimumCapacity: members.count)
        for (i, member) in members.enumerated() { built[ByteString(member.key)] = i }
        lookup = .hashed(built)
    }

    /// Objects are equal when they have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        let lhs = lhs.decoded, rhs = rhs.decoded
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs where rhs[key] != value { return false }
        return true
    }
}

/// A nested object still on its tape (boxed, so that ``JSONObject`` stays two words).
final class NestedTapeObject: Sendable {
    let object: TapeObject

    init(_ object: TapeObject) { self.object = object }
}
