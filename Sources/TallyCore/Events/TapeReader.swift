import CEventJSON

/// Turns the tokens `cej_parse` wrote for one line into ``JSONValue``s.
///
/// Only valid while the line's bytes and the tape it points into are alive and unchanged.
struct TapeReader {
    let tokens: UnsafePointer<cej_token>
    let input: UnsafePointer<UInt8>
    /// Shares repeated strings between lines (nil: every string is built).
    let cache: StringCache?

    static let kindNull = UInt8(CEJ_NULL)
    static let kindFalse = UInt8(CEJ_FALSE)
    static let kindTrue = UInt8(CEJ_TRUE)
    static let kindNumber = UInt8(CEJ_NUMBER)
    static let kindString = UInt8(CEJ_STRING)
    static let kindArray = UInt8(CEJ_ARRAY)
    static let kindObject = UInt8(CEJ_OBJECT)

    static let flagEscaped = UInt8(CEJ_FLAG_ESCAPED)
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
        case Self.kindObject: return .object(members(of: token, at: &index) { _, _ in })
        case Self.kindArray:
            let count = Int(token.length)
            return .array(
                [JSONValue](unsafeUninitializedCapacity: count) { buffer, initialized in
                    while initialized < count {
                        (buffer.baseAddress! + initialized).initialize(to: value(at: &index))
                        initialized += 1
                    }
                })
        default: return .null
        }
    }

    /// The members of the object `token`, whose first key token is at `index`; advances
    /// `index` past them. A repeated key keeps its first position and takes the last value.
    /// `visit` is told each key token and the position its member ended up at.
    @inline(__always)
    func members(of token: cej_token, at index: inout Int, visit: (cej_token, Int) -> Void) -> JSONObject {
        JSONObject(members: memberList(of: token, at: &index, visit: visit))
    }

    /// The members of the object `token` as stored in a ``JSONObject``; see
    /// ``members(of:at:visit:)``.
    @inline(__always)
    func memberList(of token: cej_token, at index: inout Int, visit: (cej_token, Int) -> Void = { _, _ in })
        -> [JSONObject.Member]
    {
        let count = Int(token.length)
        var members: [JSONObject.Member] = []
        members.reserveCapacity(count)
        var keys = KeySet()
        for _ in 0..<count {
            let keyToken = tokens[index]
            index += 1
            let (key, hash) = self.key(keyToken)
            let value = self.value(at: &index)
            var position = members.count
            if !keys.insertIsNew(hash) {
                for i in members.indices where JSONObject.sameKey(members[i].key, key) {
                    position = i
                    break
                }
            }
            if position == members.count {
                members.append(JSONObject.Member(key: key, value: value))
            } else {
                members[position].value = value
            }
            visit(keyToken, position)
        }
        return members
    }

    /// The decoded text of a key token and a hash of its bytes (nil for keys over 32 bytes).
    @inline(__always)
    func key(_ token: cej_token) -> (String, UInt64?) {
        let raw = rawBytes(token)
        if token.flags & Self.flagEscaped == 0 {
            guard let key = StringCache.Key(raw) else {
                return (String(decoding: raw, as: UTF8.self), nil)
            }
            return (cache?.string(raw, key: key) ?? String(decoding: raw, as: UTF8.self), key.hash)
        }
        var text = string(token)
        return (text, text.withUTF8 { StringCache.Key($0)?.hash })
    }

    /// The decoded text of a string token.
    @inline(__always)
    func string(_ token: cej_token) -> String {
        let raw = rawBytes(token)
        if token.flags & Self.flagEscaped == 0 {
            // Repeated strings of up to 32 bytes (types, pages, ids) come from the cache: longer
            // ones share storage, and short ones skip the UTF-8 check the scanner already made.
            if let cache, let key = StringCache.Key(raw) { return cache.string(raw, key: key) }
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

/// Tells keys of one object apart by hash, so that only a possible duplicate pays for a
/// comparison with the members before it: a 64-bit Bloom filter over key hashes.
struct KeySet {
    private var bits: UInt64 = 0
    private var unsure = false

    /// False when the key may repeat an earlier one (then the caller compares for real).
    @inline(__always)
    mutating func insertIsNew(_ hash: UInt64?) -> Bool {
        guard let hash else {
            unsure = true
            return false
        }
        let bit: UInt64 = 1 << (hash >> 58)
        defer { bits |= bit }
        return !unsure && bits & bit == 0
    }
}
