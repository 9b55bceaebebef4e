-- sessions_spec.lua: sessions (settings.lua: 30 minutes), event input and rejected lines.
--
-- Events may be Lua tables, single JSON lines (strings) or JSON Lines text ([[ ... ]]); all of
-- them go through the same parser as `tally run`, so a line `tally run` rejects is rejected here.

spec "a gap of more than 30 minutes starts a new session" {
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/" },
    { type = "VIEW", guest = "g1", ts = minutes(30), page = "/product" },              -- exactly 30: same session
    { type = "VIEW", guest = "g1", ts = minutes(60) + 1, page = "/" },                 -- 30 min 1 ms: new session
    { type = "VIEW", guest = "g1", ts = minutes(61), page = "/", session = "s-42" },   -- an explicit id: new session
  },
  expect = { sessions = 3, profiles = { g1 = { sessions = 3 } } },
}

spec "a spec may set its own session timeout" {
  session_timeout = "10m",
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/pricing" },
    { type = "VIEW", guest = "g1", ts = minutes(11), page = "/pricing" },
  },
  expect = { sessions = 2, goals = { viewed_pricing = 2 } },
}

spec "events as JSON Lines, with RFC 3339 times" {
  events = [[
{"type": "VIEW", "guest": "g1", "ts": "2026-11-20T10:00:00Z", "page": "/pricing"}
{"type": "FORM", "guest": "g1", "ts": "2026-11-20T11:10:00+01:00", "page": "/pricing", "form": "pricing", "company_size": "1-10"}

{"type": "VIEW", "guest": "g1", "ts": "2026-11-20T10:45:00.500Z", "page": "/pricing"}
]],
  expect = {
    sessions = 2,                                  -- 10:10 and 10:45:00.5 are more than 30 minutes apart
    goals = { viewed_pricing = 2, request_pricing = 1 },
    points = { g1 = 24 },
  },
}

spec "bad lines are rejected and change nothing" {
  events = {
    { type = "VIEW", guest = "g1", ts = 0, page = "/pricing" },
    { type = "VIEW", guest = "g2", page = "/pricing" },                        -- no ts
    '{"type": "VIEW", "guest": "g3", "ts": 0, "page": "/pricing"',            -- not JSON
    { type = "VIEW", guest = "g1", ts = 1000, page = 404 },                   -- page must be a string
    { type = "VIEW", guest = "g1", ts = 2000, page = "/" },
    { type = "VIEW", guest = "g1", ts = 500, page = "/pricing" },             -- earlier than g1's last event
  },
  expect = {
    accepted = 3, rejected = 3, out_of_order = 1, guests = 1, sessions = 1,
    goals = { viewed_pricing = 1 },
  },
}
