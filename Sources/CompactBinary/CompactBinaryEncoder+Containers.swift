// The containers of ``CompactBinaryEncoder``: each writes in place through the shared
// ``CompactBinaryWriter``. Coding paths stay empty: building one per value would cost an
// allocation each, for error messages that few types ever raise when encoding.

/// The `Encoder` a value writes itself through.
struct CompactBinaryValueEncoder: Encoder {
    let writer: CompactBinaryWriter
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let (serial, depth) = writer.openContainer(entryLength: nil)
        return KeyedEncodingContainer(CompactBinaryKeyedEncoder<Key>(
            writer: writer, serial: serial, depth: depth, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let (serial, depth) = writer.openContainer(entryLength: nil)
        return CompactBinaryUnkeyedEncoder(writer: writer, serial: serial, depth: depth, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CompactBinarySingleValueEncoder(writer: writer, codingPath: codingPath)
    }
}

private struct CompactBinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: CompactBinaryWriter
    let serial: Int
    let depth: Int
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.endEntry(lengthOffset: length, depth: depth)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        writer.write(value)
        writer.endEntry(lengthOffset: length, depth: depth)
    }

    mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        try writer.encodeValue(value, codingPath: codingPath)
        writer.endEntry(lengthOffset: length, depth: depth)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        let (nestedSerial, nestedDepth) = writer.openContainer(entryLength: length)
        return KeyedEncodingContainer(CompactBinaryKeyedEncoder<NestedKey>(
            writer: writer, serial: nestedSerial, depth: nestedDepth, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let length = writer.beginEntry(key: key.stringValue, ofContainer: serial, depth: depth)
        let (nestedSerial, nestedDepth) = writer.openContainer(entryLength: length)
        return CompactBinaryUnkeyedEncoder(writer: writer, serial: nestedSerial, depth: nestedDepth,
                                           codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        CompactBinaryEntryEncoder(writer: writer, key: "super", serial: serial, depth: depth, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        CompactBinaryEntryEncoder(writer: writer, key: key.stringValue, serial: serial, depth: depth,
                                  codingPath: codingPath)
    }
}

private struct CompactBinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let writer: CompactBinaryWriter
    let serial: Int
    let depth: Int
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(writer: CompactBinaryWriter, serial: Int, depth: Int, codingPath: [any CodingKey]) {
        self.writer = writer
        self.serial = serial
        self.depth = depth
        self.codingPath = codingPath
    }

    private mutating func beginElement() {
        writer.beginElement(ofContainer: serial, depth: depth)
        count += 1
    }

    mutating func encodeNil() throws {
        beginElement()
        writer.write(UInt8(0))
    }

    mutating func encode(_ value: Bool) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: String) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Double) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Float) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Int) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Int8) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Int16) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Int32) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: Int64) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: UInt) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: UInt8) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: UInt16) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: UInt32) throws {
        beginElement()
        writer.write(value)
    }
    mutating func encode(_ value: UInt64) throws {
        beginElement()
        writer.write(value)
    }

    mutating func encode<Value: Encodable>(_ value: Value) throws {
        beginElement()
        try writer.encodeValue(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        beginElement()
        let (nestedSerial, nestedDepth) = writer.openContainer(entryLength: nil)
        return KeyedEncodingContainer(CompactBinaryKeyedEncoder<NestedKey>(
            writer: writer, serial: nestedSerial, depth: nestedDepth, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        beginElement()
        let (nestedSerial, nestedDepth) = writer.openContainer(entryLength: nil)
        return CompactBinaryUnkeyedEncoder(writer: writer, serial: nestedSerial, depth: nestedDepth, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        beginElement()
        return CompactBinaryValueEncoder(writer: writer, codingPath: codingPath)
    }
}

/// `superEncoder(forKey:)`: the keyed entry is opened by the first container asked for.
private struct CompactBinaryEntryEncoder: Encoder {
    let writer: CompactBinaryWriter
    let key: String
    let serial: Int
    let depth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let length = writer.beginEntry(key: key, ofContainer: serial, depth: depth)
        let (nestedSerial, nestedDepth) = writer.openContainer(entryLength: length)
        return KeyedEncodingContainer(CompactBinaryKeyedEncoder<Key>(
            writer: writer, serial: nestedSerial, depth: nestedDepth, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let length = writer.beginEntry(key: key, ofContainer: serial, depth: depth)
        let (nestedSerial, nestedDepth) = writer.openContainer(entryLength: length)
        return CompactBinaryUnkeyedEncoder(writer: writer, serial: nestedSerial, depth: nestedDepth, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CompactBinarySingleValueEncoder(writer: writer, codingPath: codingPath, entry: (key, serial, depth))
    }
}

private struct CompactBinarySingleValueEncoder: SingleValueEncodingContainer {
    let writer: CompactBinaryWriter
    let codingPath: [any CodingKey]
    /// For `superEncoder(forKey:)`: the keyed entry the value goes in.
    var entry: (key: String, serial: Int, depth: Int)?

    mutating func encodeNil() throws { try inEntry { writer.write(UInt8(0)) } }
    mutating func encode(_ value: Bool) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: String) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Double) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Float) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Int) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Int8) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Int16) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Int32) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: Int64) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: UInt) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: UInt8) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: UInt16) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: UInt32) throws { try inEntry { writer.write(value) } }
    mutating func encode(_ value: UInt64) throws { try inEntry { writer.write(value) } }

    mutating func encode<Value: Encodable>(_ value: Value) throws {
        try inEntry { try writer.encodeValue(value, codingPath: codingPath) }
    }

    private func inEntry(_ body: () throws -> Void) throws {
        guard let entry else { return try body() }
        let length = writer.beginEntry(key: entry.key, ofContainer: entry.serial, depth: entry.depth)
        try body()
        writer.endEntry(lengthOffset: length, depth: entry.depth)
    }
}
