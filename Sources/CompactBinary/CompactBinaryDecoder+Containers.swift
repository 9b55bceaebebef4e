// The containers of ``CompactBinaryDecoder``.

/// A keyed container: entries are found by key, in any order; reading them in the order they
/// were written (as synthesized conformances do) finds each at once.
final class CompactBinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    private let reader: CompactBinaryReader
    private let count: Int
    private let entriesStart: Int
    private let end: Int
    let codingPath: [any CodingKey]
    /// The entry after the one last read, and its ordinal: where the next lookup starts.
    private var cursor: Int
    private var cursorOrdinal = 0

    init(reader: CompactBinaryReader, count: Int, entriesStart: Int, end: Int, codingPath: [any CodingKey]) {
        self.reader = reader
        self.count = count
        self.entriesStart = entriesStart
        self.end = end
        self.codingPath = codingPath
        cursor = entriesStart
    }

    private struct Entry {
        let key: Int
        let valueStart: Int
        let valueEnd: Int
    }

    /// The entry at `offset`.
    private func entry(at offset: Int) throws -> Entry {
        var cursor = offset
        let key = try reader.varint(at: &cursor, limit: end)
        guard key < UInt64(reader.keys.count) else { throw reader.corrupt(at: offset, "key number \(key) is not in the key table") }
        let length = try reader.count(at: &cursor, limit: end, ofBytes: true)
        return Entry(key: Int(key), valueStart: cursor, valueEnd: cursor + length)
    }

    /// The entry of `key`, if there is one; `advancing` moves the cursor past it.
    private func find(_ key: Key, advancing: Bool) throws -> Entry? {
        let name = key.stringValue
        if cursorOrdinal < count {
            let next = try entry(at: cursor)
            if reader.keys[next.key].hasSameUTF8(as: name) {
                if advancing {
                    cursor = next.valueEnd
                    cursorOrdinal += 1
                }
                return next
            }
        }
        var offset = entriesStart
        for ordinal in 0..<count {
            let candidate = try entry(at: offset)
            if reader.keys[candidate.key].hasSameUTF8(as: name) {
                if advancing {
                    cursor = candidate.valueEnd
                    cursorOrdinal = ordinal + 1
                }
                return candidate
            }
            offset = candidate.valueEnd
        }
        return nil
    }

    private func required(_ key: Key) throws -> Entry {
        guard let found = try find(key, advancing: true) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "compact binary: no entry \"\(key.stringValue)\""))
        }
        return found
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var offset = entriesStart
        for _ in 0..<count {
            guard let candidate = try? entry(at: offset) else { break }
            if let key = Key(stringValue: reader.keys[candidate.key]) { keys.append(key) }
            offset = candidate.valueEnd
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { (try? find(key, advancing: false)) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        let found = try required(key)
        return found.valueStart == found.valueEnd
    }

    private func decodePrimitive<Value: CompactBinaryPrimitive>(_ type: Value.Type, forKey key: Key) throws -> Value {
        let found = try required(key)
        return try read(type, from: found, key: key)
    }

    private func decodePrimitiveIfPresent<Value: CompactBinaryPrimitive>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        guard let found = try find(key, advancing: true), found.valueStart < found.valueEnd else { return nil }
        return try read(type, from: found, key: key)
    }

    private func read<Value: CompactBinaryPrimitive>(_ type: Value.Type, from found: Entry, key: Key) throws -> Value {
        var offset = found.valueStart
        let value = try Value.read(from: reader, at: &offset, limit: found.valueEnd)
        try expectEnd(at: offset, of: found, key: key)
        return value
    }

    /// Throws unless a value read from `found` ended where the entry does.
    private func expectEnd(at offset: Int, of found: Entry, key: Key) throws {
        guard offset != found.valueEnd else { return }
        throw reader.corrupt(at: offset, "\(found.valueEnd - offset) bytes after the value of \"\(key.stringValue)\"",
                             codingPath: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodePrimitive(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodePrimitive(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodePrimitive(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodePrimitive(type, forKey: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodePrimitiveIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodePrimitiveIfPresent(type, forKey: key) }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        let found = try required(key)
        return try decodeValue(type, from: found, key: key)
    }

    func decodeIfPresent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        guard let found = try find(key, advancing: true), found.valueStart < found.valueEnd else { return nil }
        return try decodeValue(type, from: found, key: key)
    }

    private func decodeValue<Value: Decodable>(_ type: Value.Type, from found: Entry, key: Key) throws -> Value {
        var offset = found.valueStart
        let value = try reader.decodeValue(type, at: &offset, limit: found.valueEnd, codingPath: codingPath + [key])
        try expectEnd(at: offset, of: found, key: key)
        return value
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try entryDecoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try entryDecoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let key = Key(stringValue: "super") else {
            throw reader.corrupt(at: entriesStart, "no key \"super\"", codingPath: codingPath)
        }
        return try entryDecoder(key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try entryDecoder(key) }

    private func entryDecoder(_ key: Key) throws -> CompactBinaryValueDecoder {
        let found = try required(key)
        return CompactBinaryValueDecoder(reader: reader, start: found.valueStart, limit: found.valueEnd,
                                         codingPath: codingPath + [key])
    }
}

/// An unkeyed container: its elements are read in order.
struct CompactBinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    private let reader: CompactBinaryReader
    private let elementCount: Int
    private var cursor: Int
    private let end: Int
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(reader: CompactBinaryReader, count: Int, cursor: Int, end: Int, codingPath: [any CodingKey]) {
        self.reader = reader
        elementCount = count
        self.cursor = cursor
        self.end = end
        self.codingPath = codingPath
    }

    /// The element count, but no more than the bytes left could hold (it sizes arrays before
    /// they are read, so a damaged count must not ask for more memory than the input justifies).
    var count: Int? { min(elementCount, currentIndex + (end - cursor)) }
    var isAtEnd: Bool { currentIndex >= elementCount }

    private mutating func next() throws {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath,
                debugDescription: "compact binary: all \(elementCount) elements were read"))
        }
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, cursor < end, reader.bytes[cursor] == 0 else { return false }
        try next()
        cursor += 1
        return true
    }

    private mutating func decodePrimitive<Value: CompactBinaryPrimitive>(_ type: Value.Type) throws -> Value {
        try next()
        return try Value.read(from: reader, at: &cursor, limit: end)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodePrimitive(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodePrimitive(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodePrimitive(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodePrimitive(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodePrimitive(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodePrimitive(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodePrimitive(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodePrimitive(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodePrimitive(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodePrimitive(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodePrimitive(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodePrimitive(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodePrimitive(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodePrimitive(type) }

    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try next()
        return try reader.decodeValue(type, at: &cursor, limit: end, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next()
        let decoder = CompactBinaryValueDecoder(reader: reader, start: cursor, limit: end, codingPath: codingPath)
        let container = try decoder.container(keyedBy: type)
        cursor = decoder.end
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next()
        let decoder = CompactBinaryValueDecoder(reader: reader, start: cursor, limit: end, codingPath: codingPath)
        let container = try decoder.unkeyedContainer()
        cursor = decoder.end
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
            debugDescription: "compact binary: superDecoder() of an unkeyed container is not supported"))
    }
}

/// A single value: a primitive, or a value read through its own conformance.
struct CompactBinarySingleValueDecoder: SingleValueDecodingContainer {
    let decoder: CompactBinaryValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    /// Only a keyed entry's empty value is nil (optionals elsewhere carry a presence byte).
    func decodeNil() -> Bool { decoder.start >= decoder.limit }

    private func decodePrimitive<Value: CompactBinaryPrimitive>(_ type: Value.Type) throws -> Value {
        var offset = decoder.start
        let value = try Value.read(from: decoder.reader, at: &offset, limit: decoder.limit)
        decoder.end = offset
        return value
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decodePrimitive(type) }
    func decode(_ type: String.Type) throws -> String { try decodePrimitive(type) }
    func decode(_ type: Double.Type) throws -> Double { try decodePrimitive(type) }
    func decode(_ type: Float.Type) throws -> Float { try decodePrimitive(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodePrimitive(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodePrimitive(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodePrimitive(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodePrimitive(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodePrimitive(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodePrimitive(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodePrimitive(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodePrimitive(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodePrimitive(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodePrimitive(type) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        var offset = decoder.start
        let value = try decoder.reader.decodeValue(type, at: &offset, limit: decoder.limit, codingPath: codingPath)
        decoder.end = offset
        return value
    }
}
