import CLua
import CLuaSupport

/// A Swift function callable from Lua. It reads its arguments from the stack (1...`top`),
/// pushes its results and returns their count. A thrown error becomes a Lua error raised by the
/// C trampoline after this function has returned, prefixed with the calling Lua code's position.
public typealias LuaHostFunction = (LuaState) throws -> Int32

/// The Swift side of a host function: the closure and the state it was made for.
private final class HostFunctionBox {
    let body: LuaHostFunction
    /// Not counted (a counted `unowned` reference cost four reference-count operations per
    /// call): the box is kept by a userdata in the owner's VM, which the owner closes in its
    /// `deinit`, so the function cannot be called once the owner is gone.
    unowned(unsafe) let owner: LuaState

    init(body: @escaping LuaHostFunction, owner: LuaState) {
        self.body = body
        self.owner = owner
    }
}

private func invokeHostFunction(_ state: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let state, let context else { return 0 }
    // The userdata holding the box keeps it alive for the call: no reference is counted.
    return Unmanaged<HostFunctionBox>.fromOpaque(context)._withUnsafeGuaranteedRef { box in
        let frame = state == box.owner.pointer ? box.owner : LuaState(borrowing: state)
        do {
            return try box.body(frame)
        } catch {
            let message = (error as? LuaError)?.description ?? String(describing: error)
            frame.push(message)
            return -1
        }
    }
}

private func releaseHostFunction(_ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<HostFunctionBox>.fromOpaque(context).release()
}

extension LuaState {
    /// Pushes a Lua function that runs `body`. Stack: +1.
    public func push(function body: @escaping LuaHostFunction) {
        let box = Unmanaged.passRetained(HostFunctionBox(body: body, owner: self)).toOpaque()
        tally_push_host_function(pointer, invokeHostFunction, releaseHostFunction, box)
    }

    /// Sets global `name` to a function that runs `body`. Stack: unchanged.
    public func register(_ name: String, function body: @escaping LuaHostFunction) {
        pushGlobals()
        push(function: body)
        setRawField(name, of: -2)
        pop()
    }
}

/// An error a host function throws to report bad arguments or failures to the calling script.
public struct LuaScriptError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
