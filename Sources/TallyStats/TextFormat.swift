/// Number formatting for the command-line tables, without Foundation.
enum TextFormat {
    /// `x` rounded to `decimals` places: fixed(0.12345, 2) = "0.12".
    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e15 else { return x.description }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let fraction = units % Int(scale)
        var text = grouped(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return (x < 0 && units != 0 ? "-" : "") + text
    }

    /// A percentage: percent(0.1234, 2) = "12.34%"; `signed` adds "+" to positive values.
    static func percent(_ x: Double, _ decimals: Int = 2, signed: Bool = false) -> String {
        let text = fixed(100 * x, decimals)
        return (signed && !text.hasPrefix("-") && x > 0 ? "+" : "") + text + "%"
    }

    /// An integer with thousands separators: 21110 → "21,110".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A p-value: four decimals, or "< 0.0001".
    static func pValue(_ p: Double) -> String {
        p < 0.0001 ? "< 0.0001" : fixed(p, 4)
    }

    /// A value with about `significant` significant digits, trailing zeros dropped.
    static func compact(_ x: Double, significant: Int = 4) -> String {
        guard x.isFinite else { return "—" }
        let magnitude = abs(x)
        if magnitude == 0 { return "0" }
        var decimals = significant - 1
        var bound = 1.0
        while magnitude >= bound * 10, decimals > 0 {
            bound *= 10
            decimals -= 1
        }
        if magnitude < 1 {
            var m = magnitude
            while m < 1, decimals < 12 {
                m *= 10
                decimals += 1
            }
        }
        var text = fixed(x, decimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `text` padded with spaces to `width` characters, on the left or the right.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
