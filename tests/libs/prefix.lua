-- prefix.lua FILE MARKER [ARGS...]: run FILE only up to the first line that
-- contains MARKER. Why: some suites end with a long benchmark we do not need.
local file, marker = ...
local src = assert(io.open(file, "rb")):read("a")
local cut = src:find(marker, 1, true)
if cut then src = src:sub(1, (src:sub(1, cut):match(".*()\n") or 1) - 1) end
assert(load(src, "@" .. file))(select(3, ...))
