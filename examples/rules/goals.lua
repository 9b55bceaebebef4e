-- goals.lua: what a guest does that matters, and what it is worth in engagement value points.
--
-- A goal is reached when its `on` (event type), `page` and `where` all hold, checked in that
-- order. Each time it is reached the guest gains its `points`. `count` says how often it can
-- be reached: "every" event (the default), once per "session", or once per "guest".
--
-- Matchers for `on` and `page`: a string (exact; `on` ignores case), a list of strings (any of
-- them), `prefix "..."` or `regex "..."`. `where` is a table of field = value (all must hold;
-- dotted keys reach nested fields; `not_equal(v)` negates) or a function(e, guest).

-- Lead capture ---------------------------------------------------------------------------

goal "newsletter_signup" {
  name = "Newsletter signup",
  on = "FORM", where = { form = "newsletter" },
  points = 10,
  count = "guest",                       -- signing up twice is worth nothing more
}

goal "request_pricing" {
  name = "Request pricing",
  on = "FORM", where = { form = "pricing" },
  points = 20,                           -- count = "every": each request counts
}

-- A bonus on top of request_pricing when the company is not a one-person shop: two goals can
-- be reached by the same event.
goal "qualified_pricing_request" {
  name = "Pricing request from a team",
  on = "FORM", where = { form = "pricing", company_size = not_equal("1-10") },
  points = 10,
}

-- Content --------------------------------------------------------------------------------

--- Whether a VIDEO event shows that most of the product demo was watched.
--- Also remembers the furthest point reached in `guest.data`, which rules may write
--- (strings, numbers and booleans) and which is kept with the guest. Note: a goal at its
--- `count` limit is skipped before any matching, so once a guest has reached watched_demo
--- this function no longer runs for that guest (nor its counter and guest.data updates).
---@param e table the event: `e.video` names the video, `e.percent` is the progress (0-100)
---@param guest table the guest profile
---@return boolean
local function watched_most_of_demo(e, guest)
  count("video_progress_events")                 -- a named counter, shown in the report
  local percent = tonumber(e.percent) or 0
  if percent > (guest.data.demo_percent or 0) then
    guest.data.demo_percent = percent
  end
  return e.video == "product-demo" and percent >= 75
end

-- VIDEO is a custom event type: any type name works, compared case-insensitively.
goal "watched_demo" {
  name = "Watched the product demo",
  on = "VIDEO", page = "/demo",
  where = watched_most_of_demo,          -- runs only for events that pass `on` and `page`
  points = 15,
  count = "guest",
}

goal "viewed_pricing" {
  name = "Viewed pricing",
  on = "VIEW", page = "/pricing",
  points = 2,
  count = "session",                     -- a few points per visit, not per page view
}

goal "read_docs" {
  name = "Read the documentation",
  on = "VIEW", page = prefix "/docs/",
  points = 1,
  count = "session",
}

goal "read_blog" {
  name = "Read a blog post",
  on = "VIEW", page = regex "^/blog/[a-z0-9-]+$",   -- an unanchored search, so anchor it
  points = 1,
  count = "session",
}

goal "explored_company" {
  name = "Viewed customers or contact",
  on = "VIEW", page = { "/customers", "/contact" },  -- a list: any of these pages
  points = 3,
  count = "session",
}

-- Events carry nested objects as they are in the JSON; a dotted key reaches into them.
goal "paid_campaign_visit" {
  name = "Visit from a paid search campaign",
  on = "VIEW", where = { ["utm.medium"] = "cpc" },
  points = 0,                            -- tracked for the report, worth no engagement
  count = "session",
}

-- Purchases ------------------------------------------------------------------------------

-- Rule files are Lua: one loop declares a goal per plan. Keep helpers `local`.
local PLAN_POINTS = { basic = 30, pro = 60, enterprise = 100 }
local PLANS = { "basic", "pro", "enterprise" }

for _, plan in ipairs(PLANS) do
  goal ("purchase_" .. plan) {
    name = "Purchase: " .. plan,
    on = "CONFIRM", where = { sku = plan },
    --- Points by plan, plus one point per 100 USD of the order.
    ---@param e table the CONFIRM event (`e.revenue` is a number when present)
    ---@return number
    points = function(e)
      count("orders_" .. plan)
      return PLAN_POINTS[plan] + math.floor((e.revenue or 0) / 100)
    end,
  }
end
