-- outcomes.lua: business results with a monetary value, grouped in outcome groups.
--
-- An outcome is reached when its event matchers (`on`, `page`, `where`, as for goals) and its
-- `when` all hold; it needs at least one of them. `when = function(guest, e)` is a state
-- trigger: it runs for every event of the guest after all goals of that event, until the
-- outcome is reached. An outcome is reached once per guest unless `once = false`. Its `value`
-- (a number or a function(e, guest)) is added to the outcome's and its group's totals.
--
-- What a `when` sees: guest.points (engagement value), guest.sessions, guest.goals[id] (times
-- reached; 0 before the first time), guest.outcomes[id], guest.session.points/views/events,
-- guest.data.

-- Lead lifecycle ---------------------------------------------------------------------------

local LEAD = "Lead lifecycle"

outcome "engaged_visitor" {
  name = "Engaged visitor", group = LEAD,
  when = function(guest) return guest.points >= 20 end,
  value = 20,
}

outcome "mql" {
  name = "Marketing qualified lead", group = LEAD,
  when = function(guest) return guest.points >= 50 end,
  value = 250,
}

outcome "sql" {
  name = "Sales qualified lead", group = LEAD,
  when = function(guest)
    return guest.goals.request_pricing > 0 and guest.goals.watched_demo > 0
  end,
  value = 1000,
}

-- Purchased ------------------------------------------------------------------------------

local PLANS = { "basic", "pro", "enterprise" }

for _, plan in ipairs(PLANS) do
  outcome ("purchased_" .. plan) {
    name = "Purchased " .. plan, group = "Purchased",
    on = "CONFIRM", where = { sku = plan },
    --- The order's revenue is the outcome's value.
    ---@param e table the CONFIRM event
    ---@return number
    value = function(e)
      count("revenue_usd", e.revenue or 0)         -- count(name, by) adds `by`
      return e.revenue or 0
    end,
    currency = "USD",
    once = false,                                -- every order counts, not only the first
  }
end
