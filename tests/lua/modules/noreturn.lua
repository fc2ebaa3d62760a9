-- A module that returns nothing: require stores true.
NORETURN_LOADED = (NORETURN_LOADED or 0) + 1
