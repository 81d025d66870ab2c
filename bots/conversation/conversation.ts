/**
 * The conversation core every chat surface shares: a message (or a button click) in, one reply out. It
 * parses, fills in what the conversation remembers ("it", "2", the last nudge), resolves tasks named by their
 * words through search_tasks, and runs the action as the person through the registry. It holds no business
 * logic: every effect is an action call.
 */
import { z } from "zod";
import { CairnError } from "../../engine/errors.ts";
import { type ConversationMemory, type ConversationState, type PendingChoice, recall } from "./memory.ts";
import { type ButtonCall, type Message, say } from "./message.ts";
import {
  doneAnswersNudge,
  NO_RECENT_NUDGE,
  type RecentNudge,
  recentNudge,
  typedAnswerReply,
} from "./nudge-answers.ts";
import { HELP_EXAMPLES, parseMessage } from "./parse.ts";
import type { ConversationPort } from "./port.ts";
import { isTaskReference } from "./references.ts";
import { replyFor, taskMentioned } from "./replies.ts";

/** What a surface gives the core for one person in one conversation. */
export type { ConversationPort };

const CHOICE_LIMIT = 5;

type Step = { reply: Message; state: ConversationState };

export async function respond(port: ConversationPort, text: string): Promise<Message> {
  const state = await recall(port.memory);
  const step = await understand(port, state, text.trim());
  await port.memory.save({ ...step.state, lastTurnAt: port.now().toISOString() });
  return step.reply;
}

/** A button on an earlier reply: the call it carries, run as the person who clicked. */
export async function respondToClick(port: ConversationPort, call: ButtonCall): Promise<Message> {
  const state = await recall(port.memory);
  const step = await run(port, { ...state, pending: undefined }, call.action, call.input);
  await port.memory.save(step.state);
  return step.reply;
}

/** Remembers the nudge a surface just delivered, so "snooze 30" answers it. */
export async function rememberNudge(memory: ConversationMemory, nudgeId: string): Promise<void> {
  const state = await recall(memory);
  await memory.save({ ...state, lastNudgeId: nudgeId });
}

async function understand(port: ConversationPort, state: ConversationState, text: string): Promise<Step> {
  if (state.pending) {
    const chosen = pick(state.pending, text);
    if (chosen) {
      const { action, input, field } = state.pending;
      return run(port, { ...state, pending: undefined }, action, { ...input, [field]: chosen.id });
    }
  }
  if (port.llm) {
    const picked = await port.llm.interpret({
      text,
      timezone: port.timezone,
      now: port.now(),
      tools: port.llm.tools(),
      lastTask: state.lastTask,
    });
    if (picked && "say" in picked) return { reply: say(picked.say), state: { ...state, pending: undefined } };
    if (picked)
      return run(port, { ...state, pending: undefined }, picked.action, taskWordsAsQueries(picked.input));
  }
  const parsed = parseMessage(text, { timezone: port.timezone, now: port.now() });
  if (parsed.action === null) return { reply: say(parsed.clarify), state: { ...state, pending: undefined } };
  if (parsed.action === "complete_task" && isPronoun(parsed.input.id) && port.has("list_nudges")) {
    // A bare "done" right after a nudge answers the nudge.
    const nudge = await recentNudge(port);
    if (nudge && doneAnswersNudge(state, nudge))
      return run(
        port,
        { ...state, pending: undefined },
        "answer_nudge",
        { answer: "done", nudgeId: nudge.id },
        nudge,
      );
  }
  return run(port, { ...state, pending: undefined }, parsed.action, parsed.input);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A model that names a task by its words in an id field gets them resolved like a typed message. */
function taskWordsAsQueries(input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const field of ["id", "taskId"]) {
    const value = out[field];
    if (typeof value === "string" && !UUID.test(value) && value.trim())
      out[field] = { taskQuery: value.trim() };
  }
  return out;
}

/** "2", "the second", or words of one choice's title. */
function pick(pending: PendingChoice, text: string): { id: string; title: string } | undefined {
  const lower = text.toLowerCase().replace(/[.!]$/, "").trim();
  const ordinals = ["first", "second", "third", "fourth", "fifth"];
  const number = /^#?(\d+)$/.exec(lower)?.[1];
  const index = number ? Number(number) - 1 : ordinals.findIndex((o) => lower === o || lower === `the ${o}`);
  if (index >= 0) return pending.choices[index];
  const matching = pending.choices.filter((c) => lower.length >= 3 && c.title.toLowerCase().includes(lower));
  return matching.length === 1 ? matching[0] : undefined;
}

const isPronoun = (value: unknown): boolean => isTaskReference(value) && "taskPronoun" in value;

async function run(
  port: ConversationPort,
  state: ConversationState,
  action: string,
  rawInput: Record<string, unknown>,
  typedNudge?: RecentNudge,
): Promise<Step> {
  if (action === "help") return { reply: helpReply(), state };
  if (action === KEEP_OPEN) return { reply: say("OK, I left it and its subtasks open."), state };
  if (!port.has(action))
    return {
      reply: say(`I understood that, but \`${action}\` is not available in this version of Cairn yet.`),
      state,
    };
  let input = { ...rawInput };
  for (const [field, value] of Object.entries(input)) {
    if (!isTaskReference(value)) continue;
    if ("taskPronoun" in value) {
      if (!state.lastTask) return { reply: say("Which task do you mean? Say its name."), state };
      input[field] = state.lastTask.id;
      continue;
    }
    const found = await findTask(port, value.taskQuery);
    if (found.kind === "none")
      return { reply: say(`I couldn't find an open task matching "${value.taskQuery}".`), state };
    if (found.kind === "several") {
      const pending: PendingChoice = { action, input, field, choices: found.choices };
      return { reply: whichOne(pending, value.taskQuery), state: { ...state, pending } };
    }
    input[field] = found.task.id;
  }
  const block = await resolveBlockRef(port, input);
  if (typeof block === "string") return { reply: say(block), state };
  input = block;
  let answered = typedNudge;
  if ((action === "snooze_nudge" || action === "answer_nudge") && input.nudgeId === undefined) {
    // Typed, not clicked: the most recent nudge sent to the person, wherever it went.
    answered = port.has("list_nudges") ? await recentNudge(port) : undefined;
    if (answered) input.nudgeId = answered.id;
    else if (state.lastNudgeId && !port.has("list_nudges")) input.nudgeId = state.lastNudgeId;
    else return { reply: say(NO_RECENT_NUDGE), state };
  }
  try {
    const output = await port.call(action, input);
    const mentioned = taskMentioned(action, output);
    return {
      reply: answered
        ? typedAnswerReply(answered, output)
        : replyFor(action, output, port.timezone, port.now()),
      state: mentioned
        ? { ...state, lastTask: mentioned }
        : action === "delete_task"
          ? { ...state, lastTask: undefined }
          : state,
    };
  } catch (error) {
    if (needsCascade(action, error) && typeof input.id === "string")
      return { reply: await confirmCascade(port, input.id), state };
    if (error instanceof CairnError && error.code !== "internal")
      return { reply: problemReply(error), state };
    throw error;
  }
}

/** The "No" button of a cascade question: nothing to run. */
const KEEP_OPEN = "keep_open";

const needsCascade = (action: string, error: unknown): boolean =>
  action === "complete_task" &&
  error instanceof CairnError &&
  error.code === "conflict" &&
  (error.details.issues ?? []).some((issue) => issue.path === "cascade");

const OpenSubtasks = z.object({ title: z.string(), openSubtasks: z.number().int() });

/** Completing a task with open subtasks asks first, with Yes (cascade) and No buttons. */
async function confirmCascade(port: ConversationPort, id: string): Promise<Message> {
  const task = OpenSubtasks.safeParse(await port.call("get_task", { id }));
  const count = task.success ? task.data.openSubtasks : 0;
  const question = `It has ${count} open subtask${count === 1 ? "" : "s"} — complete them too?`;
  return {
    text: task.success ? `${task.data.title}: ${question}` : question,
    parts: [
      ...(task.success ? [{ type: "heading" as const, text: task.data.title }] : []),
      { type: "text", text: question },
      {
        type: "buttons",
        buttons: [
          { label: "Yes", call: { action: "complete_task", input: { id, cascade: true } }, style: "primary" },
          { label: "No", call: { action: KEEP_OPEN, input: {} } },
        ],
      },
    ],
  };
}

type Found =
  | { kind: "one"; task: { id: string; title: string } }
  | { kind: "several"; choices: { id: string; title: string }[] }
  | { kind: "none" };

async function findTask(port: ConversationPort, query: string): Promise<Found> {
  const output = await port.call("search_tasks", {
    query,
    status: ["todo", "in_progress"],
    limit: CHOICE_LIMIT,
  });
  // Similar meaning alone is not enough to act on: a match shares a word with the query, or matched by text.
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const results = readSearch(output).filter(
    (r) => r.byText || words.some((w) => w.length >= 3 && r.title.toLowerCase().includes(w)),
  );
  const [best, second] = results;
  if (!best) return { kind: "none" };
  const hasAll = (title: string) => words.every((w) => title.toLowerCase().includes(w));
  const exact = results.filter((r) => r.title.toLowerCase() === query.toLowerCase());
  if (exact.length === 1 && exact[0]) return { kind: "one", task: exact[0] };
  const full = results.filter((r) => hasAll(r.title));
  if (full.length === 1 && full[0]) return { kind: "one", task: full[0] };
  if (!second || (full.length === 0 && best.score >= 1.5 * second.score)) return { kind: "one", task: best };
  const choices = (full.length > 1 ? full : results).map(({ id, title }) => ({ id, title }));
  return { kind: "several", choices };
}

const SearchResults = z.object({
  results: z.array(
    z.object({
      task: z.object({ id: z.string(), title: z.string() }),
      score: z.number(),
      matchedBy: z.array(z.string()),
    }),
  ),
});
const BlockIds = z.object({ blocks: z.array(z.object({ id: z.string(), end: z.string() })) });
const CurrentAndNext = z.object({
  current: z.object({ id: z.string() }).nullable(),
  next: z.object({ id: z.string() }).nullable(),
});

function readSearch(output: unknown): { id: string; title: string; score: number; byText: boolean }[] {
  const parsed = SearchResults.safeParse(output);
  return parsed.success
    ? parsed.data.results.map((r) => ({ ...r.task, score: r.score, byText: r.matchedBy.includes("text") }))
    : [];
}

/** `{blockRef: "current"|"next"|"this"|"last"}` → the block's id, through next_task and get_schedule. */
async function resolveBlockRef(
  port: ConversationPort,
  input: Record<string, unknown>,
): Promise<Record<string, unknown> | string> {
  const ref = input.blockId;
  if (typeof ref !== "object" || ref === null || !("blockRef" in ref)) return input;
  const which = String(ref.blockRef);
  if (which === "last") {
    const now = port.now();
    const from = new Date(now.getTime() - 24 * 3_600_000).toISOString();
    const schedule = await port.call("get_schedule", { from, to: now.toISOString() });
    const parsed = BlockIds.safeParse(schedule);
    const ended = (parsed.success ? parsed.data.blocks : []).filter(
      (b) => Date.parse(b.end) <= now.getTime(),
    );
    const last = ended.at(-1);
    return last ? { ...input, blockId: last.id } : "You had no focus block in the last day.";
  }
  const next = CurrentAndNext.safeParse(await port.call("next_task", {}));
  const block = next.success ? (which === "next" ? next.data.next : next.data.current) : null;
  if (!block)
    return which === "next" ? "There is no focus block coming up." : "There is no focus block right now.";
  return { ...input, blockId: block.id };
}

function whichOne(pending: PendingChoice, query: string): Message {
  const question = `Several tasks match "${query}". Which one? Answer with its number.`;
  return {
    text: question,
    parts: [
      { type: "text", text: question },
      {
        type: "list",
        items: pending.choices.map((choice, index) => ({
          text: `${index + 1}. ${choice.title}`,
          buttons: [
            {
              label: `${index + 1}`,
              call: { action: pending.action, input: { ...pending.input, [pending.field]: choice.id } },
            },
          ],
        })),
      },
    ],
  };
}

function problemReply(error: CairnError): Message {
  const fields = error.details.issues?.map((i) => `${i.path}: ${i.message}`).join("; ");
  return say(
    `I couldn't do that: ${error.message}${fields && !error.message.includes(fields) ? ` (${fields})` : ""}`,
  );
}

function helpReply(): Message {
  const examples = [
    ...HELP_EXAMPLES,
    "mark the hiring plan as done",
    "move it to tomorrow",
    "what's my schedule this week",
    "start focus for 50 min",
    "plan my week",
  ];
  return {
    text: `I can add and plan your tasks. Try: ${examples.join(", ")}.`,
    parts: [
      { type: "heading", text: "What I can do" },
      { type: "text", text: "Tell me in plain words. For example:" },
      { type: "list", items: examples.map((e) => ({ text: e })) },
    ],
  };
}
