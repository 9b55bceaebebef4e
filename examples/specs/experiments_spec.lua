-- experiments_spec.lua: exposure and per-variant figures of examples/rules/experiments.lua.
--
-- `units` are guests for per-guest goals and sessions (or eligible sessions, or orders) for the
-- others; `totals` are the numerator sums; `means` = totals / units. Only events after a
-- guest's exposure count, and never the event that exposes it.

--- An EXPOSURE to a variant of the checkout test.
---@param guest string the guest id
---@param ts number milliseconds since the epoch
---@param variant string "control" or "one_page"
---@return table
local function exposure(guest, ts, variant)
  return { type = "EXPOSURE", guest = guest, ts = ts, experiment = "checkout", variant = variant }
end

--- A page view.
---@param guest string the guest id
---@param ts number milliseconds since the epoch
---@param page string the page path
---@return table
local function view(guest, ts, page)
  return { type = "VIEW", guest = guest, ts = ts, page = page }
end

--- An order confirmation on /checkout.
---@param guest string the guest id
---@param ts number milliseconds since the epoch
---@param sku string "basic", "pro" or "enterprise"
---@param revenue number the order's revenue in USD
---@return table
local function order(guest, ts, sku, revenue)
  return { type = "CONFIRM", guest = guest, ts = ts, page = "/checkout", sku = sku, revenue = revenue }
end

spec "checkout: the first EXPOSURE fixes a guest's variant" {
  events = {
    exposure("g1", 0, "control"),
    exposure("g1", seconds(10), "one_page"),      -- another variant: a multiple exposure
    exposure("g1", seconds(20), "control"),       -- the same again: nothing
    exposure("g2", 0, "one_page"),
    { type = "exposure", guest = "g3", ts = 0, experiment = "checkout", variant = "one_page" },
    exposure("g4", 0, "two_page"),                -- not a variant: rejected, changes nothing
  },
  expect = {
    rejected = 1, accepted = 5, guests = 3,
    experiments = {
      checkout = { exposed = { control = 1, one_page = 2 }, multiple_exposures = 1 },
      pricing_page_copy = { exposed = { control = 0, value_first = 0, social_proof = 0 } },
    },
    profiles = { g1 = { experiments = { checkout = "control", pricing_page_copy = false } } },
  },
}

spec "checkout: orders, revenue, bounces and exits after the exposure count per variant" {
  events = {
    -- g1, control: an order before the exposure does not count; one after it does
    view("g1", 0, "/"),
    order("g1", seconds(10), "basic", 100),
    exposure("g1", seconds(20), "control"),
    view("g1", seconds(30), "/checkout"),         -- the session's only view after the exposure
    order("g1", seconds(40), "basic", 490),
    -- g2, one_page: bounces off /checkout, comes back the next day and orders twice
    exposure("g2", 0, "one_page"),
    view("g2", seconds(10), "/checkout"),
    view("g2", days(1), "/checkout"),
    order("g2", days(1) + seconds(10), "pro", 1250),
    order("g2", days(1) + seconds(20), "pro", 750),
    view("g2", days(1) + seconds(30), "/thank-you"),
    -- g3, one_page: exposed, then gone
    exposure("g3", 0, "one_page"),
  },
  expect = {
    sessions = 4,
    experiments = {
      checkout = {
        status = "collecting", winner = false, leading = "control", action = false,
        exposed = { control = 1, one_page = 2 },
        units = {
          orders = { control = 1, one_page = 2 },                 -- exposed guests
          revenue_per_session = { control = 1, one_page = 3 },    -- sessions from the exposure on
          average_order_value = { control = 1, one_page = 2 },    -- orders
          checkout_bounce = { control = 1, one_page = 2 },        -- sessions whose first view is /checkout
          checkout_exit = { control = 1, one_page = 2 },          -- sessions that view /checkout
        },
        totals = {
          orders = { control = 1, one_page = 1 },
          revenue_per_session = { control = 490, one_page = 2000 },
          average_order_value = { control = 490, one_page = 2000 },
          checkout_bounce = { control = 1, one_page = 1 },
          checkout_exit = { control = 1, one_page = 1 },
        },
        means = {
          orders = { control = 1, one_page = 0.5 },
          average_order_value = { control = 490, one_page = 1000 },
        },
        guests = { average_order_value = { control = 1, one_page = 1 } },   -- guests with an order
      },
    },
  },
}

-- pricing_page_copy assigns guests by GrowthBook's hash on their first /pricing event, with
-- 90% traffic: "ana" and "dev" get control, "ben" value_first, "finn" social_proof, and
-- "kai" stays out (the same ids give the same variants in a GrowthBook SDK).
spec "pricing_page_copy: hash assignment on the first /pricing event" {
  events = {
    view("ana", 0, "/"),                          -- not eligible yet
    view("ana", seconds(10), "/pricing"),         -- assigned here; this event does not count
    { type = "FORM", guest = "ana", ts = seconds(20), page = "/pricing", form = "pricing", company_size = "1-10" },
    view("ana", seconds(30), "/checkout"),
    -- dev is assigned by his pricing request itself, so it does not count
    { type = "FORM", guest = "dev", ts = 0, page = "/pricing", form = "pricing", company_size = "1-10" },
    view("ben", 0, "/pricing"),
    { type = "FORM", guest = "ben", ts = seconds(20), page = "/pricing", form = "pricing", company_size = "51-200" },
    { type = "VIDEO", guest = "ben", ts = seconds(40), page = "/demo", video = "product-demo", percent = 100 },
    { type = "VIDEO", guest = "ben", ts = seconds(50), page = "/demo", video = "product-demo", percent = 100 },
    view("finn", 0, "/pricing"),
    view("kai", 0, "/pricing"),
    { type = "FORM", guest = "kai", ts = seconds(20), page = "/pricing", form = "pricing", company_size = "1-10" },
  },
  expect = {
    experiments = {
      pricing_page_copy = {
        status = "collecting",
        exposed = { control = 2, value_first = 1, social_proof = 1 },
        units = {
          pricing_requests = { control = 2, value_first = 1, social_proof = 1 },
          engagement = { control = 2, value_first = 1, social_proof = 1 },
        },
        totals = {
          pricing_requests = { control = 1, value_first = 1, social_proof = 0 },
          reached_checkout = { control = 1, value_first = 0, social_proof = 0 },
          engagement = { control = 20, value_first = 45, social_proof = 0 },   -- points after the exposure
          demo_completions = { control = 0, value_first = 2, social_proof = 0 },
        },
      },
      checkout = { exposed = { control = 0, one_page = 0 } },
    },
    profiles = {
      ana = { experiments = { pricing_page_copy = "control" } },
      dev = { experiments = { pricing_page_copy = "control" } },
      ben = { experiments = { pricing_page_copy = "value_first" } },
      finn = { experiments = { pricing_page_copy = "social_proof" } },
      kai = { experiments = { pricing_page_copy = false } },
    },
  },
}
