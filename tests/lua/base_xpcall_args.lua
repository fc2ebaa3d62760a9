-- xpcall called through pcall with a missing/bad message handler.
print(pcall(xpcall))
print(pcall(xpcall, print))
print(pcall(xpcall, print, 1))
