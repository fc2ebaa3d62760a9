-- The message of a failing require lists every searcher's attempts, the C ones too.
package.path = "?.lua;?/?"
package.cpath = "?.so;?/init"
print(select(2, pcall(require, "XXX")))
print(select(2, pcall(require, "a.b")))
package.cpath = 42
print(pcall(require, "nope"))
print(#package.searchers)
