/**
 * The fields a person packs into one line about a task: "write the Q3 report by friday 2h #reports urgent".
 * Each reader takes its words out and leaves a mark where they were, so the connecting words around them
 * ("by", "due", "takes") go too and what remains is the title.
 */
import { type DatePhrase, extractDate, extractDuration, type ParseClock } from "./time-phrases.ts";

const MARK = "¶";

export interface TaskFields {
  title: string;
  due?: string;
  earliestStart?: string;
  estimateMinutes?: number;
  priority?: number;
  tags?: string[];
  energy?: "low" | "medium" | "high";
}

const PRIORITIES: Array<[RegExp, number]> = [
  [/\b(?:urgent(?:ly)?|asap|critical|top priority|highest priority|priority (?:1|one)|p1)\b|!!!/i, 1],
  [/\b(?:high priority|high-priority|important|priority (?:2|two|high)|p2)\b|!!/i, 2],
  [/\b(?:(?:medium|normal|regular) priority|priority (?:3|three|medium|normal)|p3)\b/i, 3],
  [
    /\b(?:low priority|low-priority|lowest priority|not urgent|whenever|someday|priority (?:4|four|low)|p4)\b/i,
    4,
  ],
];

const ENERGY: Array<[RegExp, TaskFields["energy"]]> = [
  [/\b(?:high[- ]energy|deep work|needs focus|hard)\b/i, "high"],
  [/\b(?:low[- ]energy|easy|quick|admin work|no[- ]brainer)\b/i, "low"],
];

const START_CUE = /(?:^|\s)(?:start(?:ing)?(?:\s+on)?|not before|after|from|beginning|begin(?:ning)?)\s*$/i;

function mark(text: string, index: number, length: number): string {
  return `${text.slice(0, index)} ${MARK} ${text.slice(index + length)}`.replace(/\s+/g, " ");
}

/** Drops connecting words just before each mark, then the marks. */
function tidy(text: string): string {
  let result = text;
  for (let i = 0; i < 4; i++) {
    result = result.replace(
      new RegExp(
        `(^|\\s)(?:due(?:\\s+(?:by|on|date|before))?|by|before|until|till|no later than|on|at|for|in|about|around|roughly|approx(?:imately)?|~|takes?|taking|will take|should take|estimated?(?:\\s+at)?|estimate(?:\\s+of)?|with|priority|and|,|-|–|start(?:ing)?(?:\\s+on)?|not before|after|from)\\s*${MARK}`,
        "gi",
      ),
      `$1${MARK}`,
    );
  }
  return result
    .split(MARK)
    .map((part) => part.trim())
    .filter(Boolean)
    .join(" ")
    .replace(/\s+([,.;:!?])/g, "$1")
    .replace(/^[\s,;:\-–—]+|[\s,;:\-–—]+$/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function takePhrase(text: string, pattern: RegExp): { text: string; found: boolean } {
  const match = pattern.exec(text);
  if (!match) return { text, found: false };
  return { text: mark(text, match.index, match[0].length), found: true };
}

/** Reads every field it can and returns what is left as the title (empty when nothing is). */
export function readTaskFields(raw: string, clock: ParseClock): TaskFields {
  let text = ` ${raw.trim()} `;
  const quoted = /["“]([^"”]+)["”]/.exec(raw) ?? /(?:^|\s)'([^']+)'(?:\s|$)/.exec(raw);
  const fields: Omit<TaskFields, "title"> = {};

  const tags = [...text.matchAll(/(?:^|\s)#([\p{L}\p{N}_-]+)/gu)].map((m) => (m[1] ?? "").toLowerCase());
  if (tags.length > 0) {
    fields.tags = [...new Set(tags)];
    text = text.replace(/(?:^|\s)#[\p{L}\p{N}_-]+/gu, ` ${MARK} `);
  }

  for (const [pattern, priority] of PRIORITIES) {
    const taken = takePhrase(text, pattern);
    if (taken.found) {
      fields.priority = priority;
      text = taken.text;
      break;
    }
  }
  // Energy words stay in the title ("deep work on the pricing model"), except an explicit "high energy".
  for (const [pattern, energy] of ENERGY) {
    if (!pattern.test(text)) continue;
    fields.energy = energy;
    text = takePhrase(text, /\b(?:high|low)[- ]energy\b/i).text;
    break;
  }

  const duration = extractDuration(text);
  if (duration) {
    fields.estimateMinutes = duration.value;
    text = markFound(text, duration.rest);
  }

  // Up to two dates: a deadline and a start ("start monday, due friday").
  for (let i = 0; i < 2; i++) {
    const date = extractDate(text, clock);
    if (!date) break;
    const before = text.slice(0, text.toLowerCase().indexOf(date.value.text.toLowerCase()));
    const isStart = START_CUE.test(before);
    if (isStart && !fields.earliestStart) fields.earliestStart = startIso(date.value, clock);
    else if (!isStart && !fields.due) fields.due = date.value.iso;
    else break;
    text = markFound(text, date.rest);
  }

  const title = quoted?.[1]?.trim() || tidy(text);
  return { title, ...fields };
}

/** A start with no time of day means the start of that day's work. */
function startIso(phrase: DatePhrase, clock: ParseClock): string {
  if (phrase.hasTime) return phrase.iso;
  return extractDate(phrase.text, clock, 9)?.value.iso ?? phrase.iso;
}

/** The extractors return the text with the phrase cut; put a mark where it was instead. */
function markFound(before: string, after: string): string {
  const a = before.replace(/\s+/g, " ").trim();
  const b = after.replace(/\s+/g, " ").trim();
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return ` ${a.slice(0, start)} ${MARK} ${a.slice(endA)} `;
}
