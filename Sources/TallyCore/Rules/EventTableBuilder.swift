import CEventJSON
import LuaKit

/// Builds the Lua table rule functions see as `e` from an event's fields: objects become
/// tables with string keys, arrays sequences from 1, `null` leaves the key out.
///
/// Fields still on the line's tape go straight from its bytes to Lua strings and numbers,
/// without Swift values in between.
struct EventTableBuilder {
    let state: LuaState
    /// The string `type`, pinned in the registry (see ``RuleRuntime``).
    let typeKey: LuaRegistrySlot

    /// Pushes a table of `object`'s members. Stack: +1.
    func push(_ object: JSONObject) {
        if let onTape = object.tapeObject {
            pushObject(at: onTape.token, of: onTape.tape)
            return
        }
        pushDecoded(object)
    }

    /// Pushes a table of an event's fields with `type` set to `type` (the event's upper-cased
    /// type, whatever the line's `type` says). Stack: +1.
    func pushEvent(_ fields: JSONObject, type: String) {
        if let onTape = fields.tapeObject {
            pushObject(at: onTape.token, of: onTape.tape, skippingType: true)
        } else {
            pushDecoded(fields)
        }
        state.pushPinned(typeKey)
        state.push(type)
        state.rawSet(in: -3)
    }

    /// Pushes `reads`' table filled with only the fields it names (for a function that reads
    /// nothing else of the event), valued as in the whole table: `type` is `type`, a missing or
    /// `null` field is nil. Stack: +1.
    func pushEvent(_ fields: JSONObject, type: String, only reads: EventFieldReads) {
        reads.table.push()
        let onTape = fields.tapeObject
        for (name, key) in zip(reads.names, reads.keys) {
            key.push()
            if name == "type" {
                state.push(type)
            } else if let onTape {
                if let token = onTape.valueToken(of: name) { pushValue(at: token, of: onTape.tape) } else { state.pushNil() }
            } else if let value = fields.value(atPath: CollectionOfOne(name)) {
                push(value)
            } else {
                state.pushNil()
            }
            state.rawSet(in: -3)
        }
    }

    private func pushDecoded(_ object: JSONObject) {
        state.pushTable(fieldCapacity: object.count)
        for (key, value) in object {
            push(value)
            state.setRawField(key, of: -2)
        }
    }

    /// Pushes a decoded value. Stack: +1.
    private func push(_ value: JSONValue) {
        switch value {
        case .null: state.pushNil()
        case .bool(let flag): state.push(flag)
        case .int(let number): state.push(number)
        case .number(let number): state.push(number)
        case .string(let text): state.push(text)
        case .array(let items):
            state.pushTable(arrayCapacity: items.count)
            for (offset, item) in items.enumerated() {
                push(item)
                state.setRawElement(offset + 1, of: -2)
            }
        case .object(let object):
            push(object)
        }
    }

    /// Pushes the object whose token is at `index` on `tape` (a repeated key ends up with its
    /// last value, as when decoded). Stack: +1.
    /// `skippingType` leaves out members named `type` (the caller sets it).
    private func pushObject(at index: Int, of tape: EventTape, skippingType: Bool = false) {
        let object = tape.tokens[index]
        state.pushTable(fieldCapacity: Int(object.length))
        var position = index + 1
        for _ in 0..<Int(object.length) {
            let key = tape.tokens[position]
            if !(skippingType && Self.isType(key, of: tape)) {
                pushString(key, of: tape)
                pushValue(at: position + 1, of: tape)
                state.rawSet(in: -3)
            }
            position = Int(tape.tokens[position + 1].next)
        }
    }

    /// True when the key token is `type` as written (no escapes).
    private static func isType(_ key: cej_token, of tape: EventTape) -> Bool {
        guard key.length == 4, key.flags & TapeReader.flagEscaped == 0 else { return false }
        let bytes = tape.bytes + Int(key.start)
        return bytes[0] == 0x74 && bytes[1] == 0x79 && bytes[2] == 0x70 && bytes[3] == 0x65  // "type"
    }

    /// Pushes the value whose token is at `index` on `tape`. Stack: +1.
    private func pushValue(at index: Int, of tape: EventTape) {
        let token = tape.tokens[index]
        switch token.kind {
        case TapeReader.kindString:
            pushString(token, of: tape)
        case TapeReader.kindNumber:
            if token.flags & TapeReader.flagHasI64 != 0 {
                state.push(token.value.i)
            } else if token.flags & TapeReader.flagHasF64 != 0 {
                state.push(token.value.d)
            } else {
                push(tape.reader.number(token))
            }
        case TapeReader.kindTrue: state.push(true)
        case TapeReader.kindFalse: state.push(false)
        case TapeReader.kindObject: pushObject(at: index, of: tape)
        case TapeReader.kindArray:
            state.pushTable(arrayCapacity: Int(token.length))
            var position = index + 1
            for offset in 0..<Int(token.length) {
                pushValue(at: position, of: tape)
                state.setRawElement(offset + 1, of: -2)
                position = Int(tape.tokens[position].next)
            }
        default: state.pushNil()
        }
    }

    /// Pushes the text of a string token (escapes decoded). Stack: +1.
    private func pushString(_ token: cej_token, of tape: EventTape) {
        if token.flags & TapeReader.flagEscaped != 0 {
            state.push(tape.reader.string(token))
        } else {
            state.push(bytes: UnsafeRawBufferPointer(tape.reader.rawBytes(token)))
        }
    }
}
