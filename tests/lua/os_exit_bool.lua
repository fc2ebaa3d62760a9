print("exit false")
os.exit(false, true)
