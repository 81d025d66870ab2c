/**
 * The optional LLM: with CAIRN_LLM_* pointing at a local OpenAI-compatible fake, the model sees the person's
 * actions as tools and its call runs through the registry; when it fails, hangs or answers nonsense, the
 * built-in parser answers the same message.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { respond } from "../../../bots/conversation/conversation.ts";
import { enginePort } from "../../../bots/conversation/engine-port.ts";
import type { Actor } from "../../../engine/actions/define.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../../fakes/openai.ts";
import { openTestEngine, type TestEngine } from "../../support/harness.ts";

const NOW = new Date("2026-03-18T08:00:00Z");

describe("chat with an LLM", () => {
  let model: FakeOpenAi;
  let t: TestEngine;
  let member: Actor;

  before(async () => {
    model = await startFakeOpenAi();
    t = await openTestEngine({
      now: () => NOW,
      env: {
        CAIRN_LLM_URL: `${model.url}/v1`,
        CAIRN_LLM_API_KEY: "sk-test-secret",
        CAIRN_LLM_MODEL: "fake-model",
        CAIRN_LLM_TIMEOUT_MS: "300",
      },
    });
    const demo = await t.engine.actorFor("demo");
    await t.engine.call(demo, "http", "add_person", { email: "mo@example.com", name: "Mo" });
    member = await t.engine.actorFor("demo", "mo@example.com");
  });
  after(async () => {
    await t.close();
    await model.close();
  });

  const titles = async () =>
    (
      (await t.engine.call(member, "http", "list_tasks", { limit: 100 })) as { tasks: { title: string }[] }
    ).tasks.map((task) => task.title);

  it("runs the model's tool call as the person, offering only the actions they may call", async () => {
    model.answer(() => ({
      toolCall: { name: "create_task", arguments: { title: "buy oat milk", estimateMinutes: 20 } },
    }));
    const reply = await respond(
      enginePort(t.engine, member, "slack", "llm:1"),
      "could you note that I need oat milk",
    );
    assert.match(reply.text, /Added: buy oat milk/);
    assert.ok((await titles()).includes("buy oat milk"));
    const sent = model.requests.at(-1);
    assert.equal(sent?.headers.authorization, "Bearer sk-test-secret");
    const body = sent?.body as {
      model: string;
      tools: { function: { name: string; parameters: { type: string } } }[];
    };
    assert.equal(body.model, "fake-model");
    const names = body.tools.map((tool) => tool.function.name);
    assert.ok(names.includes("create_task") && names.includes("plan_day"));
    assert.ok(!names.includes("add_person"), "admin actions are not offered to a member");
    assert.equal(
      body.tools.find((tool) => tool.function.name === "create_task")?.function.parameters.type,
      "object",
    );
  });

  it("resolves a task the model names by its words", async () => {
    const port = enginePort(t.engine, member, "slack", "llm:2");
    model.answer(() => ({
      toolCall: { name: "create_task", arguments: { title: "renew the parking permit" } },
    }));
    await respond(port, "remind me to renew the parking permit");
    model.answer(() => ({ toolCall: { name: "complete_task", arguments: { id: "parking permit" } } }));
    const reply = await respond(port, "I sorted out the parking thing");
    assert.match(reply.text, /Marked renew the parking permit as done/);
  });

  it("keeps the registry's checks on what the model calls", async () => {
    model.answer(() => ({ toolCall: { name: "create_task", arguments: { title: "" } } }));
    const reply = await respond(enginePort(t.engine, member, "slack", "llm:3"), "add something");
    assert.match(reply.text, /couldn't do that/);
  });

  it("falls back to the parser when the model fails, hangs or calls what is not offered", async () => {
    for (const [answer, title] of [
      [{ status: 500 }, "water the ferns"],
      [{ hang: true }, "call the bank"],
      [{ toolCall: { name: "add_person", arguments: { email: "x@example.com" } } }, "book the dentist"],
      [{ toolCall: { name: "create_task", arguments: "{not json" } }, "file the receipts"],
    ] as const) {
      model.answer(() => answer);
      const reply = await respond(
        enginePort(t.engine, member, "slack", `llm:fallback:${title}`),
        `add ${title} 15 min`,
      );
      assert.match(reply.text, new RegExp(`Added: ${title}`), JSON.stringify(answer));
    }
    assert.ok((await titles()).includes("call the bank"));
  });

  it("says the model's words when it answers without a tool", async () => {
    model.answer(() => ({ text: "You're welcome!" }));
    const reply = await respond(enginePort(t.engine, member, "slack", "llm:4"), "thanks!");
    assert.equal(reply.text, "You're welcome!");
  });
});
