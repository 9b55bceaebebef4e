extension UInt64 {
    /// SplitMix64's finalizer: every bit of the value affects every bit of the result, for
    /// hash tables keyed by a few words (``RememberedConditions``, recent pages in
    /// ``RuleDispatch``), where `Hasher` would cost more than the rest of a lookup.
    @inline(__always)
    var splitMixed: UInt64 {
        var z = self &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
