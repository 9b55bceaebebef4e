-- goals_spec.lua: what each goal of examples/rules/goals.lua is worth, and how often.
--
-- Run with `tally test --rules examples/rules` (every *.lua file here) or name this file.
-- Each spec runs on a fresh engine: guests, sessions and counters start empty. `ts` is in
-- milliseconds (minutes(n), hours(n), ... help) or an RFC 3339 string. A spec fails on any
-- rejected event or rule error unless its `expect` says how many (docs/testing.md).

spec "a newsletter signup is worth 10 points, once per guest" {
  events = {
    { type = "FORM", guest = "g1", ts = 0, page = "/blog/sample-size", form = "newsletter" },
    { type = "FORM", guest = "g1", ts = seconds(40), page = "/blog/release-notes", form = "newsletter" },
    { type = "form", guest = "g2", ts = seconds(50), form = "newsletter" },   -- types ignore case
  },
  expect = {
    goals = { newsletter_signup = { reached = 2, guests = 2, points = 20 } },
    points = { g1 = 10, g2 = 10 },
    sessions = 2,
  },
}

spec "each pricing request counts; a request from a team earns a 10-point bonus" {
  events = {
    { type = "FORM", guest = "g1", ts = 0, page = "/pricing", form = "pricing", company_size = "1-10" },
    { type = "FORM", guest = "g1", ts = minutes(5), page = "/pricing", form = "pricing", company_size = "51-200" },
    -- a missing field equals nothing, so not_equal("1-10") holds for it
    { type = "FORM", guest = "g2", ts = 0, page = "/pricing", form = "pricing" },
  },
  expect = {
    goals = {
      request_pricing = { reached = 3, guests = 2, points = 60 },
      qualified_pricing_request = { reached = 2, guests = 2, points = 20 },
      newsletter_signup = 0,
    },
    points = { g1 = 50, g2 = 30 },
  },
}

spec "watching 75% of the product demo is worth 15 points, once per guest" {
  events = {
    { type = "VIDEO", guest = "g1", ts = 0, page = "/demo", video = "product-demo", percent = 25 },
    { type = "VIDEO", guest = "g1", ts = seconds(30), page = "/demo", video = "product-demo", percent = 50 },
    { type = "VIDEO", guest = "g1", ts = seconds(60), page = "/demo", video = "product-demo", percent = 75 },
    { type = "VIDEO", guest = "g1", ts = seconds(90), page = "/demo", video = "product-demo", percent = 100 },
  },
  expect = {
    goals = { watched_demo = { reached = 1, points = 15 } },
    points = { g1 = 15 },
    -- the goal is at its limit after 75%: its where function (and its counter) no longer runs
    counters = { video_progress_events = 3 },
    profiles = { g1 = { data = { demo_percent = 75 }, goals = { watched_demo = 1 } } },
  },
}

spec "only the product demo on /demo counts as watched" {
  events = {
    -- another page: the where function does not even run
    { type = "VIDEO", guest = "g1", ts = 0, page = "/blog/release-notes", video = "product-demo", percent = 100 },
    -- another video: the where function runs (and counts) but says no
    { type = "VIDEO", guest = "g1", ts = seconds(30), page = "/demo", video = "intro", percent = 100 },
  },
  expect = {
    goals = { watched_demo = 0 },
    counters = { video_progress_events = 1 },
    profiles = { g1 = { points = 0, data = { demo_percent = 100 } } },
  },
}

spec "pricing page views are worth 2 points once per session" {
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/pricing" },
    { type = "VIEW", guest = "g1", ts = minutes(10), page = "/pricing" },
    { type = "VIEW", guest = "g1", ts = minutes(40), page = "/pricing" },   -- 30 minutes later: same session
    { type = "VIEW", guest = "g1", ts = minutes(71), page = "/pricing" },   -- 31 minutes later: a new one
  },
  expect = {
    goals = { viewed_pricing = { reached = 2, points = 4 } },
    sessions = 2,
    profiles = { g1 = { points = 4, sessions = 2 } },
  },
}

spec "documentation and blog posts are worth a point per session each" {
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/docs/getting-started" },
    { type = "VIEW", guest = "g1", ts = seconds(30), page = "/docs/api" },
    { type = "VIEW", guest = "g1", ts = seconds(60), page = "/docs" },                -- not below /docs/
    { type = "VIEW", guest = "g1", ts = seconds(90), page = "/blog/sample-size" },
    { type = "VIEW", guest = "g1", ts = seconds(120), page = "/blog/" },              -- the regex needs a slug
    { type = "VIEW", guest = "g2", ts = 0, page = "/blog/Sample-Size" },              -- lower case only
    { type = "VIEW", guest = "g2", ts = seconds(30), page = "/blog/2026/recap" },     -- one path segment only
    { type = "VIEW", guest = "g2", ts = hours(2), page = "/blog/lead-scoring-101" },
  },
  expect = {
    goals = {
      read_docs = { reached = 1, guests = 1, points = 1 },
      read_blog = { reached = 2, guests = 2, points = 2 },
    },
    points = { g1 = 2, g2 = 1 },
    sessions = 3,
  },
}

spec "customers or contact pages are worth 3 points per session" {
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/customers" },
    { type = "VIEW", guest = "g1", ts = seconds(20), page = "/contact" },
    { type = "VIEW", guest = "g1", ts = days(1), page = "/contact" },
    { type = "VIEW", guest = "g1", ts = days(1) + seconds(20), page = "/contact/" },   -- not in the list
  },
  expect = {
    goals = { explored_company = { reached = 2, points = 6 } },
    points = { g1 = 6 },
  },
}

spec "a visit from a paid search campaign is tracked but worth no points" {
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/", utm = { source = "google", medium = "cpc", campaign = "brand" } },
    { type = "VIEW", guest = "g1", ts = seconds(20), page = "/product", utm = { medium = "cpc" } },  -- same session
    { type = "VIEW", guest = "g2", ts = 0, page = "/", utm = { source = "newsletter", medium = "email" } },
    { type = "VIEW", guest = "g3", ts = 0, page = "/", utm = "cpc" },            -- not an object: no utm.medium
  },
  expect = {
    goals = { paid_campaign_visit = { reached = 1, guests = 1, points = 0 } },
    points = 0,
    guests = 3,
  },
}

spec "a purchase is worth the plan's points plus a point per 100 USD" {
  events = {
    { type = "CONFIRM", guest = "g1", ts = 0, page = "/checkout", order_id = "o1", sku = "basic", seats = 1, revenue = 490 },
    { type = "CONFIRM", guest = "g2", ts = 0, page = "/checkout", order_id = "o2", sku = "pro", seats = 5, revenue = 1250.5 },
    { type = "CONFIRM", guest = "g3", ts = 0, page = "/checkout", order_id = "o3", sku = "enterprise", revenue = 12000 },
    { type = "CONFIRM", guest = "g3", ts = days(30), page = "/checkout", order_id = "o4", sku = "enterprise" },  -- no revenue
    { type = "CONFIRM", guest = "g4", ts = 0, page = "/checkout", order_id = "o5", sku = "free", revenue = 0 },
  },
  expect = {
    goals = {
      purchase_basic = { reached = 1, points = 34 },
      purchase_pro = { reached = 1, points = 72 },
      purchase_enterprise = { reached = 2, guests = 1, points = 320 },
    },
    points = { g1 = 34, g2 = 72, g3 = 320, g4 = 0 },
    counters = { orders_basic = 1, orders_pro = 1, orders_enterprise = 2 },
  },
}
