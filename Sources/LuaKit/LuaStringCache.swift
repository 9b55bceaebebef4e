import CLua
import Glibc

/// Swift strings for the Lua strings host functions receive again and again (counter names,
/// `guest.data` keys): a small direct-mapped cache keyed by where the Lua string's bytes are.
///
/// Lua keeps one copy of each short string, so the same name passed again is found at the same
/// address and its `String` is reused instead of made anew. An address says nothing once its
/// string is collected, so a hit is also checked byte for byte against the cached `String`:
/// a wrong string is never returned, a stale entry only costs a miss.
public final class LuaStringCache {
    private struct Entry {
        var address: UnsafeRawPointer?
        var length = 0
        var string = ""
    }

    private static let slotCount = 64
    private let entries: UnsafeMutablePointer<Entry>

    public init() {
        entries = .allocate(capacity: Self.slotCount)
        entries.initialize(repeating: Entry(), count: Self.slotCount)
    }

    deinit {
        entries.deinitialize(count: Self.slotCount)
        entries.deallocate()
    }

    /// The string at `index` of `state`'s stack, or nil if it is not a string (numbers are not
    /// converted), as ``LuaState/string(at:)``.
    public func string(at index: Int32, of state: LuaState) -> String? {
        guard lua_type(state.pointer, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let characters = lua_tolstring(state.pointer, index, &length) else { return nil }
        let address = UnsafeRawPointer(characters)
        let entry = entries + (Int(bitPattern: address) >> 4 ^ length) & (Self.slotCount - 1)
        if entry.pointee.address == address, entry.pointee.length == length,
           length == 0 || entry.pointee.string.utf8.withContiguousStorageIfAvailable({
               memcmp($0.baseAddress!, address, length) == 0
           }) == true
        {
            return entry.pointee.string
        }
        let string = String(decoding: UnsafeRawBufferPointer(start: address, count: length), as: UTF8.self)
        entry.pointee = Entry(address: address, length: length, string: string)
        return string
    }
}
