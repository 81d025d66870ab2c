/**
 * How a message points at a task: by its words ("the hiring plan") or by a pronoun ("it", "that one") that
 * only the conversation's memory can resolve.
 */
export interface TaskQuery {
  taskQuery: string;
}

export interface TaskPronoun {
  taskPronoun: true;
}

export type TaskReference = TaskQuery | TaskPronoun;

const PRONOUNS = new Set([
  "it",
  "that",
  "this",
  "this one",
  "that one",
  "this task",
  "that task",
  "the task",
  "the last one",
  "the last task",
  "the one i just added",
]);

const LEADING = /^(?:the|my|our|a|an|task|todo|to-do)\s+/i;
const TRAILING = /\s+(?:task|todo|to-do|one|item|ticket|issue)$/i;

/** "the hiring plan task" → {taskQuery: "hiring plan"}; "it" → a pronoun. Undefined when nothing is left. */
export function taskReference(words: string): TaskReference | undefined {
  let text = words
    .trim()
    .replace(/^["'“‘]|["'”’]$/g, "")
    .replace(/[.!?,;:]+$/, "")
    .trim();
  if (PRONOUNS.has(text.toLowerCase())) return { taskPronoun: true };
  for (let changed = true; changed; ) {
    const next = text.replace(LEADING, "").replace(TRAILING, "").trim();
    changed = next !== text;
    text = next;
  }
  if (!text) return undefined;
  if (PRONOUNS.has(text.toLowerCase())) return { taskPronoun: true };
  return { taskQuery: text };
}

export function isTaskReference(value: unknown): value is TaskReference {
  return (
    typeof value === "object" &&
    value !== null &&
    ("taskQuery" in value || "taskPronoun" in value) &&
    Object.keys(value).length === 1
  );
}
