-- os.time with tables: normalisation like mktime, field checks, differences independent of
-- the time zone, and the fields written back.
local function T(t) return os.time(t) end
local base = T{year = 2000, month = 1, day = 1, hour = 0}
print(T{year = 2000, month = 1, day = 2, hour = 0} - base)
print(T{year = 2000, month = 1, day = 1} - base)   -- hour defaults to 12
print(T{year = 2000, month = 1, day = 1, hour = 0, min = 1, sec = 1} - base)
print(T{year = 2000, month = 2, day = 1, hour = 0} - base)
print(T{year = 2000, month = 3, day = 1, hour = 0} - T{year = 2000, month = 2, day = 1, hour = 0})
print(T{year = 2001, month = 1, day = 1, hour = 0} - base)
print(T{year = 2000, month = 13, day = 1, hour = 0} - T{year = 2001, month = 1, day = 1, hour = 0})
print(T{year = 2000, month = 1, day = 32, hour = 0} - T{year = 2000, month = 2, day = 1, hour = 0})
print(T{year = 2000, month = 1, day = 0, hour = 0} - base)
print(T{year = 2000, month = 0, day = 1, hour = 0} - base)
print(T{year = 2000, month = 1, day = 1, hour = 0, sec = -1} - base)
print(T{year = 2000, month = 1, day = 1, hour = 25} - base)
print(T{year = "2000", month = "1", day = 1.0, hour = "0"} - base)
-- fields are normalised in place
local t = {year = 2000, month = 14, day = 35, hour = 25, min = 61, sec = 61, isdst = false}
os.time(t)
print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.yday, t.wday, t.isdst)
t = {year = 2021, month = 2, day = 29, hour = 0}
os.time(t)
print(t.year, t.month, t.day, t.yday, t.wday)
t = {year = 2024, month = 12, day = 31, hour = 12}
os.time(t)
print(t.yday, t.wday, type(t.isdst))
-- a date table read back through os.date
local x = os.time{year = 2020, month = 6, day = 15, hour = 10, min = 30, sec = 5}
local d = os.date("*t", x)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.yday, d.wday)
print(os.date("%Y-%m-%d %H:%M:%S", x))
-- __index is honoured for reading fields
local proxy = setmetatable({}, {__index = {year = 2010, month = 5, day = 5, hour = 5}})
print(os.time(proxy) - os.time{year = 2010, month = 5, day = 5, hour = 5}, rawget(proxy, "year"))
-- errors
local function try(tab) print(pcall(os.time, tab)) end
try({})
try({year = 2000})
try({year = 2000, month = 1})
try({year = 2000, month = 1, day = "x"})
try({year = 2000, month = 1, day = 1.5})
try({year = 2000, month = 1, day = {}})
try({year = 2000, month = 1, day = 1, hour = "x"})
try({year = 2000, month = 1, day = 2^40})
try({year = -2^31, month = 1, day = 1})
try({year = 2^31 + 1900, month = 1, day = 1})
print((pcall(os.time, {year = 2000, month = 2^31, day = 1})))
try({year = 2000, month = 1, day = 1, min = -2^31 - 1})
try({year = 2000, month = 1, day = 1, sec = math.maxinteger})
print(pcall(os.time, 5))
print(pcall(os.time, "x"))
print(math.type(os.time()), math.type(os.time(nil)))
