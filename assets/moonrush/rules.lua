-- Moonrush's rules, a world script: waves of enemies, the score, winning, game over and restart.
-- It shows the game's state in the `Hud` resource (drawn by Rust) and hears about kills and
-- deaths through messages with table payloads.
local arena = require("moonrush.lib.arena")

local WAVES = 4

local function show(self, line)
  local hud = world.resource("Hud")
  hud.text = string.format("score %d   wave %d/%d   %s", self.score, self.wave, WAVES, line or "")
  hud.state = self.state
  hud.score = self.score
end

local function start_game(self)
  self.score, self.wave, self.kills, self.state = 0, 0, 0, "playing"
  self.player = spawn("moonrush/player.lua",
    {Transform = {translation = vec3(0, 0, 0)}, Player = {}})
  show(self)
end

function on_spawn(self)
  math.randomseed(world.resource("GameSeed").value)
  self.games = 0
end

-- One wave: enemies come in from the edges, a few per second.
local function run_wave(self)
  self.wave = self.wave + 1
  show(self, "incoming!")
  local count = 2 + self.wave * 2
  for i = 1, count do
    local kind = (i % 3 == 0) and "dasher" or "chaser"
    spawn("moonrush/enemy.lua",
      {Transform = {translation = arena.random_edge()}, Enemy = {kind = kind}},
      {speed = 80 + self.wave * 15})
    wait(0.4)
    if self.state ~= "playing" then return end
  end
  -- Cleared, or the player died.
  wait_until(function() return enemy_count() == 0 or self.state ~= "playing" end)
end

function main(self)
  while true do
    self.games = self.games + 1
    start_game(self)
    while self.state == "playing" and self.wave < WAVES do
      run_wave(self)
      if self.state == "playing" then
        show(self, "wave cleared")
        wait(1)
      end
    end
    if self.state == "playing" then self.state = "won" end
    show(self, self.state == "won" and "YOU WIN - press Enter" or "GAME OVER - press Enter")
    emit("game_over", {result = self.state, score = self.score, wave = self.wave, kills = self.kills})
    wait_until(function() return input.just_pressed("Enter") or input.gamepad_just_pressed("Start") end)
    send("all", "clear")
    wait_frames(1)
  end
end

function on_event(self, name, p)
  if name == "enemy_died" and self.state == "playing" then
    self.score = self.score + p.points
    self.kills = self.kills + 1
    show(self)
  elseif name == "player_died" then
    self.state = "lost"
  end
end
