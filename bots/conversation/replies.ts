/**
 * An action's typed result as a reply. Each result is read with the action's own output schema (no casts);
 * an action without a reply of its own says its `message`, or that it is done.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { PlanResult, ScheduledBlock } from "../../engine/actions/planning.ts";
import { InsightsWithBehavior } from "../../engine/behavior/insights.ts";
import { Person, Task, Workspace } from "../../engine/domain.ts";
import { WhatIfResult } from "../../engine/scheduling/service/what-if.ts";
import type { Button, Message, MessagePart, TimelineItem } from "./message.ts";
import { say, stripMarks } from "./message.ts";
import { nudgeReply } from "./nudges.ts";

const PRIORITY = ["", "urgent", "high", "normal", "low"] as const;

/** complete_task's result: the task and what closed with it (older builds answer without the list). */
const Completed = Task.extend({
  alsoCompleted: z
    .array(z.object({ id: z.string(), title: z.string(), why: z.enum(["subtask", "parent"]) }))
    .default([]),
});

function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h && m ? `${h}h ${m}min` : h ? `${h}h` : `${m} min`;
}

function localTime(iso: string, timezone: string): string {
  return DateTime.fromISO(iso, { zone: timezone }).setLocale("en-GB").toFormat("ccc d LLL HH:mm");
}

const done = (task: { id: string }): Button => ({
  label: "Done",
  call: { action: "complete_task", input: { id: task.id } },
  style: "primary",
});

function taskFields(task: Task, timezone: string): MessagePart {
  const fields = [{ label: "Priority", value: PRIORITY[task.priority] ?? String(task.priority) }];
  if (task.due) fields.push({ label: "Due", value: localTime(task.due, timezone) });
  if (task.estimateMinutes) fields.push({ label: "Estimate", value: duration(task.estimateMinutes) });
  if (task.tags.length) fields.push({ label: "Tags", value: task.tags.join(", ") });
  return { type: "fields", fields };
}

function taskDetail(task: Task, timezone: string): string | undefined {
  const bits = [
    task.due && `due ${localTime(task.due, timezone)}`,
    task.estimateMinutes && duration(task.estimateMinutes),
    task.priority <= 2 && PRIORITY[task.priority],
  ].filter(Boolean);
  return bits.length ? bits.join(" · ") : undefined;
}

function blockItem(block: ScheduledBlock): TimelineItem {
  return {
    start: block.start,
    end: block.end,
    title: block.taskTitle ?? block.habitTitle ?? "Focus time",
    kind: block.kind === "habit" ? "habit" : "focus",
    detail: block.reason,
  };
}

/** One timeline part per local day the items touch, in order. */
function timelines(items: TimelineItem[], timezone: string, days?: string[]): MessagePart[] {
  const byDay = new Map<string, TimelineItem[]>();
  for (const day of days ?? []) byDay.set(day, []);
  for (const item of items) {
    const day = DateTime.fromISO(item.start, { zone: timezone }).toISODate() as string;
    byDay.set(day, [...(byDay.get(day) ?? []), item]);
  }
  return [...byDay.keys()]
    .sort()
    .map((date) => ({ type: "timeline", date, timezone, items: byDay.get(date) ?? [] }));
}

const ScheduleOutput = z.object({
  timezone: z.string(),
  from: z.string(),
  blocks: z.array(ScheduledBlock),
  events: z.array(
    z.object({
      title: z.string(),
      start: z.string(),
      end: z.string(),
      allDay: z.boolean(),
      busy: z.boolean(),
    }),
  ),
});
const NextOutput = z.object({
  current: ScheduledBlock.nullable(),
  next: ScheduledBlock.nullable(),
  suggestion: z
    .object({ taskId: z.string(), title: z.string(), estimateMinutes: z.number().nullable() })
    .nullable(),
  reason: z.string(),
});
const TaskList = z.object({ tasks: z.array(Task) });
const SearchOutput = z.object({ results: z.array(z.object({ task: Task })) });
const WhoamiOutput = z.object({ person: Person, workspace: Workspace });
const Deleted = z.object({ deleted: z.literal(true) });
const WithMessage = z.object({ message: z.string() });
const Breakdown = z.object({
  taskId: z.string(),
  subtasks: z.array(z.object({ title: z.string(), estimateMinutes: z.number().optional() })),
  message: z.string(),
});

const TagSuggestions = z.object({
  suggestions: z.array(
    z.object({ tag: z.string(), confidence: z.number(), basis: z.array(z.object({ title: z.string() })) }),
  ),
});
const SyncOutput = z.object({
  results: z.array(z.object({ name: z.string().optional() }).passthrough()),
  queued: z.array(z.string()),
  totals: z.record(z.string(), z.unknown()),
});

function taskList(tasks: Task[], timezone: string, heading: string, empty: string): Message {
  if (tasks.length === 0) return say(empty);
  return {
    text: `${heading} (${tasks.length})`,
    parts: [
      { type: "heading", text: heading },
      {
        type: "list",
        items: tasks.map((task) => ({
          text: task.title,
          detail: taskDetail(task, timezone),
          buttons: task.status === "done" ? [] : [done(task)],
        })),
      },
    ],
  };
}

/** The next few task blocks with what a person does with them: done, skip, or move to tomorrow. */
function blockButtons(blocks: readonly ScheduledBlock[], limit = 3): MessagePart[] {
  const upcoming = blocks.filter((b) => b.kind === "task" && b.taskId && b.status !== "done").slice(0, limit);
  if (upcoming.length === 0) return [];
  return [
    {
      type: "list",
      items: upcoming.map((block) => ({
        text: `${block.taskTitle ?? "Focus"}, ${block.when}`,
        buttons: [
          {
            label: "Done",
            call: { action: "respond_to_block", input: { blockId: block.id, response: "done" } },
            style: "primary",
          },
          {
            label: "Skip",
            call: { action: "respond_to_block", input: { blockId: block.id, response: "delete" } },
          },
          {
            label: "Tomorrow",
            call: { action: "reschedule_task", input: { taskId: block.taskId, when: "tomorrow" } },
          },
        ],
      })),
    },
  ];
}

function planReply(plan: z.infer<typeof PlanResult>): Message {
  const parts: MessagePart[] = [{ type: "text", text: plan.summary }];
  parts.push(...timelines(plan.blocks.map(blockItem), plan.timezone));
  parts.push(...blockButtons(plan.blocks));
  if (plan.unscheduled.length > 0) {
    parts.push({ type: "heading", text: "Did not fit" });
    parts.push({
      type: "list",
      items: plan.unscheduled.map((u) => ({
        text: u.taskTitle,
        detail: `${duration(u.remainingMinutes)} · ${u.reason}`,
      })),
    });
  }
  return { text: stripMarks(plan.summary), parts };
}

/** Renders one successful action call for a person in `timezone`. */
export function replyFor(action: string, output: unknown, timezone: string, now = new Date()): Message {
  const nudge = nudgeReply(action, output, timezone);
  if (nudge) return nudge;
  switch (action) {
    case "create_task":
    case "update_task":
    case "get_task": {
      const task = Task.safeParse(output);
      if (!task.success) break;
      const verb =
        action === "create_task"
          ? task.data.parentId
            ? "Added subtask"
            : "Added"
          : action === "update_task"
            ? "Updated"
            : "Task";
      const buttons: Button[] = [
        done(task.data),
        { label: "Plan my day", call: { action: "plan_day", input: {} } },
      ];
      return {
        text: `${verb}: ${task.data.title}`,
        parts: [
          { type: "text", text: `${verb} **${task.data.title}**` },
          taskFields(task.data, timezone),
          { type: "buttons", buttons },
        ],
      };
    }
    case "complete_task": {
      const task = Completed.safeParse(output);
      if (!task.success) break;
      const subtasks = task.data.alsoCompleted.filter((c) => c.why === "subtask").length;
      const parents = task.data.alsoCompleted.filter((c) => c.why === "parent").map((c) => `**${c.title}**`);
      const extra = [
        subtasks ? ` with its ${subtasks} open subtask${subtasks === 1 ? "" : "s"}` : "",
        parents.length ? `. That was the last open subtask, so ${parents.join(" and ")} is done too` : "",
      ].join("");
      return say(`Marked **${task.data.title}** as done${extra}. Nice work.`);
    }
    case "delete_task":
      if (Deleted.safeParse(output).success) return say("Deleted the task.");
      break;
    case "list_tasks": {
      const list = TaskList.safeParse(output);
      if (list.success) return taskList(list.data.tasks, timezone, "Your tasks", "You have no open tasks.");
      break;
    }
    case "search_tasks": {
      const found = SearchOutput.safeParse(output);
      if (found.success)
        return taskList(
          found.data.results.map((r) => r.task),
          timezone,
          "Matching tasks",
          "No task matches that.",
        );
      break;
    }
    case "plan_day":
    case "plan_week": {
      const plan = PlanResult.safeParse(output);
      if (plan.success) return planReply(plan.data);
      break;
    }
    case "get_schedule": {
      const schedule = ScheduleOutput.safeParse(output);
      if (!schedule.success) break;
      const items: TimelineItem[] = [
        ...schedule.data.blocks.map(blockItem),
        ...schedule.data.events
          .filter((e) => e.busy && !e.allDay)
          .map((e) => ({ start: e.start, end: e.end, title: e.title || "Busy", kind: "meeting" as const })),
      ];
      if (items.length === 0)
        return say("Nothing is planned in that range yet. Say **plan my day** to plan it.");
      const ahead = schedule.data.blocks.filter((b) => Date.parse(b.end) > now.getTime());
      return {
        text: "Your schedule",
        parts: [...timelines(items, schedule.data.timezone), ...blockButtons(ahead)],
      };
    }
    case "next_task": {
      const next = NextOutput.safeParse(output);
      if (!next.success) break;
      const { current, suggestion, reason } = next.data;
      const buttons: Button[] = [];
      if (current?.taskId) buttons.push(done({ id: current.taskId }));
      else if (suggestion) {
        buttons.push({
          label: "Start focus",
          call: {
            action: "start_focus",
            input: {
              taskId: suggestion.taskId,
              minutes: Math.min(240, Math.max(5, suggestion.estimateMinutes ?? 50)),
            },
          },
          style: "primary",
        });
        buttons.push(done({ id: suggestion.taskId }));
      }
      const parts: MessagePart[] = [{ type: "text", text: reason }];
      if (next.data.next)
        parts.push({
          type: "context",
          text: `Next: ${next.data.next.taskTitle ?? next.data.next.habitTitle ?? "focus time"}, ${next.data.next.when}`,
        });
      if (buttons.length) parts.push({ type: "buttons", buttons });
      return { text: stripMarks(reason), parts };
    }
    case "whoami": {
      const me = WhoamiOutput.safeParse(output);
      if (me.success)
        return say(
          `You are **${me.data.person.name}** (${me.data.person.email}) in **${me.data.workspace.name}**, time zone ${me.data.person.timezone}.`,
        );
      break;
    }
    case "get_insights": {
      const numbers = InsightsWithBehavior.safeParse(output);
      if (!numbers.success) break;
      const n = numbers.data;
      const hours = n.peakHours.hours.map(([from, to]) => `${from}:00–${to}:00`).join(", ");
      const atRisk = n.completion.filter((c) => c.probability < 0.5).length;
      const fields = [
        { label: "Open", value: `${n.open} (${n.overdue} overdue, ${n.dueToday} due today)` },
        { label: "Done this week", value: String(n.completedThisWeek) },
        { label: "Best hours", value: hours || `${n.peakHours.bestHour}:00` },
        { label: "Work runs", value: `${Math.round((n.effort.multiplier - 1) * 100)} % over estimates` },
        { label: "Deadlines at risk", value: String(atRisk) },
        { label: "Load", value: n.burnout.level },
      ];
      const basis =
        n.basis === "population"
          ? "Too little history yet: these are typical figures, not yours. They become yours as you work with Cairn."
          : `From your last ${Math.round(n.history.days)} days.`;
      return {
        text: `Score ${n.score.value}: ${n.score.explanation}`,
        parts: [
          {
            type: "heading",
            text: `Score ${n.score.value}${n.score.streakDays > 1 ? ` · ${n.score.streakDays}-day streak` : ""}`,
          },
          { type: "text", text: n.score.explanation },
          { type: "fields", fields },
          { type: "context", text: basis },
        ],
      };
    }
    case "what_if": {
      const result = WhatIfResult.safeParse(output);
      if (!result.success) break;
      const { moved, newlyAtRisk, newlyUnscheduled, summary, timezone } = result.data;
      const parts: MessagePart[] = [{ type: "text", text: summary }];
      const lines = moved.slice(0, 6).map((m) => {
        const to = m.to ? localTime(m.to.start, timezone) : "no place this week";
        return `${m.title || "Habit"}: ${localTime(m.from.start, timezone)} → ${to}`;
      });
      if (lines.length) parts.push({ type: "text", text: lines.join("\n") });
      const risky = newlyAtRisk.map((r) => ({
        label: r.title,
        value: `${Math.round(r.probability * 100)} % by ${localTime(r.due, timezone)}`,
      }));
      if (risky.length) parts.push({ type: "fields", fields: risky });
      if (newlyUnscheduled.length)
        parts.push({
          type: "context",
          text: `Would not fit: ${newlyUnscheduled.map((u) => u.title || "a habit").join(", ")}`,
        });
      return { text: stripMarks(summary), parts };
    }
    case "estimate_task": {
      const result = z
        .object({
          title: z.string(),
          estimateMinutes: z.number().nullable(),
          predictedMinutes: z.number(),
          low: z.number(),
          high: z.number(),
          reason: z.string(),
        })
        .safeParse(output);
      if (!result.success) break;
      const e = result.data;
      const raw = e.estimateMinutes ? ` (you estimated ${duration(e.estimateMinutes)})` : "";
      return say(
        `“${e.title}” will likely take **${duration(e.predictedMinutes)}**${raw}, between ${duration(e.low)} and ${duration(e.high)} 8 times in 10. ${e.reason}`,
      );
    }
    case "get_score": {
      const result = z.object({ score: InsightsWithBehavior.shape.score }).safeParse(output);
      if (!result.success) break;
      const { value, streakDays, explanation } = result.data.score;
      return {
        text: `Score ${value}: ${explanation}`,
        parts: [
          { type: "heading", text: `Score ${value}${streakDays > 1 ? ` · ${streakDays}-day streak` : ""}` },
          { type: "text", text: explanation },
        ],
      };
    }
    case "break_down_task": {
      const proposal = Breakdown.safeParse(output);
      if (!proposal.success) break;
      const { taskId, subtasks, message } = proposal.data;
      if (subtasks.length === 0) return say(message);
      return {
        text: message,
        parts: [
          { type: "heading", text: "Proposed subtasks" },
          {
            type: "list",
            items: subtasks.map((step) => ({
              text: step.title,
              ...(step.estimateMinutes ? { detail: `${step.estimateMinutes} min` } : {}),
            })),
          },
          { type: "context", text: message },
          {
            type: "buttons",
            buttons: [
              {
                label: "Create these subtasks",
                style: "primary",
                call: { action: "create_subtasks", input: { parentId: taskId, subtasks } },
              },
            ],
          },
        ],
      };
    }
    case "suggest_tags": {
      const found = TagSuggestions.safeParse(output);
      if (!found.success) break;
      const { suggestions } = found.data;
      if (suggestions.length === 0) return say("No similar tagged tasks yet, so I have no tags to suggest.");
      return {
        text: `Suggested tags: ${suggestions.map((s) => s.tag).join(", ")}`,
        parts: [
          { type: "heading", text: "Suggested tags" },
          {
            type: "list",
            items: suggestions.map((s) => ({
              text: s.tag,
              detail: `${Math.round(s.confidence * 100)} % · like ${s.basis.map((b) => b.title).join(", ")}`,
            })),
          },
        ],
      };
    }
    case "sync_now": {
      const sync = SyncOutput.safeParse(output);
      if (sync.success)
        return sync.data.queued.length > 0
          ? say(`Syncing ${sync.data.queued.length} connection(s) in the background.`)
          : say(`Synced ${sync.data.results.length} connection(s).`);
      break;
    }
  }
  const withMessage = WithMessage.safeParse(output);
  return withMessage.success ? say(withMessage.data.message) : say("Done.");
}

/** The task an output is about, for "it" in the next message. */
export function taskMentioned(action: string, output: unknown): { id: string; title: string } | undefined {
  if (action === "delete_task") return undefined;
  const task = Task.safeParse(output);
  if (task.success) return { id: task.data.id, title: task.data.title };
  const next = NextOutput.safeParse(output);
  if (next.success) {
    const { current, suggestion } = next.data;
    if (current?.taskId) return { id: current.taskId, title: current.taskTitle ?? "the task" };
    if (suggestion) return { id: suggestion.taskId, title: suggestion.title };
  }
  return undefined;
}
