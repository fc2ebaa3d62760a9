-- A busy loop in a task.
function main(self) while true do end end
