-- Method definitions and calls, self.
local Account = { balance = 0 }
function Account.new(b) return { balance = b, deposit = Account.deposit, report = Account.report } end
function Account:deposit(v) self.balance = self.balance + v; return self end
function Account.report(self) return "balance=" .. self.balance end
local acc = Account.new(100)
acc:deposit(50):deposit(25)
print(acc:report(), acc.report(acc), Account.report(acc))
-- colon call evaluates the receiver once
local count = 0
local function getobj() count = count + 1; return acc end
getobj():deposit(1)
print(count, acc.balance)
-- methods on nested fields
local ns = { inner = { value = 7 } }
function ns.inner:get() return self.value end
function ns.inner.static(x) return x * 2 end
print(ns.inner:get(), ns.inner.static(21))
-- method with varargs
local obj = { name = "obj" }
function obj:args(...) return self.name, select("#", ...), ... end
print(obj:args())
print(obj:args(1, nil, 3))
-- self is an ordinary parameter
function obj.explicit(self, x) return self.name .. x end
print(obj:explicit("!"), obj.explicit({ name = "other" }, "?"))
-- method call on a string literal and a number converted to string
print(("abc"):upper(), ("%d"):format(5), ("x"):rep(3, "-"))
local s = "hello"
print(s:len(), s:sub(2, 3), s:byte(1))
-- method call chain with string results
print(("  trim  "):upper():lower():len())
-- methods defined with function t:m inside closures capture upvalues
local function make(prefix)
  local o = {}
  function o:greet(n) return prefix .. ", " .. n .. " from " .. tostring(self == o) end
  return o
end
local m = make("hi")
print(m:greet("bob"))
-- calling a method on nil/number errors
print(pcall(function() local x; x:method() end))
print(pcall(function() local n = 5; n:method() end))
print(pcall(function() obj:missing() end))
print(pcall(function() obj.missing() end))
print(pcall(function() local t = { sub = {} }; t.sub:missing2() end))
