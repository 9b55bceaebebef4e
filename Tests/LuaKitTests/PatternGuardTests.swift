import CLua
import CLuaPatterns
import XCTest

/// The step-bounded pattern functions of tally_patterns.c, checked against Lua 5.4's own.
///
/// Each state keeps Lua's functions as globals `orig_find`, `orig_match`, `orig_gmatch` and
/// `orig_gsub` and has the guarded ones installed in `string`; a Lua driver runs every case
/// through both and compares all results, error messages and replacement-callback arguments.
final class PatternGuardTests: XCTestCase {
    private struct LuaFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static let stepMessage = "pattern too complex (step limit exceeded)"

    /// A state with the standard libraries, Lua's pattern functions saved as `orig_*` and the
    /// guarded ones installed in the `string` table.
    private func makeState() throws -> OpaquePointer {
        let L = try XCTUnwrap(luaL_newstate())
        luaL_openlibs(L)
        _ = try evaluate(L, """
            orig_find, orig_match, orig_gmatch, orig_gsub = string.find, string.match, string.gmatch, string.gsub
            """)
        _ = lua_getglobal(L, "string")
        tally_patterns_install(L, -1)
        lua_settop(L, -2)
        XCTAssertEqual(lua_gettop(L), 0)
        return L
    }

    /// The text of the value at `index` as `tostring` shows it (strings byte for byte).
    private func text(_ L: OpaquePointer, _ index: Int32) -> String {
        var length = 0
        guard let bytes = luaL_tolstring(L, index, &length) else { return "?" }
        let value = String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
        lua_settop(L, -2)
        return value
    }

    /// Runs `source` as a text chunk and returns its results as `tostring` shows them.
    /// Stack: unchanged. Throws the error message if loading or running fails.
    private func evaluate(_ L: OpaquePointer, _ source: String) throws -> [String] {
        let base = lua_gettop(L)
        let bytes = Array(source.utf8)
        let loaded = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                luaL_loadbufferx(L, $0.baseAddress, $0.count, "=test", "t")
            }
        }
        var status = loaded
        if status == LUA_OK {
            status = lua_pcallk(L, 0, LUA_MULTRET, 0, 0, nil)
        }
        if status != LUA_OK {
            let message = text(L, -1)
            lua_settop(L, base)
            throw LuaFailure(description: message)
        }
        let values = (base + 1 ..< lua_gettop(L) + 1).map { text(L, $0) }
        lua_settop(L, base)
        return values
    }

    func testDifferentialAgainstLuaOwnFunctions() throws {
        let L = try makeState()
        defer { lua_close(L) }
        XCTAssertEqual(try evaluate(L, "return string.find ~= orig_find, string.gsub ~= orig_gsub, ('').match == string.match"),
                       ["true", "true", "true"])

        let loaded = Array(Self.driver.utf8).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                luaL_loadbufferx(L, $0.baseAddress, $0.count, "=driver", "t")
            }
        }
        guard loaded == LUA_OK else { return XCTFail("driver does not load: \(text(L, -1))") }
        let status = lua_pcallk(L, 0, 3, 0, 0, nil)
        guard status == LUA_OK else { return XCTFail("driver failed: \(text(L, -1))") }

        let total = lua_tointegerx(L, 1, nil)
        let handwritten = lua_tointegerx(L, 2, nil)
        var mismatches: [String] = []
        let count = lua_rawlen(L, 3)
        if count > 0 {
            for i in 1 ... count {
                _ = lua_rawgeti(L, 3, lua_Integer(i))
                mismatches.append(text(L, -1))
            }
        }
        lua_settop(L, 0)
        // Hand-written cases (every feature, edge cases, malformed patterns, limits), then
        // 1500 seeded random patterns x 4 functions and 300 backtracking-heavy ones x 2.
        XCTAssertEqual(handwritten, 1520)
        XCTAssertEqual(total, 1520 + 1500 * 4 + 300 * 2)
        XCTAssertEqual(mismatches.count, 0, mismatches.prefix(10).joined(separator: "\n"))
    }

    func testGuardedFunctionsReturnLuaResults() throws {
        let L = try makeState()
        defer { lua_close(L) }
        let cases: [(source: String, expected: [String])] = [
            ("return ('hello world'):gsub('o', '0')", ["hell0 w0rld", "2"]),
            ("return ('hello world'):gsub('(%w+) (%w+)', '%2 %1')", ["world hello", "1"]),
            ("return ('hello world'):gsub('%w+', {hello = 'HI'})", ["HI world", "2"]),
            ("return ('abc'):gsub('%w', function(c) if c ~= 'b' then return c:upper() end end)", ["AbC", "3"]),
            ("return ('abc'):gsub('', '-')", ["-a-b-c-", "4"]),
            ("return ('abc'):gsub('b*', '-')", ["-a-c-", "3"]),
            ("return ('hello'):gsub('l', 'L', 1)", ["heLlo", "1"]),
            ("return ('key = value'):match('(%w+)%s*=%s*(%w+)')", ["key", "value"]),
            ("return ('  trim me  '):match('^%s*(.-)%s*$')", ["trim me"]),
            ("return ('hello'):find('l')", ["3", "3"]),
            ("return ('a.b'):find('.', 1, true)", ["2", "2"]),
            ("return ('abc'):find('b', -1)", ["nil"]),
            ("return ('abc'):find('', 10)", ["nil"]),
            ("return ('abc'):find('', 4)", ["4", "3"]),
            ("return ('abc'):find('()(b)()')", ["2", "2", "2", "b", "3"]),
            ("return ('f(a(b)c)d'):match('%b()')", ["(a(b)c)"]),
            ("return ('THE (quick) fox'):find('%f[%a]%a+', 5)", ["6", "10"]),
            ("return ('say \"hi\" now'):match('([\"\\'])(.-)%1')", ["\"", "hi"]),
            ("return ('a\\0b'):match('%z')", ["\0"]),
            ("local t = {} for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, ',')", ["a1,b2"]),
            ("local t = {} for w in ('baaac'):gmatch('a*') do t[#t + 1] = '<' .. w .. '>' end return table.concat(t)", ["<><aaa><>"]),
            ("local t = {} for w in ('abc'):gmatch('.', 2) do t[#t + 1] = w end return table.concat(t)", ["bc"]),
            ("local t = {} for w in ('^a^a'):gmatch('^a') do t[#t + 1] = w end return #t", ["2"]),
            ("return pcall(string.match, 'a', '[a')", ["false", "malformed pattern (missing ']')"]),
            ("return pcall(string.match, 'a', 'a%')", ["false", "malformed pattern (ends with '%')"]),
            ("return pcall(string.match, 'a', '%f')", ["false", "missing '[' after '%f' in pattern"]),
            ("return pcall(string.match, 'a', '(a)%2')", ["false", "invalid capture index %2"]),
            ("return pcall(string.match, 'a', 'a)')", ["false", "invalid pattern capture"]),
            ("return pcall(string.match, 'a', '(a')", ["false", "unfinished capture"]),
            ("return pcall(string.match, 'a', '%b(')", ["false", "malformed pattern (missing arguments to '%b')"]),
            ("return pcall(string.gsub, 'a', 'a', '%x')", ["false", "invalid use of '%' in replacement string"]),
            ("return pcall(string.gsub, 'a', 'a', function() return {} end)", ["false", "invalid replacement value (a table)"]),
            ("return pcall(string.match, ('a'):rep(40), ('(a)'):rep(33))", ["false", "too many captures"]),
            ("return pcall(string.match, ('a'):rep(300), ('a?'):rep(200))", ["false", "pattern too complex"]),
            ("return #string.match(('a'):rep(300), ('a?'):rep(199))", ["199"]),
        ]
        for (source, expected) in cases {
            XCTAssertEqual(try evaluate(L, source), expected, source)
        }
    }

    func testCatastrophicPatternIsStoppedAndStateStaysUsable() throws {
        let L = try makeState()
        defer { lua_close(L) }
        let subject = "local s, p = ('a'):rep(100), ('a+'):rep(6) .. 'b'\n"
        XCTAssertEqual(try evaluate(L, subject + "return pcall(string.match, s, p)"), ["false", Self.stepMessage])
        XCTAssertEqual(try evaluate(L, subject + "return pcall(string.find, s, p)"), ["false", Self.stepMessage])
        XCTAssertEqual(try evaluate(L, subject + "return pcall(string.gsub, s, p, 'x')"), ["false", Self.stepMessage])
        XCTAssertEqual(try evaluate(L, subject + "return pcall(string.gmatch(s, p))"), ["false", Self.stepMessage])
        // Uncaught, through a method call: the error reaches the host with the caller's position.
        XCTAssertThrowsError(try evaluate(L, subject + "return s:match(p)")) { error in
            XCTAssertEqual("\(error)", "test:2: " + Self.stepMessage)
        }
        // The state still works, and so does the next pattern call.
        XCTAssertEqual(try evaluate(L, "return ('key=value'):match('(%w+)=(%w+)')"), ["key", "value"])
        XCTAssertEqual(try evaluate(L, "return ('x'):rep(10000):gsub('x', 'yz'):len()"), ["20000"])
        XCTAssertEqual(lua_gettop(L), 0)
    }

    func testHonestWorkOnLargeSubjectsFitsTheDefaultBudget() throws {
        let L = try makeState()
        defer { lua_close(L) }
        // 1 MB of words, rewritten and trimmed in one call each.
        let setup = "local text = ('alpha beta gamma delta '):rep(50000):sub(1, 1 << 20)\n"
        XCTAssertEqual(try evaluate(L, setup + "local r, n = text:gsub('%w+', 'x') return #text, n, #r"),
                       ["1048576", "182361", "364722"])
        XCTAssertEqual(try evaluate(L, setup + "return #('  ' .. text:sub(1, 102400) .. '  '):match('%s*(.-)%s*$')"),
                       ["102400"])
        XCTAssertEqual(try evaluate(L, setup + "local n = 0 for _ in text:gmatch('%a+') do n = n + 1 end return n"),
                       ["182361"])
    }

    func testStepLimitSetter() throws {
        let L = try makeState()
        defer { lua_close(L) }
        let expensive = "return pcall(string.match, ('a'):rep(100), 'a*b')"
        let iterator = try evaluate(L, "it = ('a'):rep(100):gmatch('a-b') return type(it)")
        XCTAssertEqual(iterator, ["function"])

        tally_patterns_set_step_limit(L, 50)
        XCTAssertEqual(try evaluate(L, expensive), ["false", Self.stepMessage])
        XCTAssertEqual(try evaluate(L, "return pcall(string.gsub, ('a'):rep(100), '%a', '')"), ["false", Self.stepMessage])
        XCTAssertEqual(try evaluate(L, "return pcall(it)"), ["false", Self.stepMessage])
        XCTAssertEqual(try evaluate(L, "return ('abc'):match('b')"), ["b"])
        // Plain searches cost no steps.
        XCTAssertEqual(try evaluate(L, "return ('a'):rep(1000):find('ab', 1, true)"), ["nil"])

        tally_patterns_set_step_limit(L, TALLY_PATTERNS_DEFAULT_STEP_LIMIT)
        XCTAssertEqual(try evaluate(L, expensive), ["true", "nil"])
        XCTAssertEqual(try evaluate(L, "return select('#', it())"), ["0"])

        // A limit of 0 or less means none.
        tally_patterns_set_step_limit(L, 1000)
        let quadratic = "return pcall(string.find, ('a'):rep(200), '.-b')"
        XCTAssertEqual(try evaluate(L, quadratic), ["false", Self.stepMessage])
        tally_patterns_set_step_limit(L, 0)
        XCTAssertEqual(try evaluate(L, quadratic), ["true", "nil"])
    }

    func testStepLimitSetBeforeInstallApplies() throws {
        let L = try XCTUnwrap(luaL_newstate())
        defer { lua_close(L) }
        luaL_openlibs(L)
        tally_patterns_set_step_limit(L, 10)
        _ = lua_getglobal(L, "string")
        tally_patterns_install(L, -1)
        lua_settop(L, -2)
        XCTAssertEqual(try evaluate(L, "return pcall(string.match, ('a'):rep(100), 'a*b')"), ["false", Self.stepMessage])
    }

    /// The differential driver: returns the number of comparisons, how many were hand-written,
    /// and the mismatches (each with both results). It uses no pattern function itself.
    private static let driver = #"""
-- Differential driver: runs every case through Lua's own functions (orig_*) and the guarded
-- ones (string.*) and compares all results, error messages and replacement-callback calls.
-- Uses no pattern function itself. Returns: number of comparisons, list of mismatches.
local orig = { find = orig_find, match = orig_match, gmatch = orig_gmatch, gsub = orig_gsub }
local guarded = { find = string.find, match = string.match, gmatch = string.gmatch, gsub = string.gsub }
local fmt, concat, pack, unpack = string.format, table.concat, table.pack, table.unpack

local function ser(v)
  local t = type(v)
  if t == "string" then return fmt("%q", v) end
  if t == "number" then return math.type(v) .. ":" .. tostring(v) end
  if t == "table" and v.n then
    local parts = {}
    for i = 1, v.n do parts[i] = ser(v[i]) end
    return "(" .. concat(parts, ", ") .. ")"
  end
  if t == "table" then return "table" end
  return tostring(v)
end

-- The replacement functions and tables log what they receive, so calls are compared too.
local log
local replacers = {
  concat = function(...)
    local a = pack(...)
    log[#log + 1] = ser(a)
    local parts = {}
    for i = 1, a.n do parts[i] = tostring(a[i]) end
    return "<" .. concat(parts, "|") .. ">"
  end,
  keep = function(...) log[#log + 1] = ser(pack(...)); return nil end,
  falsy = function(...) log[#log + 1] = ser(pack(...)); return false end,
  number = function(...) log[#log + 1] = ser(pack(...)); return 42 end,
  float = function(...) log[#log + 1] = ser(pack(...)); return 1.5 end,
  bad = function(...) log[#log + 1] = ser(pack(...)); return {} end,
  boolean = function() return true end,
  first = function(a) log[#log + 1] = ser(pack(a)); if a == "b" then return nil end; return tostring(a) .. tostring(a) end,
}
local tables = {
  t1 = { a = "A", b = false, hello = "HI", [1] = "one", [3] = 3 },
  meta = setmetatable({}, { __index = function(_, k) log[#log + 1] = "index " .. ser(k); if k == "x" then return nil end; return "[" .. tostring(k) .. "]" end }),
  bad = { a = {} },
}

local function resolve(args)
  local out = { n = args.n }
  for i = 1, args.n do
    local v = args[i]
    if type(v) == "table" and v.fn then v = replacers[v.fn] elseif type(v) == "table" and v.tbl then v = tables[v.tbl] end
    out[i] = v
  end
  return out
end

-- Calls f on args in protected mode through a local named `fn` in both runs, so argument
-- errors name the same function.
local function run(kind, f, args)
  log = {}
  local fn = f
  local a = resolve(args)
  local ok, res
  if kind == "gmatch" then
    ok, res = pcall(function()
      local it = fn(unpack(a, 1, a.n))
      local rounds = {}
      for _ = 1, 100 do
        local r = pack(it())
        rounds[#rounds + 1] = ser(r)
        if r.n == 0 or r[1] == nil then break end
      end
      local again = pack(it()) -- an exhausted iterator stays exhausted
      rounds[#rounds + 1] = ser(again)
      return concat(rounds, " ")
    end)
  else
    ok, res = pcall(function()
      local r = pack(fn(unpack(a, 1, a.n)))
      return ser(r)
    end)
  end
  return tostring(ok) .. " " .. (ok and res or ser(res)) .. " log=" .. concat(log, ";")
end

local count, mismatches = 0, {}

local function check(kind, ...)
  local args = pack(...)
  local want = run(kind, orig[kind], args)
  local got = run(kind, guarded[kind], args)
  count = count + 1
  if want ~= got then
    mismatches[#mismatches + 1] = kind .. ser(args) .. "\n  lua:     " .. want .. "\n  guarded: " .. got
  end
end

-- Every call kind on a subject/pattern pair.
local function all(s, p)
  check("find", s, p)
  check("match", s, p)
  check("gmatch", s, p)
  check("gsub", s, p, "<%0>")
end

local F = function(name) return { fn = name } end
local T = function(name) return { tbl = name } end

---------------------------------------------------------------------------------------------
-- Hand-written cases
---------------------------------------------------------------------------------------------

-- Character classes and their complements over every byte value.
local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
local allbytes = concat(bytes)
for _, c in ipairs({ "a", "c", "d", "g", "l", "p", "s", "u", "w", "x" }) do
  check("gsub", allbytes, "%" .. c, "")
  check("gsub", allbytes, "%" .. c:upper(), "")
  check("gsub", allbytes, "[%" .. c .. "]+", "#")
  check("gsub", allbytes, "[^%" .. c .. "]", "")
end
check("gsub", allbytes, ".", "x")
check("gsub", allbytes, "%z", "Z") -- the 5.1 class of "\0", still honoured
check("gsub", allbytes, "%Z", "_")
check("gsub", allbytes, "[%z]", "_")
for _, e in ipairs({ "%.", "%%", "%[", "%]", "%(", "%)", "%*", "%+", "%-", "%?", "%^", "%$", "% ", "%\0", "%\255" }) do
  check("gsub", allbytes .. "x", e, "!")
end

all("hello world", "o")
all("hello world", "l+")
all("hello world", "l*")
all("hello world", "l-")
all("hello world", "l?")
all("hello world", "o.")
all("hello world", "(o)(.)")
all("hello world", "%w+")
all("hello world", "%W+")
all("hello world", "%s*")
all("", "")
all("", "a")
all("", ".")
all("", "a*")
all("", "^")
all("", "$")
all("", "^$")
all("", "()")
all("abc", "")
all("abc", "^")
all("abc", "$")
all("abc", "()")
all("abc", "^(.)")
all("abc", "(.)$")
all("abc", "^abc$")
all("abc", "^ab$")
all("a$b", "$b")
all("a$b", "a$")
all("a$", "a$")
all("a$$", "$$")
all("$", "^$$")
all("a^b", "a^b")
all("^a", "^^a")
all("^a^a", "^a")
all("aaa", "^a")
all("aaa", "a-$")
all("aaa", "a-b")
all("baaac", "a+")
all("baaac", "a-c")
all("baaac", "ba*c")
all("baaac", "ba?a?a?a?c")
all("baaac", "b[ac]*")
all("baaac", "b[^c]*")
all("xyz", "x?y?z?w?")
all("one two  three", "%s+")
all("one two  three", "(%a+)")
all("one two  three", "()(%a+)()")
all("key = value", "(%w+)%s*=%s*(%w+)")
all("  trim me  ", "^%s*(.-)%s*$")
all("[[x]]", "%[(.-)%]")
all("a.b.c", "%.")
all("a.b.c", ".")
all("a+b", "a+b")
all("a+b", "a%+b")
all("*", "*")
all("**a", "*+")
all("a*b", "a*b")
all("?", "?")
all("a-b", "a-b")
all("a-b", "-")
all("+-", "[+-]+")
all("a]b", "]")
all("a]b", "[]]")
all("a]b", "[^]]")
all("a^b", "[%^]")
all("a^b", "[b^]")
all("a-z", "[a-]")
all("a-z", "[-a]")
all("abc-", "[a-c]+")
all("abcd", "[a-c-d]+")
all("%a", "[%%a]+")
all("a]b%", "[%]%%]+")
all("AbC1_", "[%u%d_]+")
all("AbC1_", "[^%l]+")
all("abc", "[%a-z]+")
all("a-z", "[%a-z]+")
all("\0a\0b", "%z")
all("\0a\0b", "\0")
all("\0a\0b", "[\0]")
all("\0a\0b", "[^\0]")
all("a\0b", "a%zb")
all("a\0b", "a.b")
all("a\0b", "%c")
all("\0\0\0", "\0+")
all("x\0y\0z", "(%Z+)")
all("f(a(b)c)d", "%b()")
all("f(a(b)c)d", "%b)(")
all("f(a(b)c", "%b()")
all("''x''", "%b''")
all("<a><b>", "%b<>")
all("((x)", "%b()")
all("THE (quick) fox", "%f[%a]%a+")
all("THE (quick) fox", "%f[%A]")
all("THE (quick) fox", "%f[%l]")
all("hello", "%f[%a]")
all("hello", "%f[%z]")
all("hello", "%f[\0]")
all("\1x\1", "%f[\1]")
all("\0x\0", "%f[%Z]")
all("x", "%f[^\1]")
all("a b", "%f[%s]")
all("THE (quick) fox", "%f[%a]")
all("abab", "(ab)%1")
all("abcabc", "(a)(b)(c)%1%2%3")
all("aa bb cd", "(%a)%1")
all("xyx", "(x)(y)%1")
all("\"quoted\" 'x'", "([\"'])(.-)%1")
all("abc", "()b()")
all("abc", "(()b())")
all("abc", "((a)(b))c")
all("abc", "((((((((((a))))))))))")
all("aaa", "()a*()")
all("aaa", "(a*(.)%w(%s*))")
all("date: 2024-01-15", "(%d+)-(%d+)-(%d+)")
all("x = 1, y = 22", "(%w+) = (%d+)")
all("the cat sat", "%f[%w]%w+")
all("hello", "l+$")
all("hello", "h.-l")
all("hello", "h.*l")
all("one;two;;three;", "([^;]*);")
all("a,b,,c", "([^,]*)")
all("caaat", "ca-t")
all("ct", "ca+t")
all("xAy", "%u")
all("tab\tnew\nline", "%s")
all("0x1F", "%x+")
all("café", "[\128-\255]+")
all("café", "%a+")
all("a.b", "%a%.%a")
all(("ab"):rep(50), "(ab)+")
all(("ab"):rep(50), "b")

-- find: init and plain
for _, init in ipairs({ -100, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 100, math.mininteger, math.maxinteger }) do
  check("find", "abc", "", init)
  check("find", "abc", "c", init)
  check("find", "abc", "c", init, true)
  check("find", "abc", "", init, true)
  check("find", "abc", "^", init)
  check("find", "abc", "$", init)
  check("find", "abc", "(.)", init)
  check("match", "abc", ".*", init)
  check("match", "abc", "()", init)
  check("match", "abc", "^(.)", init)
  check("gmatch", "abc", ".", init)
  check("gmatch", "abc", "", init)
  check("gmatch", "abc", "()", init)
end
check("find", "a.b", ".", 1, true)
check("find", "a.b", ".", 1, false)
check("find", "a.b", ".", 1, nil)
check("find", "a.b", ".", 1, 0)
check("find", "a+b", "a+b", 1, true)
check("find", "a(b", "(", 1, true)
check("find", "a(b", "(")
check("find", "a)b", ")")
check("find", "a)b", "a)")
check("match", "a)b", "a)")
check("find", "a]b", "]")
check("find", "a%b", "%", 1, true)
check("find", "a%b", "%")
check("find", "abcabc", "bc", 3, true)
check("find", "abcabc", "bc", -3, true)
check("find", "abcabc", "abcabcd", 1, true)
check("find", "a\0b\0c", "\0c", 1, true)
check("find", "a\0b\0c", "b\0")
check("find", "aaaaab", "aab")
check("find", "", "", 1, true)
check("find", "", "", 2, true)
check("find", "", "a", 1, true)
check("find", "abc", "b", 1.0)
check("find", "abc", "b", "2")
check("find", "abc", "b", 1.5)
check("find", "abc", "b", "x")
check("find", 12345, 3)
check("find", 12345, "3", -2)
check("match", 3.5, "%.")
check("gsub", 12345, "3", 9)
check("gsub", 12345, "9", "x")
check("find", nil, "a")
check("find", "a", nil)
check("find", {}, "a")
check("match", "a")
check("gmatch", "a")
check("gmatch", nil, "a")
check("gsub", "a", "a")
check("gsub", "a", "a", true)
check("gsub", "a", "a", nil)
check("gsub", "a", "a", nil, "x")
check("gsub", "a", "a", "b", "x")
check("gsub", "a", "a", "b", 1.5)
check("gsub", "a", "a", "b", "1")

-- gsub: string replacements
local s = "hello world from Lua"
for _, r in ipairs({ "", "x", "%0", "%1", "<%0>", "%%", "100%%", "%1%1", "[%0|%1]", "%a", "%", "a%", "%2", "%9", "%z", "%\0", "\0", "%%%0%%" }) do
  check("gsub", s, "%w+", r)
  check("gsub", s, "(%w+)", r)
  check("gsub", s, "(%w)(%w*)", r)
  check("gsub", s, "()%w+", r)
  check("gsub", "", "", r)
  check("gsub", "abc", "", r)
end
check("gsub", s, "(%w+) (%w+)", "%2 %1")
check("gsub", s, "(%w+)", "%1 %1", 2)
check("gsub", s, "o", "0", 0)
check("gsub", s, "o", "0", -1)
check("gsub", s, "o", "0", 1)
check("gsub", s, "o", "0", 2)
check("gsub", s, "o", "0", 100)
check("gsub", s, "o", "0", math.maxinteger)
check("gsub", s, "o", "0", math.mininteger)
check("gsub", s, "", "-")
check("gsub", s, "", "-", 3)
check("gsub", s, "x*", "-")
check("gsub", s, "%w*", "-")
check("gsub", s, "%w-", "-")
check("gsub", s, "()", "%1")
check("gsub", s, "^", ">")
check("gsub", s, "$", "<")
check("gsub", s, "^h", "H")
check("gsub", s, "^x", "H")
check("gsub", s, "^%w+", "X")
check("gsub", s, "^(%w+)", "%1%1")
check("gsub", s, "^", "")
check("gsub", s, "^$", "E")
check("gsub", "", "^$", "E")
check("gsub", "", "^", "E")
check("gsub", "abc", "%w", "%1", 2)
check("gsub", "abc", "%w", 7)
check("gsub", "abc", "%w", 1.25)
check("gsub", "abc", "b", "%0%0%0")
check("gsub", "abc", "(b)", "%2")
check("gsub", "abc", "(b)()", "%2")
check("gsub", "abc", "(b", "x")
check("gsub", "abc", "(b", "%1")
check("gsub", "abc", "(b", F("concat"))
check("gsub", "abc", "(b", T("t1"))
check("gsub", "abc", "b)", "x")
check("gsub", "a\0b\0c", "\0", "%%0")
check("gsub", "a\0b\0c", "%z", "Z")
check("gsub", "a\0b\0c", ".", "%0%0")
check("gsub", "abc", ".", "\0%0")
-- gsub: function and table replacements
for _, p in ipairs({ "%w+", "(%w+)", "(%w)(%w*)", "()(%w+)()", "", "%s*", "(h)(e)(l)(l)(o)", "x", "^(%w+)", "(o)" }) do
  for _, fname in ipairs({ "concat", "keep", "falsy", "number", "float", "bad", "boolean", "first" }) do
    check("gsub", s, p, F(fname))
  end
  for _, tname in ipairs({ "t1", "meta", "bad" }) do
    check("gsub", s, p, T(tname))
  end
  check("gsub", s, p, F("concat"), 2)
end
check("gsub", "a b a", "%w", T("t1"))
check("gsub", "a b c", "%w", T("t1"))
check("gsub", "a b c x", "%w", T("meta"))
check("gsub", "a b c", "(%w)", T("bad"))
check("gsub", "abc", "()", T("t1"))
check("gsub", "abc", "()", F("concat"))
check("gsub", "abc", "b", F("first"))
check("gsub", "abab", "(a)(b)", F("first"))

-- gmatch loops (empty matches and the lastmatch rule)
for _, p in ipairs({ "a*", "a-", "a?", "", "()", "b*", "%w*", "(a*)", "()a*()", "x*$", "^", "$", "a*$", "[^,]*", "(%w+)=(%w+)", ".-", ".-b", "%f[%w]", "%f[%W]" }) do
  check("gmatch", "baaac", p)
  check("gmatch", "", p)
  check("gmatch", "a,,b,c,", p)
  check("gmatch", "k1=v1, k2=v2", p)
  check("gsub", "baaac", p, "-")
  check("gsub", "a,,b,c,", p, "<%0>")
end
check("gmatch", "abc", ".", 2)
check("gmatch", "abc", ".", -1)
check("gmatch", "abc", ".", 4)
check("gmatch", "abc", ".", 5)
check("gmatch", "abc", "", 4)
check("gmatch", "abc", "", 5)
check("gmatch", "abc", "()", -10)
check("gmatch", "abc", ".", 0)
check("gmatch", "abc", ".", "x")
check("gmatch", "abc", "(", 1)
check("gmatch", "abc", "%", 1)
check("gmatch", "abc", "[a", 1)

-- Malformed patterns and their messages
local malformed = {
  "%", "a%", "[", "[a", "[^", "[^a", "[]", "[^]", "[%]", "[a%", "[a-", "%b", "%ba", "%f", "%fa",
  "%f", "%f[", "%f[a", "(", "(()", ")", "a)", "(a))", "%1", "(a)%2", "(a%1)", "%0", "()%1",
  "(a)%9", "((a)%2)", "%b(", "x%b", "[[]", "[]]", "[]", "%f[]", "%f[]]", "(%b)", "%g%",
  "[%", "[%a", "a[", "a(", "(a", "((a)", "(()()", "())", "%f[%", "*(", "a*)",
}
for _, p in ipairs(malformed) do
  check("find", "abc (a) a%b]", p)
  check("match", "abc (a) a%b]", p)
  check("gmatch", "abc (a) a%b]", p)
  check("gsub", "abc (a) a%b]", p, "x")
  check("gsub", "", p, "x")
end

-- Capture limits and recursion depth
check("match", ("a"):rep(40), ("(a)"):rep(32))
check("match", ("a"):rep(40), ("(a)"):rep(33))
check("match", ("a"):rep(40), ("()"):rep(32))
check("match", ("a"):rep(40), ("()"):rep(33))
check("find", ("a"):rep(40), ("(a)"):rep(32))
check("gsub", ("a"):rep(40), ("(a)"):rep(32), F("concat"))
check("gsub", ("a"):rep(40), ("(a)"):rep(33), "x")
for _, k in ipairs({ 150, 197, 198, 199, 200, 201, 250 }) do
  check("match", ("a"):rep(300), ("a?"):rep(k))
  check("match", ("a"):rep(300), ("a*"):rep(k))
  check("match", ("a"):rep(300), ("a-"):rep(k) .. "$")
  check("find", ("a"):rep(k), ("(a"):rep(32))
  check("match", ("a"):rep(300), ("()a"):rep(math.min(k, 32)))
end
check("match", ("x"):rep(10000), ".-$")
check("match", ("x"):rep(10000), "(x*)$")
check("gsub", ("x"):rep(10000), "x", "y")
check("match", ("a"):rep(5000), ("a?"):rep(100) .. ("a"):rep(100))

---------------------------------------------------------------------------------------------
-- Seeded random patterns over a small alphabet
---------------------------------------------------------------------------------------------
local handwritten = count
math.randomseed(20240601)
local atoms = { "a", "b", "c", ".", "%a", "%A", "%d", "%s", "%w", "%p", "[ab]", "[^a]", "[a-c]", "[%a%d]",
  "[]a]", "[^]b]", "[a-]", "%.", "%%", "(", ")", "()", "%1", "%2", "%b()", "%bab", "%f[a]", "%f[%s]", "%f[^a]",
  "$", "^", "-", "*", "+", "?", " ", "(a)", "(.-)", "(%a+)", "\0", "[\0a]", "%z" }
local quants = { "", "", "", "*", "+", "-", "?" }
local letters = { "a", "b", "c", "a", "b", " ", "(", ")", "1", "\0", "A", "%", "." }
local function random_pattern()
  local parts = {}
  for i = 1, math.random(1, 6) do
    parts[i] = atoms[math.random(#atoms)] .. quants[math.random(#quants)]
  end
  return concat(parts)
end
local function random_subject()
  local parts = {}
  for i = 1, math.random(0, 12) do parts[i] = letters[math.random(#letters)] end
  return concat(parts)
end
local reps = { "<%0>", "%1", "%2", "x", "", "%%", F("concat"), T("t1") }
for _ = 1, 1500 do
  local p, subj = random_pattern(), random_subject()
  local init = math.random(-14, 14)
  check("find", subj, p, init)
  check("match", subj, p)
  check("gmatch", subj, p)
  check("gsub", subj, p, reps[math.random(#reps)], math.random(-1, 4))
end
-- random subjects over a larger space but with well-formed, backtracking-heavy patterns
for _ = 1, 300 do
  local subj = random_subject() .. random_subject()
  local p = (math.random() < 0.5 and "^" or "") .. ("(a*)"):rep(math.random(0, 2)) .. random_pattern() .. (math.random() < 0.3 and "$" or "")
  check("find", subj, p)
  check("gsub", subj, p, "[%0]")
end

return count, handwritten, mismatches
"""#
}
