import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";

describe("RateLimiter", () => {
  it("allows perMinute calls, then says how long to wait, and refills with time", () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    assert.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
    assert.equal(limiter.take("a"), 20);
    assert.equal(limiter.take("b"), 0, "keys are counted apart");
    now += 20_000;
    assert.equal(limiter.take("a"), 0);
  });

  it("peeks without spending", () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now);
    assert.equal(limiter.peek("a"), 0);
    assert.equal(limiter.peek("a"), 0);
    assert.equal(limiter.take("a"), 0);
    assert.equal(limiter.peek("a"), 60);
    now += 60_000;
    assert.equal(limiter.peek("a"), 0);
  });

  it("forgets buckets that have refilled, so rotating keys cannot grow it without bound", () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    for (let i = 0; i < 50_001; i++) limiter.take(`addr-${i}`);
    assert.equal(limiter.size, 50_001);
    now += 60_000;
    limiter.take("late");
    assert.equal(limiter.size, 1, "only the key spending now is kept");
    assert.equal(limiter.take("addr-0"), 0, "a forgotten key starts with a full bucket");
    assert.equal(limiter.take("addr-0"), 0);
    assert.equal(limiter.take("addr-0"), 30);
  });
});
