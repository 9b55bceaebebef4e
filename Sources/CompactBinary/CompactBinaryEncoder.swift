/// Encodes `Encodable` values in a compact binary form (`tcb1`): many times faster than a binary
/// property list on large documents, in a fraction of the memory and space.
///
/// The form (a *varint* is an unsigned LEB128 number, 7 bits a byte, low bits first):
/// - a document is the magic `TCB1`, the offset of its key table (8 bytes, little-endian), one
///   value, and the key table (a varint count, then each key as a varint byte count and UTF-8),
///   which comes last because it is complete only once the value is written;
/// - a keyed container is a varint byte count of what follows, a varint entry count, and per
///   entry the varint index of its key in the table, the varint byte count of its value and the
///   value; a value of no bytes is nil (so `encodeIfPresent` leaves the entry out and
///   `encodeNil` writes an empty one);
/// - an unkeyed container is a varint byte count of what follows, a varint element count and
///   the elements back to back;
/// - an optional outside a keyed entry is a byte, 0 (nil) or 1 followed by the value;
/// - `Bool`, `Int8` and `UInt8` are one byte; other unsigned integers varints, other signed
///   integers zigzag varints (0, -1, 1, -2 … as 0, 1, 2, 3 …); `Float` and `Double` their bit
///   patterns, little-endian (4 and 8 bytes); a string a varint byte count and UTF-8.
///
/// Keyed containers carry their keys, so a type may decode its keys in any order, ask for
/// `allKeys` (dictionaries, enums with payloads) or skip some. Containers are written in place:
/// once a container has been written to after a container nested in it, the nested one is
/// finished and writing to it again is a programming error (no Codable conformance Swift
/// synthesizes does that). A value asks its encoder for one container (a subclass that encodes
/// its superclass into the same container would write two, which do not decode).
package struct CompactBinaryEncoder {
    static let magic: [UInt8] = Array("TCB1".utf8)
    /// Where the value starts: after the magic and the key table's offset.
    static let valueOffset = 12

    /// Bytes to reserve up front (the size of the previous document, say), so that the buffer
    /// does not grow by copying.
    package var capacityHint: Int

    /// An encoder that reserves `capacityHint` bytes up front.
    package init(capacityHint: Int = 1 << 16) {
        self.capacityHint = capacityHint
    }

    /// The encoded document.
    package func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let writer = CompactBinaryWriter(capacity: capacityHint)
        writer.writeHeader()
        try writer.encodeValue(value, codingPath: [])
        writer.closeContainers(above: 0)
        writer.writeKeyTable()
        return writer.body
    }
}

/// The bytes being written and the containers still open.
final class CompactBinaryWriter {
    private(set) var body: [UInt8] = []
    private(set) var keys: [String] = []
    /// Key → number, keys told apart by their bytes (two normalizations of a text are two keys).
    private var keyNumbers: [KeyBytes: UInt32] = [:]
    /// The key last written at each (depth, ordinal) place, with its number: synthesized
    /// conformances write the same keys in the same order every time, and comparing a key with
    /// the one written there before is cheaper than hashing it.
    private var recentKeys = ContiguousArray<(key: String, number: UInt32)>(
        repeating: ("", .max), count: CompactBinaryWriter.recentKeySlots)
    private static let recentKeySlots = 1024

    /// A container still open: where its header is, its count so far, and where the length of
    /// the keyed entry that holds it is (if one does).
    private struct OpenContainer {
        let serial: Int
        let header: Int
        var count: UInt64 = 0
        let entryLength: Int?
    }

    /// Open containers, outermost first; index 0 is a sentinel for the top level.
    private var open: [OpenContainer] = [OpenContainer(serial: 0, header: 0, entryLength: nil)]
    private var nextSerial = 1
    /// Types found to be neither primitives nor optionals (asking a value costs more).
    private var compositeTypes: Set<ObjectIdentifier> = []

    init(capacity: Int) {
        body.reserveCapacity(capacity)
    }

    /// The magic and a placeholder for the key table's offset.
    func writeHeader() {
        body.append(contentsOf: CompactBinaryEncoder.magic)
        body.append(contentsOf: repeatElement(0, count: 8))
    }

    /// Appends the key table and writes its offset in the header.
    func writeKeyTable() {
        let offset = UInt64(body.count)
        writeVarint(UInt64(keys.count))
        for key in keys { write(key) }
        withUnsafeBytes(of: offset.littleEndian) { raw in
            for index in 0..<8 { body[4 + index] = raw[index] }
        }
    }

    // MARK: Raw bytes

    func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            body.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        body.append(UInt8(value))
    }

    func writeZigzag(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    func write(_ value: Bool) { body.append(value ? 1 : 0) }
    func write(_ value: Int8) { body.append(UInt8(bitPattern: value)) }
    func write(_ value: UInt8) { body.append(value) }
    func write(_ value: Int16) { writeZigzag(Int64(value)) }
    func write(_ value: Int32) { writeZigzag(Int64(value)) }
    func write(_ value: Int64) { writeZigzag(value) }
    func write(_ value: Int) { writeZigzag(Int64(value)) }
    func write(_ value: UInt16) { writeVarint(UInt64(value)) }
    func write(_ value: UInt32) { writeVarint(UInt64(value)) }
    func write(_ value: UInt64) { writeVarint(value) }
    func write(_ value: UInt) { writeVarint(UInt64(value)) }
    func write(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
    func write(_ value: Float) { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }

    func write(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            body.append(contentsOf: utf8)
        }
    }

    /// Reserves one byte for a varint written later by ``finishVarint(at:value:)``.
    private func placeholder() -> Int {
        body.append(0)
        return body.count - 1
    }

    /// Writes `value` in the placeholder at `offset`, making room when it needs more than a
    /// byte. Only bytes of finished values lie after a placeholder, so nothing else moves.
    private func finishVarint(at offset: Int, value: Int) {
        if value < 0x80 {
            body[offset] = UInt8(value)
            return
        }
        var rest = UInt64(value)
        var bytes: [UInt8] = []
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        body[offset] = bytes[0]
        body.insert(contentsOf: bytes[1...], at: offset + 1)
    }

    func keyNumber(_ key: String, depth: Int, ordinal: UInt64) -> UInt32 {
        let slot = (depth &* 64 &+ Int(truncatingIfNeeded: ordinal)) & (Self.recentKeySlots - 1)
        let recent = recentKeys[slot]
        if recent.number != .max && recent.key.hasSameUTF8(as: key) { return recent.number }  // (.max: nothing there yet)
        let number: UInt32
        if let known = keyNumbers[KeyBytes(string: key)] {
            number = known
        } else {
            number = UInt32(keys.count)
            keys.append(key)
            keyNumbers[KeyBytes(string: key)] = number
        }
        recentKeys[slot] = (key, number)
        return number
    }

    // MARK: Containers

    /// Opens a container at the end of the body; returns its serial and depth.
    func openContainer(entryLength: Int?) -> (serial: Int, depth: Int) {
        let header = placeholder()
        _ = placeholder()
        let serial = nextSerial
        nextSerial += 1
        open.append(OpenContainer(serial: serial, header: header, entryLength: entryLength))
        return (serial, open.count - 1)
    }

    /// Makes the container at `depth` the innermost open one, finishing those nested in it,
    /// and counts one more element of it; returns the element's ordinal.
    @discardableResult
    func beginElement(ofContainer serial: Int, depth: Int) -> UInt64 {
        precondition(depth < open.count && open[depth].serial == serial,
                     "CompactBinaryEncoder: a container was written to after a container it holds was finished")
        if open.count - 1 > depth { closeContainers(above: depth) }
        let ordinal = open[depth].count
        open[depth].count = ordinal + 1
        return ordinal
    }

    /// Finishes every container nested deeper than `depth`: writes their element and byte
    /// counts, and the byte counts of the keyed entries that hold them.
    func closeContainers(above depth: Int) {
        while open.count - 1 > depth {
            let container = open.removeLast()
            finishVarint(at: container.header + 1, value: Int(container.count))
            finishVarint(at: container.header, value: body.count - container.header - 1)
            if let entryLength = container.entryLength {
                finishVarint(at: entryLength, value: body.count - entryLength - 1)
            }
        }
    }

    /// Starts an entry of a keyed container: its key and a placeholder for its byte count.
    func beginEntry(key: String, ofContainer serial: Int, depth: Int) -> Int {
        let ordinal = beginElement(ofContainer: serial, depth: depth)
        writeVarint(UInt64(keyNumber(key, depth: depth, ordinal: ordinal)))
        return placeholder()
    }

    /// Ends the entry whose byte count is at `lengthOffset`.
    func endEntry(lengthOffset: Int, depth: Int) {
        if open.count - 1 > depth { closeContainers(above: depth) }
        finishVarint(at: lengthOffset, value: body.count - lengthOffset - 1)
    }

    // MARK: Values

    /// Writes `value` where the body ends.
    func encodeValue<Value: Encodable>(_ value: Value, codingPath: [any CodingKey]) throws {
        // The common primitives by their type alone; other types are asked what they are.
        if Value.self == Int.self { return write(unsafeBitCast(value, to: Int.self)) }
        if Value.self == Int32.self { return write(unsafeBitCast(value, to: Int32.self)) }
        if Value.self == Double.self { return write(unsafeBitCast(value, to: Double.self)) }
        if Value.self == Bool.self { return write(unsafeBitCast(value, to: Bool.self)) }
        if Value.self == String.self { return write(unsafeBitCast(value, to: String.self)) }
        if !compositeTypes.contains(ObjectIdentifier(Value.self)) {
            // Optionals first: a cast to a protocol looks inside an optional.
            if let optional = value as? any CompactBinaryEncodableOptional {
                if let wrapped = optional.wrappedEncodable {
                    write(UInt8(1))
                    try encodeValue(wrapped, codingPath: codingPath)
                } else {
                    write(UInt8(0))
                }
                return
            }
            if let primitive = value as? any CompactBinaryPrimitive {
                return primitive.write(to: self)
            }
            compositeTypes.insert(ObjectIdentifier(Value.self))
        }
        try value.encode(to: CompactBinaryValueEncoder(writer: self, codingPath: codingPath))
    }
}

/// An optional, recognised so that it is written with a presence byte.
protocol CompactBinaryEncodableOptional {
    var wrappedEncodable: (any Encodable)? { get }
}

extension Optional: CompactBinaryEncodableOptional where Wrapped: Encodable {
    var wrappedEncodable: (any Encodable)? { self.map { $0 as any Encodable } }
}
