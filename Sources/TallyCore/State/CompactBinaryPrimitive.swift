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

extension Int16: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Int16 {
        let start = offset
        guard let value = Int16(exactly: try reader.zigzag(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for Int16")
        }
        return value
    }
}

extension Int32: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Int32 {
        let start = offset
        guard let value = Int32(exactly: try reader.zigzag(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for Int32")
        }
        return value
    }
}

extension Int64: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Int64 {
        let start = offset
        guard let value = Int64(exactly: try reader.zigzag(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for Int64")
        }
        return value
    }
}

extension Int: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> Int {
        let start = offset
        guard let value = Int(exactly: try reader.zigzag(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for Int")
        }
        return value
    }
}

extension UInt16: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> UInt16 {
        let start = offset
        guard let value = UInt16(exactly: try reader.varint(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for UInt16")
        }
        return value
    }
}

extension UInt32: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> UInt32 {
        let start = offset
        guard let value = UInt32(exactly: try reader.varint(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for UInt32")
        }
        return value
    }
}

extension UInt64: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> UInt64 {
        let start = offset
        guard let value = UInt64(exactly: try reader.varint(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for UInt64")
        }
        return value
    }
}

extension UInt: CompactBinaryPrimitive {
    func write(to writer: CompactBinaryWriter) { writer.write(self) }
    static func read(from reader: CompactBinaryReader, at offset: inout Int, limit: Int) throws -> UInt {
        let start = offset
        guard let value = UInt(exactly: try reader.varint(at: &offset, limit: limit)) else {
            throw reader.corrupt(at: start, "a number too large for UInt")
        }
        return value
    }
}
