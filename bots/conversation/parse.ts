/**
 * Free text → one action call, with no AI service. Intents are tried in order; the first that recognises the
 * message builds the action's input. Dates are ISO 8601 with the person's offset, durations are minutes, and a
 * task named by its words is `{taskQuery}` (the conversation resolves it through search_tasks).
 */

import { DateTime, IANAZone } from "luxon";
import { WEEKDAYS, type Weekday } from "../../engine/domain.ts";
import { isTaskReference, type TaskReference, taskReference } from "./references.ts";
import { readTaskFields } from "./task-fields.ts";
import {
  dayBounds,
  extractDate,
  extractDuration,
  isoOf,
  localDate,
  type ParseClock,
} from "./time-phrases.ts";

export type { ParseClock } from "./time-phrases.ts";

/** Every action the conversation can call, including those other parts of Cairn are still adding. */
export const CHAT_ACTIONS = [
  "create_task",
  "update_task",
  "complete_task",
  "delete_task",
  "list_tasks",
  "search_tasks",
  "suggest_tags",
  "next_task",
  "plan_day",
  "plan_week",
  "get_schedule",
  "start_focus",
  "reschedule_task",
  "respond_to_block",
  "set_preferences",
  "sync_now",
  "whoami",
  "help",
  "get_insights",
  "get_score",
  "snooze_nudge",
  "answer_nudge",
  "list_nudges",
  "what_if",
  "estimate_task",
  "break_down_task",
  "create_subtasks",
] as const;
export type ChatAction = (typeof CHAT_ACTIONS)[number];

export type ParseResult =
  | { action: ChatAction; input: Record<string, unknown> }
  | { action: null; clarify: string };

type Intent = (text: string, clock: ParseClock) => ParseResult | undefined;

const WEEKDAY_WORDS: Record<string, Weekday> = {
  monday: "mon",
  mon: "mon",
  tuesday: "tue",
  tue: "tue",
  tues: "tue",
  wednesday: "wed",
  wed: "wed",
  thursday: "thu",
  thu: "thu",
  thurs: "thu",
  friday: "fri",
  fri: "fri",
  saturday: "sat",
  sat: "sat",
  sunday: "sun",
  sun: "sun",
};

export const HELP_EXAMPLES = [
  "add write the Q3 report by friday 2h",
  "what should I do now?",
  "plan my day",
] as const;

const action = (name: ChatAction, input: Record<string, unknown> = {}): ParseResult => ({
  action: name,
  input,
});
const clarify = (question: string): ParseResult => ({ action: null, clarify: question });

function normalise(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/^\s*(?:<@[\w|.-]+>|@cairn)[\s,:]*/i, "")
    .replace(/^\s*(?:(?:hey|hi|hello|ok|okay|please|pls|cairn)[\s,!]+)+/i, "")
    .replace(/\s+(?:please|pls|thanks|thank you)[.!]*\s*$/i, "")
    .replace(/\s+/g, " ")
    .trim();
}

function ref(words: string, missing: string): TaskReference | ParseResult {
  return taskReference(words) ?? clarify(missing);
}

function withTask(words: string, missing: string, build: (task: TaskReference) => ParseResult): ParseResult {
  const task = ref(words, missing);
  return isTaskReference(task) ? build(task) : task;
}

// ——— small intents ————————————————————————————————————————————————————————————————

const help: Intent = (text) =>
  /^(?:help|\?|h|commands|menu|what can you do\??|what do you do\??|how (?:do i use|does this work|do you work)( this| you)?\??|usage)$/i.test(
    text,
  )
    ? action("help")
    : undefined;

const whoami: Intent = (text) =>
  /^(?:who ?am ?i|whoami|which account( is this| am i)?|what account( is this| am i using)?)\??$/i.test(text)
    ? action("whoami")
    : undefined;

const score: Intent = (text) =>
  /\b(?:my )?(?:productivity )?score\b|\bmy streaks?\b|\bstreak\b/i.test(text)
    ? action("get_score")
    : undefined;

const insights: Intent = (text) =>
  /\binsights?\b|\bhow am i doing\b|\bhow(?:'s| is) my (?:week|month) going\b|\b(?:my )?(?:peak|best|most productive) (?:hours|time)\b|\bwhen do i (?:work best|focus best)\b|\bburn ?out\b|\bprocrastinat|\bmy (?:rhythm|patterns?|habits report)\b|\bam i (?:overloaded|overworked)\b/i.test(
    text,
  )
    ? action("get_insights")
    : undefined;

/** "what if I take Friday off", "what if I'm off tomorrow": a day off tried on a copy of the plan. */
const whatIf: Intent = (text, clock) => {
  const match =
    /^what if (?:i|we) (?:take|took|had|have|get)? ?(.+?) off\??$|^what if (?:i'?m|i am|i was|i were) (?:off|out|away) (.+?)\??$/i.exec(
      text,
    );
  if (!match) return undefined;
  const phrase = (match[1] ?? match[2] ?? "").replace(/^(?:the day|a day|on)\s+/i, "");
  const date = extractDate(phrase, clock);
  if (!date) return clarify('Which day? For example "what if I take Friday off".');
  return action("what_if", { changes: [{ type: "day_off", date: date.value.date }] });
};

/** "how long will the Q3 report really take": the calibrated estimate of a task named by its words. */
const estimate: Intent = (text) => {
  const match = /^how long will (.+?) (?:really )?take(?: me)?\??$/i.exec(text);
  if (!match?.[1]) return undefined;
  return withTask(match[1].replace(/^(?:the task )/i, ""), "Which task?", (task) =>
    action("estimate_task", { taskId: task }),
  );
};

const breakDown: Intent = (text) => {
  const clean = text.replace(/[?.!]+$/, "").trim();
  const match =
    /^(?:break|split)\s+(?:down|up)\s+(.+?)(?:\s+into\s+(?:sub)?(?:tasks|steps))?$/i.exec(clean) ??
    /^(?:break|split)\s+(.+?)\s+(?:down|up|into\s+(?:sub)?(?:tasks|steps))$/i.exec(clean);
  if (!match?.[1]) return undefined;
  return withTask(match[1].replace(/^(?:the task )/i, ""), "Which task should I break down?", (task) =>
    action("break_down_task", { taskId: task }),
  );
};

const snooze: Intent = (text, clock) => {
  const match =
    /^(?:snooze|remind me (?:again )?(?:later|in))\b(?:\s+(?:it|this|that|the nudge|the reminder))?(?:\s+(?:for|by))?\s*(.*)$/i.exec(
      text,
    );
  if (!match) return undefined;
  const rest = (match[1] ?? "").trim();
  if (!rest) return action("snooze_nudge", { minutes: 30 });
  if (/^\d+$/.test(rest)) return action("snooze_nudge", { minutes: Number(rest) });
  if (/^(?:until )?tomorrow\b/i.test(rest)) {
    const date = extractDate(rest, clock, 9);
    if (date) return action("snooze_nudge", { until: date.value.iso });
  }
  const duration = extractDuration(rest.replace(/^in\s+/i, ""));
  if (duration) return action("snooze_nudge", { minutes: duration.value });
  const date = extractDate(rest, clock, 9);
  if (date) return action("snooze_nudge", { until: date.value.iso });
  return action("snooze_nudge", { minutes: 30 });
};

const answerNudge: Intent = (text) => {
  if (
    /^(?:skip|dismiss|ignore|not now|no thanks|nope)(?: (?:it|this|that|the nudge|the reminder|for now))?\.?$/i.test(
      text,
    )
  )
    return action("answer_nudge", { answer: "skip" });
  if (/^(?:got it|on it|will do|ok,? (?:starting|on it))\.?$/i.test(text))
    return action("answer_nudge", { answer: "done" });
  return undefined;
};

/** "reschedule", "reschedule to tomorrow": the last nudge's task moves (a task named by its words is reschedule_task's). */
const rescheduleNudge: Intent = (text) => {
  const match =
    /^(?:reschedule|re-schedule)(?: (?:this|that|the nudge|the reminder|the block))?(?: (?:to|for|until|till|on) (.+?))?[.!]*$/i.exec(
      text,
    );
  if (!match) return undefined;
  const when = match[1]?.trim();
  return action("answer_nudge", { answer: "reschedule", ...(when ? { when } : {}) });
};

const listNudges: Intent = (text) =>
  /^(?:(?:show|list|see|what are)(?: me)? )?(?:my |the |all my |all )?(?:recent |latest |last )?(?:nudges|coaching nudges)(?: today)?\??$|^which (?:nudges|reminders) did i get(?: today)?\??$/i.test(
    text,
  )
    ? action("list_nudges", {})
    : undefined;

const sync: Intent = (text) => {
  if (
    !/^(?:please )?(?:sync|re-?sync|refresh|pull|update)(?: (?:now|everything|all|again|my (?:tasks|calendars?|data|connections)|(?:from |with )?(?:notion|jira|google(?: calendar)?|caldav|ics|calendars?|sources|connections)))*(?: from scratch| fully)?\.?$/i.test(
      text,
    ) &&
    !/^(?:do a |run a |start a )?(?:full )?(?:sync|re-?sync)(?: now)?\.?$/i.test(text)
  )
    return undefined;
  const full = /\b(?:full|from scratch|fully|everything again)\b/i.test(text);
  return action("sync_now", full ? { full: true } : {});
};

const nextTask: Intent = (text) =>
  /^(?:so,? )?(?:what (?:should|shall|do|can|could) i (?:do|work on|focus on|tackle|start)(?: (?:now|next|first|right now|today))?|what(?:'s| is) next|what now|next(?: task)?|what to do(?: now| next)?|what(?:'s| is) my next task|give me (?:a|my next) task|(?:is there )?anything (?:to do|i should do)(?: now)?|where (?:should|do) i start|i'?m free,? what now)\??$/i.test(
    text,
  )
    ? action("next_task")
    : undefined;

// ——— focus ————————————————————————————————————————————————————————————————————————

const startFocus: Intent = (text) => {
  const match =
    /^(?:let'?s |let me |i want to |i'?d like to |time to |i'?m going to )?(?:start|begin|do|go into|enter|have)?\s*(?:a |an |some )?(?:(\d+)[- ]?(?:min(?:ute)?s?|m)\s+)?(focus(?: time| session| block| mode)?|deep work|pomodoro|focus sprint)\b(.*)$/i.exec(
      text,
    ) ?? /^focus\b(.*)$/i.exec(text);
  if (!match) return undefined;
  const kind = match.length > 2 ? (match[2] ?? "") : "focus";
  let rest = (match.length > 2 ? match[3] : match[1]) ?? "";
  const input: Record<string, unknown> = {};
  const leading = match.length > 2 ? match[1] : undefined;
  if (leading) input.minutes = Number(leading);
  const bare = /^\s*(?:for\s+)?(\d{1,3})\s*$/.exec(rest);
  if (bare) {
    input.minutes = Number(bare[1]);
    rest = "";
  }
  const duration = extractDuration(rest);
  if (duration) {
    input.minutes = duration.value;
    rest = duration.rest;
  }
  if (input.minutes === undefined && /pomodoro/i.test(kind)) input.minutes = 25;
  rest = rest
    .replace(/^\s*(?:now|for|on|with|please|right now)\b/gi, "")
    .replace(/\b(?:for|now)\s*$/i, "")
    .trim();
  const onTask = /^(?:on|working on|for)?\s*(.+)$/i.exec(rest.replace(/^(?:for\s*)+/i, ""));
  const words = onTask?.[1]?.replace(/^(?:on|for)\s+/i, "").trim();
  if (words && !/^(?:now|time|mode|please|session)$/i.test(words)) {
    const task = taskReference(words);
    if (task) input.taskId = task;
  }
  if (typeof input.minutes === "number") input.minutes = Math.min(240, Math.max(5, input.minutes));
  return action("start_focus", input);
};

// ——— planning and schedule ———————————————————————————————————————————————————————————

function weekDate(text: string, clock: ParseClock): string | undefined {
  if (/\bnext week\b/i.test(text)) {
    const local = DateTime.fromJSDate(clock.now, { zone: clock.timezone });
    return local.plus({ weeks: 1 }).startOf("week").toISODate() ?? undefined;
  }
  if (/\b(?:this|my|the|current)?\s*week\b/i.test(text) && !/\b(?:of|starting)\b/i.test(text))
    return undefined;
  const date = extractDate(text.replace(/\bweek\b/i, ""), clock, 9);
  return date?.value.date;
}

const planWeek: Intent = (text, clock) => {
  if (!/\b(?:plan|schedule|organi[sz]e|lay out|map out)\b.*\bweek\b|^weekly plan\b|^plan week\b/i.test(text))
    return undefined;
  const date = weekDate(text, clock);
  return action("plan_week", date ? { date } : {});
};

const planDay: Intent = (text, clock) => {
  const match =
    /^(?:can you |could you |please )?(?:re-?plan|plan|schedule|organi[sz]e|lay out|map out|block out)\s+(?:out\s+)?(?:my |the )?(day|today|tomorrow|(?:this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|.+)?\??$/i.exec(
      text,
    ) ??
    /^(?:(?:re-?)?plan(?:ning)?|day plan|daily plan)(?: for| of)?(?: (today|tomorrow|.+))?\??$/i.exec(text);
  if (!match) return undefined;
  const what = (match[1] ?? "day").trim();
  if (/^(?:my )?(?:day|today)$/i.test(what)) return action("plan_day", { date: localDate(clock) });
  const date = extractDate(what, clock, 9);
  if (!date) return undefined;
  return action("plan_day", { date: date.value.date });
};

const schedule: Intent = (text, clock) => {
  const asks =
    /\b(?:schedule|calendar|agenda|timeline|meetings|my day|my week|my plan|the plan)\b|\bwhat(?:'s| is| do i have)\s+(?:on|up|planned)\b|\bwhat does (?:my|the) .+ look like\b|\bam i (?:free|busy)\b|\bwhat do i have\b|\bwhat(?:'s| is) (?:happening|going on)\b|\bwhen am i free\b|^(?:today|tomorrow)\??$/i;
  if (!asks.test(text)) return undefined;
  if (/\b(?:add|create|new|connect|delete|remove|sync)\b/i.test(text)) return undefined;
  if (/\bweek\b/i.test(text)) {
    const date = weekDate(text, clock);
    const start = date
      ? DateTime.fromISO(date, { zone: clock.timezone }).startOf("week")
      : DateTime.fromJSDate(clock.now, { zone: clock.timezone }).startOf("day");
    return action("get_schedule", { from: isoOf(start), to: isoOf(start.plus({ days: 7 })) });
  }
  const date = extractDate(text, clock, 9);
  const day = localDate(clock, date?.value);
  return action("get_schedule", dayBounds(clock, day));
};

// ——— tasks ————————————————————————————————————————————————————————————————————————

const listTasks: Intent = (text, clock) => {
  const overdue = /\boverdue\b|\blate tasks\b|\bwhat(?:'s| is| am i) (?:late|behind)\b/i.test(text);
  const lists =
    overdue ||
    /^(?:list|show|show me|display|give me|what are|see)\b.*\b(?:tasks?|todos?|to-dos?|work|backlog|inbox)\b|^(?:my )?(?:tasks|todos|to-dos|todo list|to-do list|backlog)\??$|\bwhat(?:'s| is) (?:due|left|open|on my (?:plate|list))\b|\bwhat do i (?:have|still have) to do\b|\bwhat(?:'s| is) on my plate\b/i.test(
      text,
    );
  if (!lists) return undefined;
  const input: Record<string, unknown> = { mine: !/\b(?:all|everyone'?s|team'?s?|workspace)\b/i.test(text) };
  if (/\b(?:done|completed|finished|closed)\b/i.test(text)) input.status = "done";
  else input.status = ["todo", "in_progress"];
  const now = DateTime.fromJSDate(clock.now, { zone: clock.timezone });
  if (overdue) input.dueBefore = isoOf(now);
  else if (/\bdue\b|\btoday\b|\btomorrow\b|\bthis week\b|\bnext week\b/i.test(text)) {
    if (/\bthis week\b/i.test(text)) input.dueBefore = isoOf(now.endOf("week").plus({ milliseconds: 1 }));
    else if (/\bnext week\b/i.test(text))
      input.dueBefore = isoOf(now.plus({ weeks: 1 }).endOf("week").plus({ milliseconds: 1 }));
    else {
      const date = extractDate(text.replace(/^.*\bdue\b/i, ""), clock);
      if (date) input.dueBefore = dayBounds(clock, date.value.date).to;
    }
  }
  const tag = /#([\p{L}\p{N}_-]+)|\btagged\s+([\p{L}\p{N}_-]+)/iu.exec(text);
  if (tag) input.tag = (tag[1] ?? tag[2] ?? "").toLowerCase();
  const source = /\bfrom (notion|jira)\b/i.exec(text);
  if (source) input.source = (source[1] ?? "").toLowerCase();
  if (/\bby priority\b|\bmost important\b/i.test(text)) input.order = "priority";
  return action("list_tasks", input);
};

const searchTasks: Intent = (text) => {
  const match =
    /^(?:find|search(?: for)?|look (?:for|up)|where(?:'s| is)|do i have (?:a |any )?tasks?)\s+(?:(?:a |any |my |the )?(?:tasks?|todos?)\s+)?(?:(?:about|for|on|related to|matching|mentioning|with|called|named)\s+)?(.+?)\??$/i.exec(
      text,
    );
  if (!match) return undefined;
  const query = (match[1] ?? "").replace(/^["']|["']$/g, "").trim();
  return query ? action("search_tasks", { query }) : clarify("What should I search for?");
};

const suggestTags: Intent = (text) => {
  const match = /^(?:suggest|propose|recommend)\s+(?:some\s+)?tags?\s+(?:for|on)\s+(.+?)\??$/i.exec(text);
  if (!match) return undefined;
  const title = (match[1] ?? "").replace(/^["']|["']$/g, "").trim();
  return title ? action("suggest_tags", { title }) : clarify("Which task should I suggest tags for?");
};

const completeTask: Intent = (text) => {
  const patterns = [
    /^(?:mark|set|check off|tick off|flag)\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished|closed)$/i,
    /^(?:mark|check|tick)\s+(?:off\s+)?(.+?)(?:\s+off)?$/i,
    /^(?:complete|finish|close|resolve)\s+(?:the\s+)?(?:task\s+)?(.+)$/i,
    /^(?:i(?:'ve| have)?\s+)?(?:just\s+)?(?:finished|completed|done with|wrapped up|shipped|closed)\s+(.+)$/i,
    /^(.+?)\s+(?:is|was|are)\s+(?:now\s+)?(?:done|finished|complete|completed)$/i,
    /^done(?: with)?[:\s]+(.+)$/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text.replace(/[.!]+$/, ""));
    if (match?.[1])
      return withTask(match[1], "Which task is done?", (task) => action("complete_task", { id: task }));
  }
  if (/^(?:done|finished|completed|i'?m done|all done)[.!]*$/i.test(text))
    return action("complete_task", { id: { taskPronoun: true } });
  return undefined;
};

const deleteTask: Intent = (text) => {
  const match =
    /^(?:delete|remove|drop|trash|discard|get rid of|cancel)\s+(?:the\s+)?(?:task\s+)?(.+?)(?:\s+(?:task|from my list))?[.!]*$/i.exec(
      text,
    );
  if (!match?.[1]) return undefined;
  if (/^(?:my )?(?:block|focus|meeting|nudge|reminder)s?\b/i.test(match[1])) return undefined;
  return withTask(match[1], "Which task should I delete?", (task) => action("delete_task", { id: task }));
};

const reschedule: Intent = (text) => {
  const match =
    /^(?:move|reschedule|push|postpone|shift|defer|bump|put|slot)\s+(.+?)\s+(?:to|until|till|into|onto|for|back to|out to)\s+(.+)$/i.exec(
      text,
    ) ??
    /^(?:work on|do)\s+(.+?)\s+((?:tomorrow|today|tonight|this|next|on|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b.*)$/i.exec(
      text,
    );
  if (!match?.[1] || !match[2]) return undefined;
  const what = match[1];
  if (/\b(?:deadline|due date)\b/i.test(what)) return undefined;
  const when = match[2].replace(/[.!]+$/, "").trim();
  return withTask(what, "Which task should I move?", (task) =>
    action("reschedule_task", { taskId: task, when }),
  );
};

const updateTask: Intent = (text, clock) => {
  const t = text.replace(/[.!]+$/, "");
  const field =
    /^(?:change|set|update|make|put)\s+(?:the\s+)?(estimate|estimated time|duration|length|due date|deadline|due|priority|title|name|energy)\s+(?:of|for|on)\s+(.+?)\s+(?:to|as|at)\s+(.+)$/i.exec(
      t,
    );
  if (field?.[2] && field[3]) return fieldUpdate(field[1] ?? "", field[2], field[3], clock);
  const rename = /^rename\s+(.+?)\s+(?:to|as)\s+(.+)$/i.exec(t);
  if (rename?.[1] && rename[2]) {
    const title = rename[2].replace(/^["']|["']$/g, "").trim();
    return withTask(rename[1], "Which task should I rename?", (task) =>
      action("update_task", { id: task, title }),
    );
  }
  const makePriority =
    /^(?:make|mark|set)\s+(.+?)\s+(?:as\s+)?(urgent|high priority|important|low priority|normal priority|medium priority|p[1-4])$/i.exec(
      t,
    );
  if (makePriority?.[1] && makePriority[2])
    return fieldUpdate("priority", makePriority[1], makePriority[2], clock);
  const takes = /^(.+?)\s+(?:will take|takes|should take|needs|is going to take)\s+(.+)$/i.exec(t);
  if (takes?.[1] && takes[2] && extractDuration(takes[2]))
    return fieldUpdate("estimate", takes[1], takes[2], clock);
  const due = /^(.+?)\s+(?:is (?:now )?due|due date is|deadline is|is due)\s+(.+)$/i.exec(t);
  if (due?.[1] && due[2]) return fieldUpdate("due", due[1], due[2], clock);
  const pushDeadline =
    /^(?:push|move|extend|change)\s+(?:the\s+)?(?:deadline|due date)\s+(?:of|for|on)\s+(.+?)\s+(?:to|until|till)\s+(.+)$/i.exec(
      t,
    );
  if (pushDeadline?.[1] && pushDeadline[2])
    return fieldUpdate("due", pushDeadline[1], pushDeadline[2], clock);
  const noDue =
    /^(?:remove|clear|drop)\s+(?:the\s+)?(?:deadline|due date)\s+(?:of|for|on|from)\s+(.+)$/i.exec(t);
  if (noDue?.[1])
    return withTask(noDue[1], "Which task?", (task) => action("update_task", { id: task, due: null }));
  return undefined;
};

function priorityOf(words: string): number | undefined {
  const w = words.toLowerCase().trim();
  if (/^p?[1-4]$/.test(w)) return Number(w.replace("p", ""));
  if (/urgent|critical|asap|highest|top/.test(w)) return 1;
  if (/high|important/.test(w)) return 2;
  if (/medium|normal|regular/.test(w)) return 3;
  if (/low/.test(w)) return 4;
  return undefined;
}

function fieldUpdate(field: string, taskWords: string, value: string, clock: ParseClock): ParseResult {
  const f = field.toLowerCase();
  const patch: Record<string, unknown> = {};
  if (/estimate|duration|length/.test(f)) {
    const minutes = extractDuration(value)?.value;
    if (!minutes) return clarify(`How long will it take? For example "2h" or "45 min".`);
    patch.estimateMinutes = minutes;
  } else if (/due|deadline/.test(f)) {
    if (/^(?:none|nothing|no date|never)$/i.test(value.trim())) patch.due = null;
    else {
      const date = extractDate(value, clock);
      if (!date) return clarify(`When is it due? For example "friday" or "March 12 at 3pm".`);
      patch.due = date.value.iso;
    }
  } else if (/priority/.test(f)) {
    const priority = priorityOf(value);
    if (!priority) return clarify("Which priority: urgent, high, normal or low?");
    patch.priority = priority;
  } else if (/energy/.test(f)) {
    const energy = /high/i.test(value) ? "high" : /low/i.test(value) ? "low" : "medium";
    patch.energy = energy;
  } else {
    patch.title = value.replace(/^["']|["']$/g, "").trim();
  }
  return withTask(taskWords, "Which task should I change?", (task) =>
    action("update_task", { id: task, ...patch }),
  );
}

const respondToBlock: Intent = (text) => {
  const match =
    /^(?:(accept|keep|confirm|skip|delete|remove|drop|decline)\s+(?:this|that|the|my)?\s*(?:(current|next|this|last)\s+)?(?:focus\s+)?block|(?:i )?(?:did|finished) (?:the |this |my )?(?:focus )?block(?: (late))?)\.?$/i.exec(
      text,
    );
  if (!match) return undefined;
  const verb = (match[1] ?? "done").toLowerCase();
  const response =
    verb === "accept" || verb === "keep" || verb === "confirm"
      ? "accept"
      : verb === "done"
        ? match[3]
          ? "done_late"
          : "done"
        : "delete";
  return action("respond_to_block", {
    response,
    blockId: { blockRef: (match[2] ?? "current").toLowerCase() },
  });
};

// ——— preferences ———————————————————————————————————————————————————————————————————

function zoneFrom(words: string): string | undefined {
  const cleaned = words
    .trim()
    .replace(/[.!?]+$/, "")
    .replace(/\s+/g, "_");
  if (IANAZone.isValidZone(cleaned)) return IANAZone.create(cleaned).name;
  const city = cleaned.toLowerCase();
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.find((zone) => zone.toLowerCase().split("/").pop() === city);
}

function clock24(
  hour: number,
  minute: number,
  meridiem: string | undefined,
  isEnd: boolean,
  startHour?: number,
): string {
  let h = hour;
  const m = meridiem?.toLowerCase();
  if (m === "pm" && h < 12) h += 12;
  if (m === "am" && h === 12) h = 0;
  if (!m && isEnd && startHour !== undefined && h <= startHour) h += 12;
  if (!m && !isEnd && h >= 1 && h <= 5) h += 12;
  return `${String(Math.min(h, 24)).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

const HOUR_RANGE =
  /(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*(?:-|–|to|until|till)\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?/i;

function hourRange(text: string): { start: string; end: string } | undefined {
  const m = HOUR_RANGE.exec(text);
  if (!m) return undefined;
  const startMeridiem = m[3] ?? (m[6]?.toLowerCase() === "am" ? "am" : undefined);
  const start = clock24(Number(m[1]), Number(m[2] ?? 0), startMeridiem, false);
  const end = clock24(Number(m[4]), Number(m[5] ?? 0), m[6], true, Number(start.slice(0, 2)));
  return start < end ? { start, end } : undefined;
}

function daysFrom(text: string): Weekday[] | undefined {
  const t = text.toLowerCase();
  if (/\b(?:every ?day|daily|all week|7 days)\b/.test(t)) return [...WEEKDAYS];
  if (/\bweekdays?\b|\bmon(?:day)?\s*(?:-|–|to|through|thru)\s*fri(?:day)?\b/.test(t))
    return ["mon", "tue", "wed", "thu", "fri"];
  if (/\bsun(?:day)?\s*(?:-|–|to|through|thru)\s*thu(?:rsday)?\b/.test(t))
    return ["sun", "mon", "tue", "wed", "thu"];
  if (/\bweekends?\b/.test(t)) return ["sat", "sun"];
  const range =
    /\b(mon|tue|wed|thu|fri|sat|sun)\w*\s*(?:-|–|to|through|thru)\s*(mon|tue|wed|thu|fri|sat|sun)\w*/.exec(t);
  if (range) {
    const from = WEEKDAYS.indexOf(range[1] as Weekday);
    const to = WEEKDAYS.indexOf(range[2] as Weekday);
    const days: Weekday[] = [];
    for (let i = from; ; i = (i + 1) % 7) {
      days.push(WEEKDAYS[i] as Weekday);
      if (i === to || days.length === 7) break;
    }
    return days;
  }
  const named = [
    ...t.matchAll(
      /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs)?|fri|sat|sun)s?\b/g,
    ),
  ]
    .map((m) => WEEKDAY_WORDS[m[1] ?? ""])
    .filter((d): d is Weekday => d !== undefined);
  return named.length > 0 ? [...new Set(named)] : undefined;
}

const preferences: Intent = (text) => {
  const t = text.replace(/[.!]+$/, "");
  const zone =
    /\b(?:time ?zone|tz)\b(?:\s+(?:is|to|=|as))?\s+(?:now\s+)?([\w/+-]+(?:\s[\w/+-]+)?)$/i.exec(t) ??
    /^(?:i(?:'m| am) (?:in|based in|living in|now in)|i live in|i moved to)\s+([\w/ +-]+)$/i.exec(t);
  if (zone?.[1]) {
    const timezone = zoneFrom(zone[1]);
    return timezone
      ? action("set_preferences", { timezone })
      : clarify(
          `I don't know the time zone "${zone[1]}". Use an IANA name such as Europe/Berlin or America/New_York.`,
        );
  }
  if (/\bno[- ]meeting days?\b|\bno meetings (?:on )?\b/i.test(t)) {
    const days = daysFrom(t.replace(/^.*?\bno[- ]meetings?(?: days?)?\b/i, ""));
    return days
      ? action("set_preferences", { noMeetingDays: days })
      : clarify("Which days should stay free of meetings?");
  }
  if (/\b(?:week starts|weeks start|start(?:s)? (?:my|the) week|first day of (?:the|my) week)\b/i.test(t)) {
    const days = daysFrom(t);
    const day = days?.[0];
    return day
      ? action("set_preferences", { weekStartsOn: day })
      : clarify("Which day does your week start on?");
  }
  if (/\b(?:peak hours?|most productive|best (?:hours|time)|energy peak|sharpest)\b/i.test(t)) {
    const range = hourRange(t);
    if (!range) return clarify('When are your peak hours? For example "9-11".');
    return action("set_preferences", {
      peakHours: [
        [
          Number(range.start.slice(0, 2)),
          Math.max(Number(range.end.slice(0, 2)), Number(range.start.slice(0, 2)) + 1),
        ],
      ],
    });
  }
  if (/\bbuffer\b|\bbreak(?:s)? (?:between|around|after|before) meetings\b|\bgap between\b/i.test(t)) {
    const minutes = extractDuration(t)?.value ?? (/\bno buffer\b/i.test(t) ? 0 : undefined);
    if (minutes === undefined) return clarify('How long a buffer around meetings? For example "15 min".');
    return action("set_preferences", { bufferMinutes: Math.min(120, minutes) });
  }
  if (
    /\b(?:focus (?:cap|limit)|daily (?:cap|limit|focus)|(?:max(?:imum)?|at most|no more than|up to|limit(?: me)?(?: to)?|cap(?: me)?(?: at)?)\b.*\b(?:focus|deep work)\b.*\b(?:a|per|each) day\b|\bfocus\b.*\b(?:a|per|each) day\b)/i.test(
      t,
    )
  ) {
    const minutes = extractDuration(t)?.value;
    if (!minutes) return clarify('How much focus time per day at most? For example "4h".');
    return action("set_preferences", { maxFocusMinutesPerDay: Math.min(1440, Math.max(15, minutes)) });
  }
  if (/\b(?:shortest|minimum|min|at least)\b.*\bblocks?\b|\bblocks? of at least\b/i.test(t)) {
    const minutes = extractDuration(t)?.value;
    if (minutes) return action("set_preferences", { minBlockMinutes: minutes });
  }
  if (
    /\b(?:longest|maximum|max|at most)\b.*\bblocks?\b|\bblocks? of at most\b|\bblocks? no longer than\b/i.test(
      t,
    )
  ) {
    const minutes = extractDuration(t)?.value;
    if (minutes) return action("set_preferences", { maxBlockMinutes: minutes });
  }
  const works =
    /^(?:i|we)\s+(?:usually\s+|normally\s+)?work\b|\bworking hours\b|\bwork hours\b|\bmy (?:work ?)?day (?:is|runs)\b|\boffice hours\b/i.test(
      t,
    );
  if (works) {
    const range = hourRange(t);
    if (!range) return clarify('What are your working hours? For example "9-17 mon-fri".');
    const days = daysFrom(t.replace(HOUR_RANGE, " ")) ?? ["mon", "tue", "wed", "thu", "fri"];
    const workingHours = Object.fromEntries(days.map((day) => [day, [range]]));
    return action("set_preferences", { workingHours });
  }
  if (/^(?:i )?(?:don'?t|do not|never) work (?:on )?(.+)$/i.test(t)) {
    const days = daysFrom(t);
    if (days)
      return action("set_preferences", { workingHours: Object.fromEntries(days.map((d) => [d, []])) });
  }
  return undefined;
};

// ——— create ——————————————————————————————————————————————————————————————————————

const CREATE =
  /^(?:(?:please\s+)?(?:add|create|new|make(?=\s+(?:a|an|me a|another)\s+(?:new\s+)?(?:task|todo|to-do|reminder)\b)|log|capture|jot down|note)(?:\s+(?:a|an|new|another|me a))?(?:\s+(?:task|todo|to-do|to do|item|reminder))?(?:\s+(?:to|for|called|named|titled|that says))?[:\s]+|(?:remind me to|i need to|i have to|i must|i should|i've got to|i gotta|need to|don'?t forget to|todo|to-do|task)[:\s]+)(.+)$/i;

const createTask: Intent = (text, clock) => {
  const match = CREATE.exec(text);
  if (!match?.[1]) return undefined;
  const body = match[1].replace(/\s+(?:to|on|in) my (?:list|tasks|todo list|to-do list)\b/i, "");
  const fields = readTaskFields(body, clock);
  if (!fields.title) return clarify("What is the task? For example: add write the Q3 report by friday 2h");
  return action("create_task", { ...fields });
};

/** "add subtask write outline to Draft Q3 report": the last "to"/"under" names the parent. */
const createSubtask: Intent = (text, clock) => {
  const match =
    /^(?:please\s+)?(?:add|create|new)\s+(?:a\s+)?sub-?task\s+(.+)\s+(?:to|under|for)\s+(.+?)[.!]*$/i.exec(
      text,
    );
  if (!match?.[1] || !match[2]) return undefined;
  const fields = readTaskFields(match[1], clock);
  if (!fields.title)
    return clarify("What is the subtask? For example: add subtask write outline to Draft Q3 report");
  return withTask(match[2], "Which task is it a subtask of?", (parent) =>
    action("create_task", { ...fields, parentId: parent }),
  );
};

/** "subtasks of Draft Q3 report", "show the subtasks of the launch". */
const listSubtasks: Intent = (text) => {
  const match =
    /^(?:(?:list|show|show me|what are)\s+)?(?:the\s+)?sub-?tasks\s+(?:of|for|under|in)\s+(.+?)\??$/i.exec(
      text,
    );
  if (!match?.[1]) return undefined;
  return withTask(match[1], "Which task's subtasks?", (parent) =>
    action("list_tasks", { parentId: parent, tree: true }),
  );
};

/** Order matters: specific phrasings before general ones, creating last. */
const INTENTS: Intent[] = [
  help,
  whoami,
  snooze,
  answerNudge,
  rescheduleNudge,
  listNudges,
  sync,
  nextTask,
  respondToBlock,
  preferences,
  planWeek,
  planDay,
  startFocus,
  score,
  insights,
  whatIf,
  estimate,
  breakDown,
  createSubtask,
  listSubtasks,
  suggestTags,
  createTask,
  updateTask,
  reschedule,
  completeTask,
  deleteTask,
  searchTasks,
  listTasks,
  schedule,
];

export function unknownReply(): string {
  return `I didn't catch that. Try "${HELP_EXAMPLES[0]}", "${HELP_EXAMPLES[1]}" or "${HELP_EXAMPLES[2]}".`;
}

/** One message, understood with no memory of the conversation. */
export function parseMessage(message: string, clock: ParseClock): ParseResult {
  const text = normalise(message);
  if (!text) return clarify(unknownReply());
  for (const intent of INTENTS) {
    const result = intent(text, clock);
    if (result) return result;
  }
  return clarify(unknownReply());
}

/** Parse mode has no memory: a pronoun cannot be resolved, so it becomes a question. */
export function parseStandalone(message: string, clock: ParseClock): ParseResult {
  const result = parseMessage(message, clock);
  if (result.action === null) return result;
  for (const [key, value] of Object.entries(result.input)) {
    if (isTaskReference(value) && "taskPronoun" in value) {
      return clarify(
        key === "id" && result.action === "complete_task" ? "Which task is done?" : "Which task do you mean?",
      );
    }
  }
  return result;
}

export function isChatAction(name: string): name is ChatAction {
  return (CHAT_ACTIONS as readonly string[]).includes(name);
}

export function validTimezone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}
