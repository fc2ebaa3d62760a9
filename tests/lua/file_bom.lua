#!/usr/bin/env lua5.4
-- This file starts with a UTF-8 byte order mark and a shebang line: lua5.4 skips both.
print("loaded", debug.getinfo(1, "l").currentline)
