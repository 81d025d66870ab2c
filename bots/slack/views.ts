/**
 * Slack views: the App Home tab (today's plan, what to do now, buttons) and the task modal (create or edit),
 * plus reading a modal submission back into an action input.
 */
import { DateTime } from "luxon";
import type { Message } from "../conversation/message.ts";
import { type SlackBlock, toBlockKit } from "./block-kit.ts";

export const TASK_MODAL = "cairn_task_modal";
export const OPEN_TASK_MODAL = "cairn_open_task_modal";
export const CREATE_FROM_MESSAGE = "cairn_create_task_from_message";
export const EDIT_TASK = "cairn_edit_task";

const MAX_HOME_BLOCKS = 100;

/** The Home tab: a header, the replies given (what's next, today's schedule), and the home's own buttons. */
export function homeView(parts: Message[], updatedAt: string): Record<string, unknown> {
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: "Your day with Cairn", emoji: true } },
    {
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: OPEN_TASK_MODAL,
          text: { type: "plain_text", text: "Add a task", emoji: true },
          style: "primary",
          value: "{}",
        },
      ],
    },
  ];
  for (const message of parts) {
    blocks.push({ type: "divider" });
    blocks.push(...toBlockKit(message).blocks);
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Updated ${updatedAt}` }] });
  return { type: "home", blocks: blocks.slice(0, MAX_HOME_BLOCKS) };
}

export interface TaskModalValues {
  taskId?: string;
  title?: string;
  description?: string;
  /** YYYY-MM-DD in the person's zone. */
  dueDate?: string;
  estimateMinutes?: number;
  priority?: number;
}

/** Where the modal's reply goes (the channel and thread a shortcut came from, else the person's DM). */
export interface ModalMetadata {
  taskId?: string;
  channel?: string;
  threadTs?: string;
}

const PRIORITIES = [
  { value: "1", label: "P1 · urgent" },
  { value: "2", label: "P2 · high" },
  { value: "3", label: "P3 · normal" },
  { value: "4", label: "P4 · low" },
];

const option = (value: string, label: string) => ({
  text: { type: "plain_text", text: label },
  value,
});

export function taskModal(values: TaskModalValues, metadata: ModalMetadata): Record<string, unknown> {
  const priority = PRIORITIES.find((p) => p.value === String(values.priority ?? 3)) ?? PRIORITIES[2];
  return {
    type: "modal",
    callback_id: TASK_MODAL,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: values.taskId ? "Edit task" : "New task" },
    submit: { type: "plain_text", text: values.taskId ? "Save" : "Add task" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: "title",
        label: { type: "plain_text", text: "Task" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: 500,
          ...(values.title ? { initial_value: values.title.slice(0, 500) } : {}),
        },
      },
      {
        type: "input",
        block_id: "due",
        optional: true,
        label: { type: "plain_text", text: "Due" },
        element: {
          type: "datepicker",
          action_id: "value",
          ...(values.dueDate ? { initial_date: values.dueDate } : {}),
        },
      },
      {
        type: "input",
        block_id: "estimate",
        optional: true,
        label: { type: "plain_text", text: "Estimate (minutes)" },
        element: {
          type: "number_input",
          action_id: "value",
          is_decimal_allowed: false,
          min_value: "1",
          max_value: "10000",
          ...(values.estimateMinutes ? { initial_value: String(values.estimateMinutes) } : {}),
        },
      },
      {
        type: "input",
        block_id: "priority",
        label: { type: "plain_text", text: "Priority" },
        element: {
          type: "static_select",
          action_id: "value",
          options: PRIORITIES.map((p) => option(p.value, p.label)),
          initial_option: option(priority?.value ?? "3", priority?.label ?? "P3 · normal"),
        },
      },
      {
        type: "input",
        block_id: "description",
        optional: true,
        label: { type: "plain_text", text: "Notes" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 3000,
          ...(values.description ? { initial_value: values.description.slice(0, 3000) } : {}),
        },
      },
    ],
  };
}

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

function inputValue(state: StateValues, block: string): Record<string, unknown> | undefined {
  return state[block]?.value;
}

/**
 * The create_task / update_task input from a submitted modal: a due date is the end of that day (17:00) in the
 * person's zone; the task id comes from the modal's metadata.
 */
export function taskInputFromModal(
  state: StateValues,
  metadata: ModalMetadata,
  timezone: string,
): { action: "create_task" | "update_task"; input: Record<string, unknown> } {
  const title = String(inputValue(state, "title")?.value ?? "").trim();
  const description = inputValue(state, "description")?.value;
  const date = inputValue(state, "due")?.selected_date;
  const estimate = inputValue(state, "estimate")?.value;
  const priority = (inputValue(state, "priority")?.selected_option as { value?: string } | undefined)?.value;
  const input: Record<string, unknown> = { title };
  if (typeof description === "string" && description.trim()) input.description = description.trim();
  if (typeof date === "string" && date) {
    input.due = DateTime.fromISO(date, { zone: timezone }).set({ hour: 17 }).toISO();
  }
  if (typeof estimate === "string" && estimate) input.estimateMinutes = Number(estimate);
  if (priority) input.priority = Number(priority);
  if (metadata.taskId) return { action: "update_task", input: { id: metadata.taskId, ...input } };
  return { action: "create_task", input };
}

export function readMetadata(raw: string | undefined): ModalMetadata {
  try {
    const parsed = JSON.parse(raw ?? "{}") as unknown;
    if (typeof parsed !== "object" || parsed === null) return {};
    const { taskId, channel, threadTs } = parsed as Record<string, unknown>;
    return {
      ...(typeof taskId === "string" ? { taskId } : {}),
      ...(typeof channel === "string" ? { channel } : {}),
      ...(typeof threadTs === "string" ? { threadTs } : {}),
    };
  } catch {
    return {};
  }
}
