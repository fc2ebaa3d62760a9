-- Floor division and modulo on integers and floats, with negatives and zero.
local vals = { 7, -7, 3, -3, 0 }
local divs = { 2, -2, 3, -3 }
for _, a in ipairs(vals) do
  local row = {}
  for _, b in ipairs(divs) do
    row[#row + 1] = a .. "//" .. b .. "=" .. (a // b) .. " " .. a .. "%" .. b .. "=" .. (a % b)
  end
  print(table.concat(row, "  "))
end
local fvals = { 7.5, -7.5, 0.5, -0.5, 6.0 }
local fdivs = { 2, -2, 0.25, -1.5 }
for _, a in ipairs(fvals) do
  local row = {}
  for _, b in ipairs(fdivs) do
    row[#row + 1] = (a // b) .. "/" .. (a % b)
  end
  print(a, table.concat(row, "  "))
end
print(math.type(7 // 2), math.type(7.0 // 2), math.type(7 % 2), math.type(7 % 2.0))
print(1.0 // 0, -1.0 // 0, 1 // 0.0)
print(1 % math.huge, -1 % math.huge, 1 % -math.huge, -1 % -math.huge)
print(math.huge % 2 ~= math.huge % 2)
print(5.0 % 0 ~= 5.0 % 0)
print(0.0 % 1, -0.0 % 1)
print(math.mininteger // -1, math.mininteger % -1)
print(math.maxinteger // -1, math.maxinteger % -1)
print(math.mininteger // 1, math.mininteger % 1)
print(math.maxinteger // math.maxinteger, math.mininteger // math.maxinteger)
print(5.3 % 1 < 0.31, -5.3 % 1 > 0.69)
-- errors
print(pcall(function() return 1 // 0 end))
print(pcall(function() return 1 % 0 end))
print(pcall(function() local z = 0; return 10 // z end))
print(pcall(function() local z = 0; return 10 % z end))
print(pcall(function() local z = 0; return math.mininteger // z end))
-- strings in division
print("7" // 2, "7.0" // 2, 7 // "2", "-7" % "3")
print(math.type("7" // 2), math.type("7.0" // 2))
