import Glibc

/// A compiled string matcher (SPEC §3): exact text, any of a list, a prefix, or an unanchored
/// POSIX extended regular expression. Text is compared by its UTF-8 bytes, as Lua compares it:
/// `"/café"` (NFC) does not match `"/cafe\u{301}"` (NFD).
public enum StringMatcher {
    case exact(String)
    case anyOf(Set<ByteString>)
    case prefix(String)
    case regex(CompiledRegex)

    /// True if `text` matches.
    public func matches(_ text: String) -> Bool {
        switch self {
        case .exact(let expected): return text.hasSameBytes(as: expected)
        case .anyOf(let expected): return expected.contains(ByteString(text))
        case .prefix(let expected): return text.hasBytePrefix(expected)
        case .regex(let regex): return regex.search(text)
        }
    }

    /// ``matches(_:)`` without remembered results (the plain engine).
    public func matchesUnremembered(_ text: String) -> Bool {
        if case .regex(let regex) = self { return regex.searchUnremembered(text) }
        return matches(text)
    }

    /// The same matcher over upper-cased text, for event types (compared case-insensitively:
    /// ASCII letters, as events' types are upper-cased).
    func uppercased() throws(RuleError) -> StringMatcher {
        switch self {
        case .exact(let text): return .exact(text.asciiUppercased)
        case .anyOf(let texts): return .anyOf(Set(texts.map { ByteString($0.string.asciiUppercased) }))
        case .prefix(let text): return .prefix(text.asciiUppercased)
        case .regex(let regex): return .regex(try CompiledRegex(regex.pattern, ignoringCase: true))
        }
    }
}

/// A POSIX extended regular expression (glibc `regcomp`), searched unanchored.
///
/// glibc's matcher has no catastrophic backtracking for patterns without back-references, so
/// it is safe on untrusted rule input. Results are remembered per text (pages and types repeat
/// from event to event, and a search costs far more than a lookup), so a regex is not
/// thread-safe: like the rest of a rule set, it belongs to one engine.
public final class CompiledRegex {
    /// The pattern as written in the rule.
    public let pattern: String
    private var compiled = regex_t()
    /// Texts searched before and whether they matched; bounded (once full, new texts are
    /// searched without being kept).
    private var memo: [ByteString: Bool] = [:]
    static let memoLimit = 4096

    /// Compiles `pattern`; throws its error text when it is invalid.
    public init(_ pattern: String, ignoringCase: Bool = false) throws(RuleError) {
        self.pattern = pattern
        let flags = REG_EXTENDED | REG_NOSUB | (ignoringCase ? REG_ICASE : 0)
        let status = regcomp(&compiled, pattern, flags)
        if status != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(status, &compiled, &buffer, buffer.count)
            regfree(&compiled)
            throw RuleError(message: "invalid regex \"\(pattern)\": \(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
    }

    deinit { regfree(&compiled) }

    /// True if the pattern matches anywhere in `text`.
    public func search(_ text: String) -> Bool {
        let key = ByteString(text)
        if let known = memo[key] { return known }
        let found = searchUnremembered(text)
        if memo.count < Self.memoLimit { memo[key] = found }
        return found
    }

    /// ``search(_:)`` without looking up or keeping the result (the plain engine).
    public func searchUnremembered(_ text: String) -> Bool {
        regexec(&compiled, text, 0, nil, 0) == 0
    }
}
