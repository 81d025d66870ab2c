/** Token buckets in Redis: one atomic script per call, timed by Redis's own clock so processes agree. */
import type { Redis } from "ioredis";
import type { SharedBuckets } from "./port.ts";

// A bucket untouched for a minute has refilled: its key expires then, which is the same as a full bucket.
const TOKEN_BUCKET = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local capacity = tonumber(ARGV[1])
local per_ms = capacity / 60000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(stored[1]) or capacity
local updated = tonumber(stored[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * per_ms)
local wait = 0
if tokens >= 1 then
  if ARGV[2] == 'take' then tokens = tokens - 1 end
else
  wait = math.ceil((1 - tokens) / per_ms / 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

export class RedisTokenBuckets implements SharedBuckets {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  /** While the first connection is being made, calls wait in the client's queue; once it drops, they don't. */
  get available(): boolean {
    return !["reconnecting", "close", "end"].includes(this.client.status);
  }

  async spend(bucket: string, key: string, perMinute: number, mode: "take" | "peek"): Promise<number> {
    const wait = await this.client.eval(
      TOKEN_BUCKET,
      1,
      `${this.prefix}:rate:${bucket}:${key}`,
      perMinute,
      mode,
    );
    return Number(wait);
  }
}
