/** Sets the lock of an active job with no lock; 1 held, 0 held by another token, -1 gone. */
export const RELOCK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local cur = redis.call('GET', KEYS[2])
if cur then
  if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[2], ARGV[2]) return 1 end
  return 0
end
if not redis.call('LPOS', KEYS[3], ARGV[3]) then return -1 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`;
