-- A syntax error in the file itself: nothing runs.
print("this line is never executed")
local x = = 1
