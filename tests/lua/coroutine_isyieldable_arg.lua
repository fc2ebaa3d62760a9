-- coroutine.isyieldable checks that its optional argument is a thread.
print(pcall(coroutine.isyieldable, 1))
print(pcall(coroutine.isyieldable, "x"))
print(pcall(coroutine.isyieldable, nil))
