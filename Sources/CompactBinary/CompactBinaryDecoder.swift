/// Decodes values that ``CompactBinaryEncoder`` wrote. Every read is checked against the bounds
/// of the value it belongs to, so damaged or truncated bytes throw a `DecodingError` (with the
/// byte offset) instead of reading garbage.
package struct CompactBinaryDecoder {
    /// A decoder (it keeps nothing between documents).
    package init() {}

    /// The value of type `type` that `bytes` hold, or a `DecodingError` when they do not.
    package func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        let reader = CompactBinaryReader(bytes: bytes)
        guard bytes.count >= CompactBinaryEncoder.valueOffset, Array(bytes[0..<4]) == CompactBinaryEncoder.magic else {
            throw reader.corrupt(at: 0, "not a compact binary document (no TCB1 at its start)")
        }
        var offset = 4
        let tableOffset = try reader.fixed(UInt64.self, at: &offset, limit: bytes.count)
        guard tableOffset >= UInt64(CompactBinaryEncoder.valueOffset), tableOffset <= UInt64(bytes.count) else {
            throw reader.corrupt(at: 4, "a key table at byte \(tableOffset) of \(bytes.count)")
        }
        let valueEnd = Int(tableOffset)
        offset = valueEnd
        let keyCount = try reader.count(at: &offset, limit: bytes.count, ofBytes: true)
        var keys: [String] = []
        keys.reserveCapacity(keyCount)
        for _ in 0..<keyCount {
            keys.append(try reader.string(at: &offset, limit: bytes.count))
        }
        guard offset == bytes.count else { throw reader.corrupt(at: offset, "bytes after the key table") }
        reader.keys = keys
        offset = CompactBinaryEncoder.valueOffset
        let value = try reader.decodeValue(Value.self, at: &offset, limit: valueEnd, codingPath: [])
        guard offset == valueEnd else { throw reader.corrupt(at: offset, "bytes after the document's value") }
        return value
    }
}

/// The bytes being read and the key table.
final class CompactBinaryReader {
    let bytes: [UInt8]
    var keys: [String] = []
    /// Types found to be neither primitives nor optionals (asking a type costs more).
    private var compositeTypes: Set<ObjectIdentifier> = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func corrupt(at offset: Int, _ problem: String, codingPath: [any CodingKey] = []) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "compact binary, byte \(offset): \(problem)"))
    }

    /// The byte at `offset` (advanced past it), which must lie before `limit`.
    func byte(at offset: inout Int, limit: Int) throws -> UInt8 {
        guard offset >= 0, offset < limit, limit <= bytes.count else {
            throw corrupt(at: offset, "the value ends early")
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A varint at `offset` (advanced past it), within `limit`.
    func varint(at offset: inout Int, limit: Int) throws -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try byte(at: &offset, limit: limit)
            guard shift < 64, shift < 63 || byte <= 1 else { throw corrupt(at: start, "a number of more than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A zigzag varint at `offset` (advanced past it), within `limit`.
    func zigzag(at offset: inout Int, limit: Int) throws -> Int64 {
        let bits = try varint(at: &offset, limit: limit)
        return Int64(bitPattern: bits >> 1) ^ -Int64(bitPattern: bits & 1)
    }

    /// A varint that counts bytes or elements: at most `limit - offset` after it when `bytes`.
    func count(at offset: inout Int, limit: Int, ofBytes: Bool) throws -> Int {
        let start = offset
        let value = try varint(at: &offset, limit: limit)
        guard value <= UInt64(limit - offset) || (!ofBytes && value <= UInt64(Int32.max)) else {
            throw corrupt(at: start, "a count of \(value), \(limit - offset) bytes left")
        }
        return Int(value)
    }

    /// A little-endian fixed-width integer at `offset` (advanced past it), within `limit`.
    func fixed<Integer: FixedWidthInteger>(_ type: Integer.Type, at offset: inout Int, limit: Int) throws -> Integer {
        let size = MemoryLayout<Integer>.size
        guard offset >= 0, size <= limit - offset, limit <= bytes.count else {
            throw corrupt(at: offset, "\(size) bytes expected, \(max(0, limit - offset)) left")
        }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Integer.self) }
        offset += size
        return Integer(littleEndian: value)
    }

    /// A byte count and that many bytes of UTF-8 at `offset` (advanced past them).
    func string(at offset: inout Int, limit: Int) throws -> String {
        let count = try count(at: &offset, limit: limit, ofBytes: true)
        let start = offset
        offset += count
        return try bytes.withUnsafeBufferPointer { buffer in
            guard let text = String(validating: UnsafeBufferPointer(rebasing: buffer[start..<start + count]), as: UTF8.self)
            else { throw corrupt(at: start, "a string that is not UTF-8") }
            return text
        }
    }

    /// The element count of the container whose header is at `offset`, where its content
    /// starts and where it ends.
    func containerHeader(at offset: Int, limit: Int) throws -> (count: Int, contentStart: Int, end: Int) {
        var cursor = offset
        let length = try count(at: &cursor, limit: limit, ofBytes: true)
        let end = cursor + length
        let count = try count(at: &cursor, limit: end, ofBytes: false)
        return (count, cursor, end)
    }

    /// Decodes a value at `offset` (advanced past it), within `limit`.
    func decodeValue<Value: Decodable>(_ type: Value.Type, at offset: inout Int, limit: Int,
                                       codingPath: [any CodingKey]) throws -> Value
    {
        // The common primitives by their type alone; other types are asked what they are.
        if Value.self == Int.self { return unsafeBitCast(try Int.read(from: self, at: &offset, limit: limit), to: Value.self) }
        if Value.self == Int32.self { return unsafeBitCast(try Int32.read(from: self, at: &offset, limit: limit), to: Value.self) }
        if Value.self == Double.self { return unsafeBitCast(try Double.read(from: self, at: &offset, limit: limit), to: Value.self) }
        if Value.self == Bool.self { return unsafeBitCast(try Bool.read(from: self, at: &offset, limit: limit), to: Value.self) }
        if Value.self == String.self { return unsafeBitCast(try String.read(from: self, at: &offset, limit: limit), to: Value.self) }
        if !compositeTypes.contains(ObjectIdentifier(Value.self)) {
            if let optional = type as? any CompactBinaryDecodableOptional.Type {
                let present = try byte(at: &offset, limit: limit)
                switch present {
                case 0: return optional.none as! Value
                case 1:
                    let wrapped = try decodeValue(optional.wrappedDecodable, at: &offset, limit: limit, codingPath: codingPath)
                    return optional.wrapping(wrapped) as! Value
                default: throw corrupt(at: offset - 1, "an optional's presence byte is \(present)", codingPath: codingPath)
                }
            }
            if let primitive = type as? any CompactBinaryPrimitive.Type {
                return try primitive.read(from: self, at: &offset, limit: limit) as! Value
            }
            compositeTypes.insert(ObjectIdentifier(Value.self))
        }
        let decoder = CompactBinaryValueDecoder(reader: self, start: offset, limit: limit, codingPath: codingPath)
        let value = try Value(from: decoder)
        offset = decoder.end
        return value
    }
}

/// An optional, recognised so that it is read with its presence byte.
protocol CompactBinaryDecodableOptional {
    static var none: Self { get }
    static var wrappedDecodable: any Decodable.Type { get }
    static func wrapping(_ value: any Decodable) -> Self
}

extension Optional: CompactBinaryDecodableOptional where Wrapped: Decodable {
    static var wrappedDecodable: any Decodable.Type { Wrapped.self }
    static func wrapping(_ value: any Decodable) -> Self { .some(value as! Wrapped) }
}

/// The `Decoder` a value reads itself through: the value starts at `start`; `end` is where it
/// ended once read.
final class CompactBinaryValueDecoder: Decoder {
    let reader: CompactBinaryReader
    let start: Int
    let limit: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Where the value ended, once a container has been asked for (or a single value read).
    var end: Int

    init(reader: CompactBinaryReader, start: Int, limit: Int, codingPath: [any CodingKey]) {
        self.reader = reader
        self.start = start
        self.limit = limit
        self.codingPath = codingPath
        end = start
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let header = try reader.containerHeader(at: start, limit: limit)
        end = header.end
        return KeyedDecodingContainer(CompactBinaryKeyedDecoder<Key>(
            reader: reader, count: header.count, entriesStart: header.contentStart, end: header.end, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let header = try reader.containerHeader(at: start, limit: limit)
        end = header.end
        return CompactBinaryUnkeyedDecoder(reader: reader, count: header.count, cursor: header.contentStart,
                                           end: header.end, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        CompactBinarySingleValueDecoder(decoder: self)
    }
}
