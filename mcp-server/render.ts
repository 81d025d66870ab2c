/**
 * The short text that accompanies `structuredContent` in a tool result, for clients (and models) that read
 * only `content`. Tasks are shown as one line each with their id, so a model can act on them; any other
 * shape falls back to compact JSON, cut at a size a model can take in.
 */
const MAX_TEXT = 6_000;
const MAX_LINES = 60;

interface TaskLike {
  id: string;
  title: string;
  status: string;
  due?: string | null;
  priority?: number;
  estimateMinutes?: number | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function asTask(value: unknown): TaskLike | undefined {
  if (!isRecord(value)) return undefined;
  const { id, title, status } = value;
  if (typeof id !== "string" || typeof title !== "string" || typeof status !== "string") return undefined;
  return value as unknown as TaskLike; // Checked above: the fields this module reads are present and typed.
}

export function taskLine(task: TaskLike): string {
  const facts = [task.status];
  if (task.due) facts.push(`due ${task.due}`);
  if (typeof task.priority === "number") facts.push(`p${task.priority}`);
  if (task.estimateMinutes) facts.push(`${task.estimateMinutes} min`);
  return `- ${task.title} (${facts.join(", ")}) [id ${task.id}]`;
}

/** A row of a list: a task, or an object that wraps one (search results: {task, score, ...}). */
function rowLine(value: unknown): string | undefined {
  const task = asTask(value);
  if (task) return taskLine(task);
  if (!isRecord(value)) return undefined;
  const inner = Object.values(value).map(asTask).find(Boolean);
  if (!inner) return undefined;
  const extras = Object.entries(value)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .map(([k, v]) => `${k} ${typeof v === "number" ? Math.round(v * 1000) / 1000 : v}`);
  return `${taskLine(inner)}${extras.length ? ` ${extras.join(", ")}` : ""}`;
}

function compactJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > MAX_TEXT
    ? `${text.slice(0, MAX_TEXT)}… (truncated; the full result is in structuredContent)`
    : text;
}

/** Renders an action's output for the `content` of a tool result. */
export function renderResult(title: string, output: unknown): string {
  const single = asTask(output);
  if (single) return `${title}: done.\n${taskLine(single)}`;
  if (isRecord(output)) {
    const lists = Object.entries(output).filter(([, v]) => Array.isArray(v));
    const rows = lists.flatMap(([key, list]) => {
      const items = list as unknown[];
      const lines = items.map(rowLine);
      if (items.length > 0 && lines.every(Boolean)) {
        const shown = lines.slice(0, MAX_LINES) as string[];
        const more = items.length > MAX_LINES ? [`… and ${items.length - MAX_LINES} more`] : [];
        return [`${key}: ${items.length}`, ...shown, ...more];
      }
      return [];
    });
    if (rows.length > 0) {
      const rest = Object.fromEntries(Object.entries(output).filter(([, v]) => !Array.isArray(v)));
      const tail = Object.keys(rest).length > 0 ? `\n${compactJson(rest)}` : "";
      return `${title}:\n${rows.join("\n")}${tail}`;
    }
    const list = lists[0];
    if (list && (list[1] as unknown[]).length === 0 && lists.length === 1) {
      const rest = Object.fromEntries(Object.entries(output).filter(([k]) => k !== list[0]));
      return `${title}: no ${list[0]}.${Object.keys(rest).length ? ` ${compactJson(rest)}` : ""}`;
    }
  }
  return `${title}:\n${compactJson(output)}`;
}
