import Testing

@testable import TallyCore

/// Reserved keys read by words off a tape (``ReservedField/init(tapeKey:)``), with whatever
/// follows the key in the padding, and decoded keys (read from a zero-padded copy).
@Suite struct ReservedFieldTests {
    private static let names: [(String, ReservedField)] = [
        ("type", .type), ("guest", .guest), ("browser_id", .browserID), ("ts", .ts), ("session", .session),
        ("page", .page), ("revenue", .revenue), ("experiment", .experiment), ("variant", .variant),
    ]

    /// The field `init(tapeKey:)` finds for `key`, laid out as on a tape: followed by
    /// `EventTape.readPadding` bytes of `after`, so a read past the key sees them and not zeros.
    private func tapeField(_ key: [UInt8], followedBy after: UInt8 = UInt8(ascii: "\"")) -> ReservedField? {
        let buffer = key + Array(repeating: after, count: EventTape.readPadding)
        return buffer.withUnsafeBufferPointer { bytes in
            ReservedField(tapeKey: UnsafeBufferPointer(rebasing: bytes[0..<key.count]))
        }
    }

    @Test func everyReservedNameIsFound() {
        for (name, field) in Self.names {
            #expect(tapeField(Array(name.utf8)) == field, "\(name)")
            #expect(tapeField(Array(name.utf8), followedBy: 0xFF) == field, "\(name) before 0xFF bytes")
            #expect(ReservedField(name) == field, "\(name) decoded")
        }
    }

    @Test func aKeyDifferingInAnyByteIsNotReserved() {
        for (name, _) in Self.names {
            let bytes = Array(name.utf8)
            for position in bytes.indices {
                var changed = bytes
                changed[position] ^= 0x20  // "type" -> "Type", "browser_id" -> "browser_iD", ...
                #expect(tapeField(changed) == nil, "\(String(decoding: changed, as: UTF8.self))")
                #expect(ReservedField(String(decoding: changed, as: UTF8.self)) == nil)
            }
        }
    }

    @Test func prefixesAndExtensionsAreNotReserved() {
        for (name, _) in Self.names {
            let bytes = Array(name.utf8)
            // A shorter key whose padding holds the rest of the name must not match it.
            let prefix = Array(bytes.dropLast())
            let rest = bytes.last!
            #expect(tapeField(prefix, followedBy: rest) == nil, "\(String(decoding: prefix, as: UTF8.self))")
            #expect(tapeField(bytes + Array("s".utf8)) == nil, "\(name)s")
        }
        #expect(tapeField([]) == nil)
        #expect(tapeField(Array("t".utf8), followedBy: UInt8(ascii: "s")) == nil)
    }

    @Test func packedWordsSpellTheNames() {
        func packed(_ text: String) -> UInt64 {
            text.utf8.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
        }
        #expect(ReservedField.Packed.ts == packed("ts"))
        #expect(ReservedField.Packed.type == packed("type"))
        #expect(ReservedField.Packed.page == packed("page"))
        #expect(ReservedField.Packed.guest == packed("guest"))
        #expect(ReservedField.Packed.session == packed("session"))
        #expect(ReservedField.Packed.revenue == packed("revenue"))
        #expect(ReservedField.Packed.variant == packed("variant"))
        #expect(ReservedField.Packed.browser == packed("browser_"))
        #expect(UInt64(ReservedField.Packed.id) == packed("id"))
        #expect(ReservedField.Packed.experime == packed("experime"))
        #expect(UInt64(ReservedField.Packed.nt) == packed("nt"))
    }
}
