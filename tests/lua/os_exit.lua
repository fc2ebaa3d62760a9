-- os.exit flushes buffered output and uses the given status.
print("before exit")
io.write("partial line")
os.exit(3)
print("not reached")
