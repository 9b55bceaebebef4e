-- settings.lua: run-wide settings.
--
-- Every *.lua file in a rules directory (subdirectories included) is loaded in path order, each
-- in its own sandbox, so a `local` in one file is invisible to the others. `settings` may
-- appear in any one file of the directory.

settings {
  session_timeout = "30m",   -- a gap longer than this starts a new session (30m is the default)
  currency = "USD",          -- the currency of outcome values that do not name their own
}
