-- os.time and os.date("*t") round trips (independent of the time zone), argument checks.
local times = { 0, 86400, 951782400, 1234567890, 1700000000 }
for _, t in ipairs(times) do
  local lt = os.date("*t", t)
  io.write(tostring(os.time(lt) == t), " ")
end
print()
local t = os.date("*t", 1234567890)
t.isdst = nil
local base = os.time(t)
t.day = t.day + 40
local later = os.time(t)
print(later - base == 40 * 86400 or later - base == 40 * 86400 + 3600 or later - base == 40 * 86400 - 3600)
print(t.day <= 31, t.month)
print(math.type(os.time()), math.type(os.time({ year = 2020, month = 1, day = 1 })))
print(pcall(os.time, { year = 2020 }))
print(pcall(os.time, { year = 2020, month = 1 }))
print(pcall(os.time, { year = "x", month = 1, day = 1 }))
print(pcall(os.time, { year = 2020, month = 1.5, day = 1 }))
print(pcall(os.time, 1))
print(pcall(os.date, 1, 2, 3))
print(os.date("!%Y-%m-%d", os.time({ year = 2020, month = 6, day = 15, hour = 12 })))
print(os.difftime(os.time({ year = 2001, month = 1, day = 1, hour = 0 }), os.time({ year = 2000, month = 1, day = 1, hour = 0 })))
print(pcall(os.date, "*t", "x"))
print(pcall(os.date, "!%Y", 1.5))
