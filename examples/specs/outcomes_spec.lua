-- outcomes_spec.lua: the outcomes of examples/rules/outcomes.lua, their values and groups.
--
-- `when` triggers run after all goals of an event, so an event that lifts a guest past a
-- threshold reaches the outcome on that very event. Outcomes are reached once per guest
-- unless `once = false`.

--- A pricing request from a company of `size` employees, as the site sends it.
---@param guest string the guest id
---@param ts number milliseconds since the epoch
---@param size string company_size, e.g. "1-10"
---@return table
local function pricing_request(guest, ts, size)
  return { type = "FORM", guest = guest, ts = ts, page = "/pricing", form = "pricing", company_size = size }
end

--- An order confirmation; `revenue` may be nil.
---@param guest string the guest id
---@param ts number milliseconds since the epoch
---@param sku string "basic", "pro" or "enterprise"
---@param revenue number|nil the order's revenue in USD
---@return table
local function order(guest, ts, sku, revenue)
  return { type = "CONFIRM", guest = guest, ts = ts, page = "/checkout", sku = sku, revenue = revenue }
end

spec "an engaged visitor at 20 points, a marketing qualified lead at 50, once each" {
  events = {
    { type = "FORM", guest = "g1", ts = 0, page = "/blog/sample-size", form = "newsletter" },  -- 10 points
    pricing_request("g1", minutes(1), "1-10"),      -- 30 points: engaged visitor
    pricing_request("g1", minutes(2), "11-50"),     -- 60 points: marketing qualified lead
    pricing_request("g1", minutes(3), "11-50"),     -- 90 points: nothing new
  },
  expect = {
    points = { g1 = 90 },
    outcomes = {
      engaged_visitor = { reached = 1, guests = 1, value = 20 },
      mql = { reached = 1, guests = 1, value = 250 },
      sql = 0,
    },
    outcome_groups = { ["Lead lifecycle"] = { guests = 1, value = 270 } },
    profiles = { g1 = { outcomes = { engaged_visitor = true, mql = true, sql = false } } },
  },
}

spec "a sales qualified lead has requested pricing and watched the demo, in any order" {
  events = {
    { type = "VIDEO", guest = "g1", ts = 0, page = "/demo", video = "product-demo", percent = 75 },  -- 15 points
    pricing_request("g1", minutes(5), "1-10"),      -- 35 points: engaged visitor and sales qualified lead
    pricing_request("g2", 0, "1-10"),               -- 20 points: engaged visitor only
  },
  expect = {
    points = { g1 = 35, g2 = 20 },
    outcomes = {
      engaged_visitor = { reached = 2, guests = 2, value = 40 },
      mql = 0,
      sql = { reached = 1, guests = 1, value = 1000 },
    },
    outcome_groups = { ["Lead lifecycle"] = { guests = 2, value = 1040 } },
    profiles = { g1 = { outcomes = { sql = true } }, g2 = { outcomes = { sql = false } } },
  },
}

spec "every order is a purchase outcome worth its revenue" {
  events = {
    order("g1", 0, "basic", 490),                   -- 34 points: engaged visitor
    order("g1", days(1), "basic", 490.25),          -- 68 points: marketing qualified lead
    order("g2", 0, "enterprise", 12000),            -- 220 points: engaged visitor and MQL at once
    order("g3", 0, "pro"),                          -- no revenue: worth 0; 60 points: engaged visitor and MQL
  },
  expect = {
    outcomes = {
      purchased_basic = { reached = 2, guests = 1, value = 980.25 },
      purchased_pro = { reached = 1, guests = 1, value = 0 },
      purchased_enterprise = { reached = 1, guests = 1, value = 12000 },
      engaged_visitor = { reached = 3, value = 60 },
      mql = { reached = 3, value = 750 },
    },
    outcome_groups = {
      Purchased = { guests = 3, value = 12980.25 },
      ["Lead lifecycle"] = { guests = 3, value = 810 },
    },
    counters = { revenue_usd = 12980.25, orders_basic = 2, orders_pro = 1, orders_enterprise = 1 },
  },
}

spec "an order of an unknown plan is no purchase" {
  events = { order("g1", 0, "free", 0), order("g1", minutes(1), "PRO", 100) },   -- sku is case-sensitive
  expect = {
    outcomes = { purchased_basic = 0, purchased_pro = 0, purchased_enterprise = 0 },
    outcome_groups = { Purchased = 0 },
    counters = { revenue_usd = 0 },
  },
}
