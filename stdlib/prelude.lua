-- The rule DSL of Tally (SPEC §3–§4): settings, goal, outcome, experiment, the matchers and the
-- goal-metric constructors. Loaded once per VM as trusted code; rule files see what it exports,
-- read-only. Declarations are checked here, where error(message, level) can name the rule
-- file's line, and recorded for the host to compile; cross-file checks (duplicate ids, goal
-- references) happen in the host once every file has loaded.

local host = ...

local type, pairs, ipairs, error, tostring, setmetatable = type, pairs, ipairs, error, tostring, setmetatable
local format = string.format

--- Every declaration in load order: { kind = ..., id = ..., spec = ..., file = ..., line = ... }.
local declarations = {}

--- Records a declaration made by the rule-file code `level` calls above this function.
local function record(kind, id, spec, level)
  local file, line = host.position(level + 1)
  declarations[#declarations + 1] = { kind = kind, id = id, spec = spec, file = file, line = line }
end

--- How a wrong value is shown in an error message.
local function describe(value)
  local kind = type(value)
  if kind == "string" then return format("%q", value) end
  if kind == "number" or kind == "boolean" then return tostring(value) end
  return "a " .. kind
end

local function fail(message, level)
  error(message, level + 1)
end

--- Fails about field `key` of the table given to `site.callee` (with `site.id`; inside its field
--- `site.field` when set) at the key's own line when the host finds it in the rule file's text,
--- else at the declaration's line. `level` as in fail.
local function fail_field(message, level, site, key)
  local chunk, line = host.field_line(level + 1, site.callee, site.id, site.field, key)
  if chunk then error(chunk .. ":" .. line .. ": " .. message, 0) end
  fail(message, level + 1)
end

--- The edit distance between two strings: insertions, deletions, substitutions and swaps of
--- neighbouring bytes count 1 each.
local function distance(a, b)
  local before, previous = {}, {}
  for j = 0, #b do previous[j] = j end
  for i = 1, #a do
    local current = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local best = math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        best = math.min(best, before[j - 2] + 1)
      end
      current[j] = best
    end
    before, previous = previous, current
  end
  return previous[#b]
end

--- " (did you mean 'x'?)" for the known field nearest to `key`, or the list of known fields
--- when none is near.
local function suggestion(key, schema)
  local names = {}
  for name in pairs(schema) do
    if type(name) == "string" then names[#names + 1] = name end
  end
  table.sort(names)
  local nearest, nearest_distance = nil, math.huge
  for _, name in ipairs(names) do
    local d = distance(key:lower(), name)
    if d < nearest_distance then nearest, nearest_distance = name, d end
  end
  if nearest and nearest_distance <= math.max(1, math.min(2, #key // 2)) then
    return format(" (did you mean '%s'?)", nearest)
  end
  return " (known fields: " .. table.concat(names, ", ") .. ")"
end

-- Matchers --------------------------------------------------------------------------------

--- Matches strings that start with `text`.
---@param text string
local function prefix(text)
  if type(text) ~= "string" then fail("prefix expects a string, got " .. type(text), 2) end
  return { __matcher = "prefix", value = text }
end

--- Matches strings in which the POSIX extended regular expression `pattern` is found.
---@param pattern string
local function regex(pattern)
  if type(pattern) ~= "string" then fail("regex expects a string, got " .. type(pattern), 2) end
  return { __matcher = "regex", value = pattern }
end

--- In a `where` table: the field must not equal `value`.
---@param value string|number|boolean
local function not_equal(value)
  local kind = type(value)
  if kind ~= "string" and kind ~= "number" and kind ~= "boolean" then
    fail("not_equal expects a string, number or boolean, got " .. kind, 2)
  end
  return { __not_equal = value }
end

-- Checking declarations ---------------------------------------------------------------------

local function is_matcher(value)
  local kind = type(value)
  if kind == "string" then return true end
  if kind ~= "table" then return false end
  if value.__matcher then return true end
  local count = 0
  for key, item in pairs(value) do
    if type(key) ~= "number" or type(item) ~= "string" then return false end
    count = count + 1
  end
  return count > 0 and count == #value
end

local function is_where(value)
  local kind = type(value)
  if kind == "function" then return true end
  if kind ~= "table" then return false end
  for key, item in pairs(value) do
    if type(key) ~= "string" then return false end
    local item_kind = type(item)
    if item_kind == "table" then
      if item.__not_equal == nil then return false end
    elseif item_kind ~= "string" and item_kind ~= "number" and item_kind ~= "boolean" then
      return false
    end
  end
  return true
end

local function one_of(...)
  local allowed = { ... }
  local description = '"' .. table.concat(allowed, '", "') .. '"'
  return function(value)
    for _, option in ipairs(allowed) do
      if value == option then return true end
    end
    return false
  end, "one of " .. description
end

local field_types = {
  string = { function(v) return type(v) == "string" end, "a string" },
  number = { function(v) return type(v) == "number" end, "a number" },
  boolean = { function(v) return type(v) == "boolean" end, "a boolean" },
  ["function"] = { function(v) return type(v) == "function" end, "a function" },
  table = { function(v) return type(v) == "table" end, "a table" },
  number_or_function = {
    function(v) return type(v) == "number" or type(v) == "function" end, "a number or a function" },
  matcher = { is_matcher, 'a string, a list of strings, prefix "..." or regex "..."' },
  where = { is_where, "a table of field = value (or not_equal(value)) or a function(e, guest)" },
}

--- Checks `spec` against `schema` (field -> type name or {check, description}). `site` says
--- where the table is written (see fail_field), so that a wrong field names its own line.
local function check(what, spec, schema, level, site)
  if type(spec) ~= "table" then
    fail(format("%s: expected a table of settings, got %s", what, type(spec)), level + 1)
  end
  for key, value in pairs(spec) do
    if type(key) ~= "string" or key:sub(1, 2) == "__" then
      if type(key) ~= "number" or schema[1] == nil then
        fail(format("%s: unexpected entry %s", what, tostring(key)), level + 1)
      end
    else
      local expected = schema[key]
      if expected == nil then
        fail_field(format("%s: unknown field '%s'", what, key) .. suggestion(key, schema), level + 1, site, key)
      end
      local validator = type(expected) == "string" and field_types[expected] or expected
      if not validator[1](value) then
        fail_field(format("%s: field '%s' must be %s, got %s", what, key, validator[2], describe(value)),
          level + 1, site, key)
      end
    end
  end
end

local function check_id(kind, id, level)
  if type(id) ~= "string" or id == "" then
    fail(format('%s: the id must be a non-empty string, as in %s "my_id" { ... }', kind, kind), level + 1)
  end
end

-- settings ----------------------------------------------------------------------------------

local settings_schema = { session_timeout = "string", allowed_lateness = "string", currency = "string" }
local settings_seen = false

--- Engine settings; may appear in any one file.
---@param spec table { session_timeout = "30m", allowed_lateness = "5m", currency = "USD" }
local function settings(spec)
  check("settings", spec, settings_schema, 2, { callee = "settings" })
  if settings_seen then fail("settings: declared more than once", 2) end
  settings_seen = true
  record("settings", "settings", spec, 2)
end

-- goal ----------------------------------------------------------------------------------------

local goal_schema = {
  name = "string", on = "matcher", page = "matcher", where = "where",
  points = "number_or_function", count = { one_of("every", "session", "guest") },
}

--- Declares a goal: an activity worth engagement value points.
---@param id string unique id
---@return fun(spec: table)
local function goal(id)
  check_id("goal", id, 2)
  return function(spec)
    check(format("goal '%s'", id), spec, goal_schema, 2, { callee = "goal", id = id })
    record("goal", id, spec, 2)
  end
end

-- outcome -------------------------------------------------------------------------------------

local outcome_schema = {
  name = "string", group = "string", on = "matcher", page = "matcher", where = "where",
  when = "function", value = "number_or_function", currency = "string", once = "boolean",
}

--- Declares an outcome: a business result with a monetary value, in an outcome group.
---@param id string unique id
---@return fun(spec: table)
local function outcome(id)
  check_id("outcome", id, 2)
  return function(spec)
    local what = format("outcome '%s'", id)
    check(what, spec, outcome_schema, 2, { callee = "outcome", id = id })
    if spec.on == nil and spec.page == nil and spec.where == nil and spec.when == nil then
      fail(what .. ": needs a trigger (on, page, where or when)", 2)
    end
    record("outcome", id, spec, 2)
  end
end

-- goal metrics --------------------------------------------------------------------------------

local common_metric_fields = { id = "string", name = "string", direction = { one_of("increase", "decrease") } }

--- The metric constructors, as the host declares them (`MetricKind` in Swift): name -> extra
--- fields, the allowed `per` values (none: `per` is not a field) and the required field with
--- its description.
local metric_kinds = host.metric_kinds

local metric_constructors = {}
for kind, definition in pairs(metric_kinds) do
  local schema = {}
  for field, expected in pairs(common_metric_fields) do schema[field] = expected end
  for field, expected in pairs(definition.fields) do schema[field] = expected end
  if definition.per then schema.per = { one_of(table.unpack(definition.per)) } end

  metric_constructors[kind] = function(spec)
    spec = spec or {}
    check(kind, spec, schema, 2, { callee = kind })
    local required = definition.required
    if required and spec[required[1]] == nil then
      fail(format("%s: field '%s' (%s) is required", kind, required[1], required[2]), 2)
    end
    local file, line = host.position(2)
    return { __metric = kind, spec = spec, file = file, line = line }
  end
end

-- experiment ----------------------------------------------------------------------------------

local function is_variants(value)
  if type(value) ~= "table" or #value < 2 then return false end
  for index, variant in pairs(value) do
    if type(index) ~= "number" then return false end
    if type(variant) == "table" then
      if type(variant.id) ~= "string" or (variant.weight ~= nil and type(variant.weight) ~= "number") then
        return false
      end
    elseif type(variant) ~= "string" then
      return false
    end
  end
  return true
end

local function is_metric_list(value)
  if type(value) ~= "table" or #value < 1 then return false end
  for index, metric in pairs(value) do
    if type(index) ~= "number" or type(metric) ~= "table" or metric.__metric == nil then return false end
  end
  return true
end

local sample_schema = { base_rate = "number", mde = "number", confidence = "number", power = "number" }
local eligible_schema = { on = "matcher", page = "matcher", where = "where" }

local experiment_schema = {
  name = "string",
  variants = { is_variants, 'a list of at least two variants: "id" or { id = "id", weight = n }' },
  control = "string",
  assign = { one_of("events", "hash") },
  traffic = "number",
  eligible = "table",
  goals = { is_metric_list, "a list of goal metrics such as conversion_rate { ... }" },
  sample = "table",
  method = { one_of("fixed", "sequential", "bayesian") },
  sequential_n = "number",
  on_conclusive = { one_of("promote_winner", "revert_to_control", "complete") },
  on_inconclusive = { one_of("keep_running", "revert_to_control", "complete") },
}

--- Declares an A/B/n experiment; the first of its goals is the primary goal.
---@param id string unique id
---@return fun(spec: table)
local function experiment(id)
  check_id("experiment", id, 2)
  return function(spec)
    local what = format("experiment '%s'", id)
    check(what, spec, experiment_schema, 2, { callee = "experiment", id = id })
    if spec.variants == nil then fail(what .. ": field 'variants' is required", 2) end
    if spec.goals == nil then fail(what .. ": field 'goals' is required", 2) end
    if spec.sample ~= nil then
      check(what .. " sample", spec.sample, sample_schema, 2, { callee = "experiment", id = id, field = "sample" })
    end
    if spec.eligible ~= nil then
      check(what .. " eligible", spec.eligible, eligible_schema, 2, { callee = "experiment", id = id, field = "eligible" })
    end
    record("experiment", id, spec, 2)
  end
end

-- exports -----------------------------------------------------------------------------------

local exports = {
  settings = settings, goal = goal, outcome = outcome, experiment = experiment,
  prefix = prefix, regex = regex, not_equal = not_equal,
}
for kind, constructor in pairs(metric_constructors) do exports[kind] = constructor end

return exports, declarations
