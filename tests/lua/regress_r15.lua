print(math.modf(3), math.type(math.modf(3)), math.type(math.modf(-3.5)))
