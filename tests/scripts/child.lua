-- Spawned by a script in tests/plugin.rs: reports the init value it was given.
function on_spawn(self)
  emit("child_spawned", self.hp)
end
