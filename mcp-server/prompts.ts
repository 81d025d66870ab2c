/**
 * Prompts an assistant offers as commands (`/plan-my-day`, `/weekly-review`). Each gathers its context
 * through the same actions as the tools and names the tools to act with, so the conversation that follows
 * stays grounded in Cairn's data.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Actor } from "../engine/actions/define.ts";
import type { Task } from "../engine/domain.ts";
import type { Engine } from "../engine/engine.ts";
import { completedThisWeek, dueSoon, gatherer, insights, todayPlan } from "./context.ts";
import { redactSecrets } from "./redact.ts";
import { taskLine } from "./render.ts";

const lines = (tasks: readonly Task[], empty: string): string =>
  tasks.length === 0 ? empty : tasks.map((task) => taskLine(task)).join("\n");

const available = (engine: Engine, names: string[]): string[] =>
  names.filter((name) => engine.registry.get(name));

function prompt(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: "user", content: { type: "text", text } }] };
}

export function registerPrompts(mcp: McpServer, engine: Engine, actor: Actor): void {
  const g = gatherer(engine, actor);

  mcp.registerPrompt(
    "plan-my-day",
    {
      title: "Plan my day",
      description:
        "Builds today's plan with you: gathers today's schedule, overdue and due-today tasks, then proposes an order and focus blocks.",
      argsSchema: {
        focus: z
          .string()
          .max(500)
          .optional()
          .describe("What matters most today, in your own words (optional)"),
      },
    },
    async ({ focus }) => {
      const plan = await todayPlan(g);
      const tools = available(engine, [
        "plan_day",
        "start_focus",
        "reschedule_task",
        "update_task",
        "complete_task",
        "next_task",
      ]);
      const text = [
        `Help ${actor.person.name} plan ${plan.date} (${plan.timezone}) with Cairn.`,
        focus ? `What matters most to them today: ${focus}` : "",
        "",
        "In progress:",
        lines(plan.tasks.inProgress, "(nothing)"),
        "",
        "Overdue:",
        lines(plan.tasks.overdue, "(nothing overdue)"),
        "",
        "Due today:",
        lines(plan.tasks.dueToday, "(nothing due today)"),
        "",
        "Next up:",
        lines(plan.tasks.next, "(no other open tasks)"),
        "",
        plan.schedule !== undefined
          ? `Today's schedule (get_schedule):\n${JSON.stringify(redactSecrets(plan.schedule))}`
          : `No schedule from the planner${plan.scheduleError ? ` (${plan.scheduleError})` : ""}; plan from the task list.`,
        "",
        "Propose a realistic order for today with time estimates, flag what will not fit and ask before moving deadlines.",
        tools.length > 0
          ? `Then act with Cairn's tools: ${tools.join(", ")}.`
          : "Then act with Cairn's task tools.",
      ]
        .filter((line, index, all) => line !== "" || all[index - 1] !== "")
        .join("\n");
      return prompt(`Plan for ${plan.date}`, text);
    },
  );

  mcp.registerPrompt(
    "weekly-review",
    {
      title: "Weekly review",
      description:
        "Reviews the week with you: what got done, what slipped, the numbers, and what is due next week, then plans the week ahead.",
    },
    async () => {
      const [done, upcoming, numbers] = await Promise.all([completedThisWeek(g), dueSoon(g), insights(g)]);
      const tools = available(engine, ["plan_week", "reschedule_task", "update_task", "set_preferences"]);
      const overdue = upcoming.filter((task) => task.due && Date.parse(task.due) < Date.now());
      const text = [
        `Run a weekly review for ${actor.person.name} with Cairn (as of ${numbers.asOf}, ${numbers.timezone}).`,
        "",
        `Completed this week (${done.length}):`,
        lines(done.slice(0, 40), "(nothing completed yet this week)"),
        "",
        `Overdue (${overdue.length}):`,
        lines(overdue, "(nothing overdue)"),
        "",
        "Due by the end of next week:",
        lines(
          upcoming.filter((task) => !overdue.includes(task)),
          "(nothing due)",
        ),
        "",
        `Numbers: ${JSON.stringify(redactSecrets(numbers))}`,
        "",
        "Celebrate what got done, name what slipped and why it might have, and suggest at most three changes for next week.",
        tools.length > 0
          ? `Then plan the week ahead with Cairn's tools: ${tools.join(", ")}.`
          : "Then adjust due dates and priorities with update_task.",
      ].join("\n");
      return prompt("Weekly review", text);
    },
  );
}
