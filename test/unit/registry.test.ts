import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { everyAction } from "../../bin/connectors.ts";
import { type ActionContext, defineAction } from "../../engine/actions/define.ts";
import { ActionRegistry, jsonSchemaOf } from "../../engine/actions/registry.ts";
import { CairnError } from "../../engine/errors.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createSecretBox } from "../../engine/security/secret-box.ts";

const echo = defineAction({
  name: "echo_back",
  title: "Echo",
  description: "Returns what it is given.",
  input: z.object({ text: z.string().min(1), times: z.number().int().default(1) }),
  output: z.object({ text: z.string() }),
  annotations: { readOnlyHint: true },
  async run(_ctx, input) {
    return { text: input.text.repeat(input.times) };
  },
});
const broken = defineAction({
  name: "broken_output",
  title: "Broken",
  description: "Returns the wrong shape.",
  input: z.object({}),
  output: z.object({ n: z.number() }),
  scope: "admin",
  async run() {
    return { n: "nope" } as unknown as { n: number };
  },
});

function ctx(isAdmin: boolean): ActionContext {
  return {
    workspace: { id: "00000000-0000-4000-8000-000000000001", slug: "t", name: "T" },
    person: {
      id: "00000000-0000-4000-8000-000000000002",
      email: "p@t.test",
      name: "P",
      timezone: "UTC",
      isAdmin,
    },
    services: {} as ActionContext["services"],
    log: silentLogger,
    via: "cli",
  };
}

describe("action registry", () => {
  const registry = new ActionRegistry([echo, broken]);

  it("fills defaults centrally", () => {
    assert.equal(echo.scope, "member");
    assert.deepEqual(echo.annotations, {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
  });

  it("validates input and names the failing fields", async () => {
    await assert.rejects(registry.invoke(ctx(false), "echo_back", { text: "" }), (error: unknown) => {
      assert.ok(error instanceof CairnError);
      assert.equal(error.code, "invalid_input");
      assert.deepEqual(
        error.details.issues?.map((i) => i.path),
        ["text"],
      );
      return true;
    });
    assert.deepEqual(await registry.invoke(ctx(false), "echo_back", { text: "ab", times: 2 }), {
      text: "abab",
    });
  });

  it("checks scope before running", async () => {
    await assert.rejects(registry.invoke(ctx(false), "broken_output", {}), { code: "forbidden" });
  });

  it("treats an output that breaks its schema as an internal error", async () => {
    await assert.rejects(registry.invoke(ctx(true), "broken_output", {}), { code: "internal" });
  });

  it("rejects unknown actions and duplicate names", async () => {
    await assert.rejects(registry.invoke(ctx(true), "nope", {}), { code: "not_found" });
    assert.throws(() => new ActionRegistry([echo, echo]), /defined twice/);
    assert.throws(() => defineAction({ ...echo, name: "Bad-Name" }), /snake_case/);
  });

  it("publishes a JSON schema for every built-in and connector action", () => {
    for (const action of everyAction) {
      const input = jsonSchemaOf(action.input, "input");
      const output = jsonSchemaOf(action.output, "output");
      assert.equal(input.type, "object", action.name);
      assert.ok(output.type || output.anyOf, action.name);
      assert.ok(action.description.length > 20, `${action.name} needs a real description`);
    }
  });
});

describe("secret box and rate limiter", () => {
  it("seals and opens, and refuses another key", () => {
    const box = createSecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('{"token":"secret_123"}');
    assert.doesNotMatch(sealed, /secret_123/);
    assert.equal(box.open(sealed), '{"token":"secret_123"}');
    assert.notEqual(box.seal("x"), box.seal("x"));
    assert.throws(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed), /CAIRN_MASTER_KEY differs/);
  });

  it("allows a burst then asks to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    assert.deepEqual([limiter.take("k"), limiter.take("k"), limiter.take("k")], [0, 0, 0]);
    assert.equal(limiter.take("k"), 20);
    assert.equal(limiter.take("other"), 0);
    now += 20_000;
    assert.equal(limiter.take("k"), 0);
  });
});
