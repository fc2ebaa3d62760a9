-- package.searchpath: an empty path is one empty template; errors name 'package.searchpath'.
print(package.searchpath("x", ""))
print(pcall(package.searchpath, "x", {}))
