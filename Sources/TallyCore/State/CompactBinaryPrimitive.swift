/// Types written by ``CompactBinaryEncoder`` as themselves (see its form) and read back by
/// ``CompactBinaryDecoder``.
protocol CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter)
    /// Reads a value from `reader` at `offset` (advanced past it), not reading at or past `limit`.
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Self
}

extension Bool: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Bool {
        switch try reader.byte(at: &offset, limit: limit) {
        case 0: return false
        case 1: return true
        default: throw reader.corrupt(at: offset - 1, "a Bool that is neither 0 nor 1")
        }
    }
}

extension String: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> String {
        try reader.string(at: &offset, limit: limit)
    }
}

extension Double: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Double {
        Double(bitPattern: try reader.fixed(UInt64.self, at: &offset, limit: limit))
    }
}

extension Float: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Float {
        Float(bitPattern: try reader.fixed(UInt32.self, at: &offset, limit: limit))
    }
}

extension Int8: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Int8 {
        Int8(bitPattern: try reader.byte(at: &offset, limit: limit))
    }
}

extension UInt8: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> UInt8 {
        try reader.byte(at: &offset, limit: limit)
    }
}

/// Signed integers, written as zigzag varints.
protocol CompactBinaryZigzagInteger: CompactBinaryPrimitive, FixedWidthInteger, SignedInteger {}

extension CompactBinaryZigzagInteger {
    func write(to writer: CompactBinaryWriter) { writer.writeZigzag(Int64(self)) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Self {
        let start = offset
        guard let value = Self(exactly: try reader.zigzag(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for \(Self.self)")
        }
        return value
    }
}

/// Unsigned integers, written as varints.
protocol CompactBinaryVarintInteger: CompactBinaryPrimitive, FixedWidthInteger, UnsignedInteger {}

extension CompactBinaryVarintInteger {
    func write(to writer: CompactBinaryWriter) { writer.writeVarint(UInt64(self)) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Self {
        let start = offset
        guard let value = Self(exactly: try reader.varint(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for \(Self.self)")
        }
        return value
    }
}

extension Int16: CompactBinaryZigzagInteger {}
extension Int32: CompactBinaryZigzagInteger {}
extension Int64: CompactBinaryZigzagInteger {}
extension Int: CompactBinaryZigzagInteger {}
extension UInt16: CompactBinaryVarintInteger {}
extension UInt32: CompactBinaryVarintInteger {}
extension UInt64: CompactBinaryVarintInteger {}
extension UInt: CompactBinaryVarintInteger {}
