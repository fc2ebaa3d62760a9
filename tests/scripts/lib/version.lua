-- Required through lib/wrapper.lua by a test in tests/game_api.rs, which edits it.
return { value = 1 }
