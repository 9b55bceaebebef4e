-- experiments.lua: A/B/n tests and the goals that judge them.
--
-- The first goal is the primary one: it decides the status (collecting, winner, inconclusive)
-- once every variant has `required_units` (from `sample`). The others are secondary goals,
-- reported with the same statistics. Only events after a guest's exposure count.

-- The checkout team's test. The site decides the variant and says so with an EXPOSURE event
-- ({"type": "EXPOSURE", "experiment": "checkout", "variant": "one_page", ...}) before the guest
-- sees /checkout; Tally takes the guest's first exposure as its variant.
experiment "checkout" {
  name = "One-page checkout",
  variants = { "control", "one_page" },          -- plain strings: weight 1 each
  control = "control",
  assign = "events",
  goals = {
    -- primary: the share of exposed guests who place an order
    conversion_rate { id = "orders", name = "Conversion rate", on = "CONFIRM", per = "guest" },
    revenue { id = "revenue_per_session", name = "Revenue per session", on = "CONFIRM", per = "session" },
    revenue { id = "average_order_value", name = "Average order value", on = "CONFIRM", per = "order" },
    -- sessions that start on /checkout and leave at once (lower is better)
    bounce_rate { id = "checkout_bounce", name = "Checkout bounce rate", page = "/checkout" },
    -- sessions that view /checkout and end there (lower is better)
    exit_rate { id = "checkout_exit", name = "Checkout exit rate", page = "/checkout" },
  },
  -- about 40% of exposed guests buy; detect a 10% relative change with 80% power
  sample = { base_rate = 0.40, mde = 0.10, confidence = 0.95, power = 0.80 },
  method = "fixed",                              -- a fixed-horizon Welch t-test
  on_conclusive = "promote_winner",
  on_inconclusive = "keep_running",
}

-- The marketing team's test. Tally assigns guests itself, on their first event that matches
-- `eligible`, with GrowthBook's hash (seed = the experiment id), so a GrowthBook SDK showing
-- the page copy gives every guest the same variant. `traffic = 0.9` keeps 10% of guests out.
experiment "pricing_page_copy" {
  name = "Pricing page copy",
  variants = {
    { id = "control", weight = 1 },
    { id = "value_first", weight = 1 },
    { id = "social_proof", weight = 1 },
  },
  assign = "hash", traffic = 0.9, eligible = { page = "/pricing" },
  goals = {
    goal_rate { id = "pricing_requests", name = "Requested pricing", goal = "request_pricing" },
    page_view { id = "reached_checkout", name = "Went to checkout", page = "/checkout", per = "guest" },
    engagement_value { id = "engagement", name = "Engagement value" },
    custom {
      id = "demo_completions", name = "Demo videos finished",
      on = "VIDEO", where = { percent = 100 },
      value = function() return 1 end,           -- function(e, guest): what one event adds
    },
  },
  sample = { base_rate = 0.17, mde = 0.20 },     -- confidence 0.95 and power 0.80 by default
  method = "sequential",                         -- always-valid p-values: peeking is allowed
  on_conclusive = "complete",
}
