import CPrefetch

extension ContiguousArray {
    /// Starts loading the elements `index ..< index + count` into the cache, every cache line
    /// they touch. Reads the base address without a closure, so no reference counting; a
    /// prefetch never faults, whatever the address. `mutating` only so that an array stored in
    /// a class is reached in place: a non-mutating call retains and releases its buffer.
    @inline(__always)
    mutating func prefetch(_ index: Int, count: Int = 1) {
        guard let base = _baseAddressIfContiguous else { return }
        let start = UnsafeRawPointer(base + index)
        let bytes = count * MemoryLayout<Element>.stride
        var offset = 0
        repeat {
            tally_prefetch(start + offset)
            offset += 64
        } while offset < bytes
    }
}
