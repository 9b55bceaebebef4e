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
        return try reader.fitting(try reader.zigzag(at: &offset, limit: limit), as: Self.self, at: start)
    }
}

/// Unsigned integers, written as varints.
protocol CompactBinaryVarintInteger: CompactBinaryPrimitive, FixedWidthInteger, UnsignedInteger {}

extension CompactBinaryVarintInteger {
    func write(to writer: CompactBinaryWriter) { writer.writeVarint(UInt64(self)) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Self {
        let start = offset
        return try reader.fitting(try reader.varint(at: &offset, limit: limit), as: Self.self, at: start)
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

extension CompactBinaryReader {
    /// `value` as a `Target`, or a corruption error (at `offset`) when it does not fit.
    func fitting<Target: FixedWidthInteger>(_ value: some BinaryInteger, as target: Target.Type, at offset: Int) throws -> Target {
        guard let fitted = Target(exactly: value) else { throw corrupt(at: offset, "a number too large for \(Target.self)") }
        return fitted
    }
}
