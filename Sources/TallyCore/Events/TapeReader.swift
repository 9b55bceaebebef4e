import CEventJSON

/// Turns the tokens `cej_parse` wrote for one line into ``JSONValue``s.
///
/// Only valid while the line's bytes and the tape it points into are alive and unchanged.
struct TapeReader {
    let tokens: UnsafePointer<cej_token>
    let input: UnsafePointer<UInt8>

    static let kindNull = UInt8(CEJ_NULL)
    static let kindFalse = UInt8(CEJ_FALSE)
    static let kindTrue = UInt8(CEJ_TRUE)
    static let kindNumber = UInt8(CEJ_NUMBER)
    static let kindString = UInt8(CEJ_STRING)
    static let kindArray = UInt8(CEJ_ARRAY)
    static let kindObject = UInt8(CEJ_OBJECT)

    static let flagEscaped = UInt8(CEJ_FLAG_ESCAPED)
    static let flagInteger = UInt8(CEJ_FLAG_INTEGER)
    static let flagHasI64 = UInt8(CEJ_FLAG_HAS_I64)
    static let flagHasF64 = UInt8(CEJ_FLAG_HAS_F64)

    /// The raw bytes of a token (for strings: between the quotes, escapes undecoded).
    @inline(__always)
    func rawBytes(_ token: cej_token) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: input + Int(token.start), count: Int(token.length))
    }

    /// The value whose token is at `index`; advances `index` past it and its contents.
    func value(at index: inout Int) -> JSONValue {
        let token = tokens[index]
        index += 1
        switch token.kind {
        case Self.kindString: return .string(string(token))
        case Self.kindNumber: return number(token)
        case Self.kindTrue: return .bool(true)
        case Self.kindFalse: return .bool(false)
        case Self.kindObject: return .object(object(token, contentsAt: &index))
        case Self.kindArray:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(token.length))
            for _ in 0..<token.length { elements.append(value(at: &index)) }
            return .array(elements)
        default: return .null
        }
    }

    /// The members of the object `token`, whose first key token is at `index`.
    func object(_ token: cej_token, contentsAt index: inout Int) -> JSONObject {
        var object = JSONObject(capacity: Int(token.length))
        for _ in 0..<token.length {
            let key = string(tokens[index])
            index += 1
            object.insert(key, value(at: &index))
        }
        return object
    }

    /// The decoded text of a string token.
    @inline(__always)
    func string(_ token: cej_token) -> String {
        let raw = rawBytes(token)
        if token.flags & Self.flagEscaped == 0 {
            return String(decoding: raw, as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: raw.count) { buffer in
            cej_unescape(raw.baseAddress, raw.count, buffer.baseAddress)
        }
    }

    /// The value of a number token: `.int` for integer syntax that fits `Int64`, else `.number`.
    func number(_ token: cej_token) -> JSONValue {
        if token.flags & Self.flagHasI64 != 0 { return .int(token.value.i) }
        if token.flags & Self.flagHasF64 != 0 { return .number(token.value.d) }
        // Long mantissas, big exponents and big integers: the standard library's correctly
        // rounded conversion (locale-independent; overflow gives infinity).
        let text = String(decoding: rawBytes(token), as: UTF8.self)
        return .number(Double(text) ?? .nan)
    }

    /// The kind of the value at `token` as in messages (`an array`, `a string`, `null`).
    static func kindName(_ token: cej_token) -> String {
        switch token.kind {
        case kindNull: return "null"
        case kindTrue, kindFalse: return "a boolean"
        case kindNumber: return "a number"
        case kindString: return "a string"
        case kindArray: return "an array"
        default: return "an object"
        }
    }
}
