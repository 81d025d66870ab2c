/**
 * break_down_task on every backend: from the configured model (its JSON checked, one retry, then history),
 * from the subtasks of the most similar finished task without a model, or a clear "not enough history".
 * It proposes only: the task count stays the same, and every proposed subtask is a create_subtasks item.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { respond, respondToClick } from "../../bots/conversation/conversation.ts";
import { enginePort } from "../../bots/conversation/engine-port.ts";
import type { Actor } from "../../engine/actions/define.ts";
import type { Task } from "../../engine/domain.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/openai.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

/** create_subtasks' input item (branch core-subtasks): what a proposal must be accepted as, unchanged. */
const CreateSubtasksItem = z.strictObject({
  title: z.string().min(1),
  estimateMinutes: z.number().int().min(1).optional(),
  due: z.string().optional(),
  priority: z.number().int().optional(),
  tags: z.array(z.string()).optional(),
});
const Breakdown = z.object({
  source: z.enum(["llm", "history", "none"]),
  subtasks: z.array(CreateSubtasksItem),
  basedOn: z.object({ taskId: z.string(), title: z.string(), similarity: z.number() }).optional(),
  message: z.string(),
});

const deckSteps = [
  { title: "Collect numbers from finance", estimateMinutes: 45 },
  { title: "Write the deck outline", estimateMinutes: 30 },
  { title: "Design the slides", estimateMinutes: 90 },
];

for (const backend of backends()) {
  describe(`break_down_task (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let model: FakeOpenAi;
    let ada: { token: string } & Actor;

    async function act<T>(action: string, input: unknown): Promise<T> {
      const { status, body } = await cairn.call(ada.token, action, input);
      assert.equal(status, 200, `${action}: ${JSON.stringify(body)}`);
      return body as T; // Boundary: the HTTP API answers the action's output schema.
    }
    const breakDown = async (taskId: string) => Breakdown.parse(await act("break_down_task", { taskId }));
    const taskCount = async () => (await act<{ tasks: Task[] }>("list_tasks", { limit: 200 })).tasks.length;

    /** A finished task split into subtasks with create_subtasks; finishing the last one finishes the parent. */
    async function finishedWithSubtasks(title: string, steps: typeof deckSteps): Promise<Task> {
      const parent = await act<Task>("create_task", { title, tags: [], estimateMinutes: 180 });
      const created = await act<{ tasks: Task[] }>("create_subtasks", {
        parentId: parent.id,
        subtasks: steps.map((step) => ({ ...step, tags: [] })),
      });
      for (const child of created.tasks) await act("complete_task", { id: child.id });
      return act<Task>("get_task", { id: parent.id });
    }

    before(async () => {
      model = await startFakeOpenAi();
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
      ada = await cairn.token({ workspace: "breakdown-acme", email: "ada@acme.test" });
    });
    after(async () => {
      await cairn?.close();
      await model?.close();
    });

    it("says plainly that there is not enough history, and creates nothing", async () => {
      const task = await act<Task>("create_task", { title: "Prepare Q3 board deck", tags: [] });
      const before = await taskCount();
      const answer = await breakDown(task.id);
      assert.equal(answer.source, "none");
      assert.deepEqual(answer.subtasks, []);
      assert.match(answer.message, /Not enough history/);
      assert.match(answer.message, /CAIRN_LLM_URL/);
      assert.equal(await taskCount(), before);
    });

    it("reuses the subtasks of the most similar finished task, with their estimates", async () => {
      const done = await finishedWithSubtasks("Prepare Q2 board deck", deckSteps);
      await finishedWithSubtasks("Fix flaky login test", [
        { title: "Reproduce locally", estimateMinutes: 20 },
        { title: "Patch the wait", estimateMinutes: 20 },
      ]);
      const task = await act<Task>("create_task", { title: "Prepare Q3 board deck", tags: [] });
      const before = await taskCount();
      const answer = await breakDown(task.id);
      assert.equal(answer.source, "history", answer.message);
      assert.deepEqual(answer.subtasks, deckSteps);
      assert.equal(answer.basedOn?.taskId, done.id);
      assert.match(answer.message, /Prepare Q2 board deck/);
      assert.equal(await taskCount(), before, "nothing is created");
    });

    it("in chat: 'break down …' proposes the steps, and its button creates them as subtasks", async () => {
      const task = await act<Task>("create_task", { title: "Prepare Q4 board deck", tags: [] });
      const port = enginePort(cairn.engine, ada, "slack", "breakdown:chat");
      const reply = await respond(port, "break down the Q4 board deck");
      assert.match(reply.text, /Nothing is created until you accept/);
      const buttons = reply.parts.flatMap((part) => (part.type === "buttons" ? part.buttons : []));
      const accept = buttons.find((button) => button.label === "Create these subtasks");
      assert.ok(accept, JSON.stringify(reply.parts));
      await respondToClick(port, accept.call);
      const subtasks = await act<{ tasks: Task[] }>("list_tasks", { parentId: task.id, limit: 50 });
      assert.deepEqual(
        subtasks.tasks.map((subtask) => subtask.title).sort(),
        deckSteps.map((step) => step.title).sort(),
      );
    });

    it("still answers 'not enough history' for unrelated work", async () => {
      const task = await act<Task>("create_task", { title: "Renew car insurance", tags: [] });
      assert.equal((await breakDown(task.id)).source, "none");
    });

    it("answers 404 for a task it cannot see", async () => {
      const { status } = await cairn.call(ada.token, "break_down_task", {
        taskId: "00000000-0000-4000-8000-000000000000",
      });
      assert.equal(status, 404);
    });

    describe("with a language model configured", () => {
      let withModel: TestCairn;
      let bea: { token: string } & Actor;
      let taskId: string;
      const call = async () => {
        const { status, body } = await withModel.call(bea.token, "break_down_task", { taskId });
        assert.equal(status, 200, JSON.stringify(body));
        return Breakdown.parse(body);
      };
      const modelSteps = [
        { title: "List the audit findings", estimateMinutes: 30 },
        { title: "Write the fixes plan", estimateMinutes: 60 },
      ];

      before(async () => {
        withModel = await startTestCairn({
          db: backend.db,
          jobs: backend.jobs,
          startWorkers: false,
          env: {
            CAIRN_LLM_URL: `${model.url}/v1`,
            CAIRN_LLM_API_KEY: "sk-test-secret",
            CAIRN_LLM_MODEL: "fake-model",
            CAIRN_LLM_TIMEOUT_MS: "2000",
          },
        });
        bea = await withModel.token({ workspace: "breakdown-model", email: "bea@acme.test" });
        const { body } = await withModel.call(bea.token, "create_task", {
          title: "Answer the security audit",
          description: "Auditors sent 12 findings",
          estimateMinutes: 120,
        });
        taskId = (body as Task).id;
      });
      after(async () => withModel?.close());

      it("proposes the model's subtasks, asking for JSON about this task", async () => {
        model.requests.length = 0;
        model.answer(() => ({ text: JSON.stringify({ subtasks: modelSteps }) }));
        const answer = await call();
        assert.equal(answer.source, "llm");
        assert.deepEqual(answer.subtasks, modelSteps);
        assert.equal(model.requests.length, 1);
        const sent = JSON.stringify(model.requests[0]?.body);
        assert.match(sent, /Answer the security audit/);
        assert.match(sent, /json_object/);
        assert.equal(model.requests[0]?.headers.authorization, "Bearer sk-test-secret");
      });

      it("asks once more when the answer does not fit the schema", async () => {
        model.requests.length = 0;
        let asked = 0;
        model.answer(() =>
          asked++ === 0
            ? { text: JSON.stringify({ subtasks: [{ title: "Only one step" }] }) }
            : { text: `\`\`\`json\n${JSON.stringify({ subtasks: modelSteps })}\n\`\`\`` },
        );
        const answer = await call();
        assert.equal(answer.source, "llm");
        assert.deepEqual(answer.subtasks, modelSteps);
        assert.equal(model.requests.length, 2);
      });

      it("falls back to history after a second invalid answer, and at once when the model fails", async () => {
        model.requests.length = 0;
        model.answer(() => ({ text: "Sure! First, read the findings..." }));
        const invalid = await call();
        assert.equal(invalid.source, "none");
        assert.match(invalid.message, /language model gave no usable answer/);
        assert.doesNotMatch(invalid.message, /sk-test-secret/);
        assert.equal(model.requests.length, 2);

        model.requests.length = 0;
        model.answer(() => ({ status: 503 }));
        assert.equal((await call()).source, "none");
        assert.equal(model.requests.length, 1, "an unavailable model is not asked twice");
      });
    });
  });
}
