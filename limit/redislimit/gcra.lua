-- One GCRA step, atomic per key. Times are nanoseconds but Lua numbers are
-- doubles, so absolute times travel as whole seconds plus nanoseconds and the
-- arithmetic is done relative to the caller's now, where it stays exact.
--
-- KEYS[1]  the key; its value is the theoretical arrival time in Unix ns
-- ARGV[1]  now, whole Unix seconds
-- ARGV[2]  now, nanoseconds within the second
-- ARGV[3]  probe * interval in ns (how far one decision moves the TAT)
-- ARGV[4]  burst * interval in ns
-- ARGV[5]  1 to spend when allowed, 0 to peek
--
-- Returns {allowed (0|1), stored TAT as read ('' when none)}.
local now_s = tonumber(ARGV[1])
local now_n = tonumber(ARGV[2])
local step = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local raw = redis.call('GET', KEYS[1])
local tat = 0
if raw then
  local s = tonumber(string.sub(raw, 1, -10)) or 0
  local n = tonumber(string.sub(raw, -9)) or 0
  local ds = s - now_s
  if ds > 0 then
    tat = ds * 1e9 + (n - now_n)
  elseif ds == 0 and n > now_n then
    tat = n - now_n
  end
else
  raw = ''
end
local new_tat = tat + step
if new_tat - burst > 0 then
  return {0, raw}
end
if ARGV[5] == '1' then
  local abs = now_n + new_tat
  local n = math.fmod(abs, 1e9)
  local s = now_s + (abs - n) / 1e9
  redis.call('SET', KEYS[1], string.format('%d%09d', s, n), 'PX', math.ceil(new_tat / 1e6))
end
return {1, raw}
