-- A table two scripts share through `require` (tests/game_api.rs).
return {}
