/**
 * Notion page → SourceTask. Which property is the title, status, due date... is detected from the page's
 * own property types and names, and a connection can override any of it with `propertyMap`.
 */
import { z } from "zod";
import type { SourceTask } from "../../engine/sync/connector.ts";
import { urlsIn } from "../../engine/sync/dedupe.ts";

export const TaskField = z.enum([
  "title",
  "status",
  "done",
  "due",
  "start",
  "priority",
  "estimate",
  "assignee",
  "dependsOn",
  "parent",
  "tags",
  "link",
  "description",
]);
export type TaskField = z.infer<typeof TaskField>;

export const PropertyMap = z.partialRecord(TaskField, z.string().min(1));
export type PropertyMap = z.infer<typeof PropertyMap>;

const PropertyValue = z.looseObject({ id: z.string().optional(), type: z.string() });
type PropertyValue = z.infer<typeof PropertyValue>;

export const NotionPage = z.looseObject({
  object: z.literal("page").optional(),
  id: z.string().min(1),
  url: z.string().nullable().optional(),
  last_edited_time: z.string(),
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional(),
  parent: z
    .looseObject({ data_source_id: z.string().optional(), database_id: z.string().optional() })
    .optional(),
  properties: z.record(z.string(), PropertyValue),
});
export type NotionPage = z.infer<typeof NotionPage>;

const namePatterns: Partial<Record<TaskField, RegExp>> = {
  done: /^(done|complete|completed|finished|closed)\??$/i,
  due: /due|deadline/i,
  start: /start|begin|scheduled/i,
  priority: /priority|prio/i,
  estimate: /estimate|effort|duration|hours?|hrs|minutes|mins?\b|time/i,
  assignee: /assign|owner|person|people/i,
  dependsOn: /blocked|depends|dependenc|prerequisite|waiting on/i,
  // Notion's sub-items feature adds a "Parent item" relation (and its "Sub-item" twin) to the data source.
  parent: /^parent(\s+(item|task))?$/i,
  tags: /tag|label|categor/i,
  description: /note|description|details|summary/i,
};

/** Numbers that measure size, not time: never read as an estimate unless propertyMap names them. */
const notTime = /points?\b|\bsize\b|\bsp\b|story|complexity|t-?shirt/i;

const typesFor: Record<TaskField, string[]> = {
  title: ["title"],
  status: ["status", "select"],
  done: ["checkbox"],
  due: ["date"],
  start: ["date"],
  priority: ["select", "status"],
  estimate: ["number"],
  assignee: ["people"],
  dependsOn: ["relation"],
  parent: ["relation"],
  tags: ["multi_select"],
  link: ["url"],
  description: ["rich_text"],
};

/** The property name used for each field, detected from types and names unless the map names it. */
export function detectProperties(
  properties: Record<string, PropertyValue>,
  map: PropertyMap = {},
): Partial<Record<TaskField, string>> {
  const out: Partial<Record<TaskField, string>> = {};
  const entries = Object.entries(properties);
  const byType = (types: string[]) =>
    entries.filter(([, value]) => types.includes(value.type)).map(([name]) => name);
  for (const field of TaskField.options) {
    const mapped = map[field];
    if (mapped) {
      if (mapped in properties) out[field] = mapped;
      continue;
    }
    const candidates = byType(typesFor[field]);
    const pattern = namePatterns[field];
    let chosen: string | undefined;
    switch (field) {
      case "status":
        chosen = byType(["status"])[0] ?? candidates.find((name) => /status|state|stage/i.test(name));
        break;
      case "priority":
        chosen = candidates.find((name) => pattern?.test(name));
        break;
      case "due":
        chosen =
          candidates.find((name) => pattern?.test(name)) ??
          candidates.find((name) => !namePatterns.start?.test(name));
        break;
      case "start":
      case "dependsOn":
      case "parent":
        chosen = candidates.find((name) => pattern?.test(name));
        break;
      case "estimate": {
        const timeLike = candidates.filter((name) => !notTime.test(name));
        chosen = timeLike.find((name) => pattern?.test(name)) ?? timeLike[0];
        break;
      }
      case "done":
        chosen =
          candidates.find((name) => pattern?.test(name)) ??
          (candidates.length === 1 ? candidates[0] : undefined);
        break;
      default:
        chosen = candidates.find((name) => pattern?.test(name)) ?? candidates[0];
    }
    if (chosen) out[field] = chosen;
  }
  if (out.status && out.status === out.priority) delete out.status;
  return out;
}

const texts = z.array(z.looseObject({ plain_text: z.string().optional() }));

function plainText(value: PropertyValue | undefined): string {
  if (!value) return "";
  const parsed = texts.safeParse(value[value.type]);
  return parsed.success ? parsed.data.map((part) => part.plain_text ?? "").join("") : "";
}

function optionName(value: PropertyValue | undefined): string | null {
  if (!value) return null;
  const option = value[value.type];
  if (option && typeof option === "object" && "name" in option && typeof option.name === "string")
    return option.name;
  return null;
}

const DateValue = z.object({ start: z.string(), end: z.string().nullable().optional() }).nullable();

const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

/** A Notion date (date-only or date-time) as an ISO instant; date-only means the end of that day (UTC). */
export function notionInstant(value: string, field: string, endOfDay: boolean): string {
  if (isoDate.safeParse(value).success) return `${value}T${endOfDay ? "23:59:59.000" : "00:00:00.000"}Z`;
  if (isoDateTime.safeParse(value).success) return new Date(value).toISOString();
  throw new Error(`property ${field} has an invalid date "${value}"`);
}

export type NotionStatusKind = SourceTask["status"];

/** Status option name → Cairn status. */
export function statusFromName(name: string | null, doneStatus?: string): NotionStatusKind {
  if (!name) return "todo";
  if (doneStatus && name.toLowerCase() === doneStatus.toLowerCase()) return "done";
  if (/^(done|complete|completed|finished|closed|resolved|shipped)$/i.test(name.trim())) return "done";
  if (/cancel|won.?t|abandon|dropped|obsolete/i.test(name)) return "cancelled";
  if (/progress|doing|started|review|active|working/i.test(name)) return "in_progress";
  return "todo";
}

export function priorityFromName(name: string | null): number {
  if (!name) return 3;
  if (/urgent|highest|critical|blocker|\bp[01]\b/i.test(name)) return 1;
  if (/high|\bp2\b/i.test(name)) return 2;
  if (/low|\bp4\b|trivial|minor/i.test(name)) return 4;
  return 3;
}

export type EstimateUnit = "minutes" | "hours";

const minuteWords = /\b(min|mins|minutes?)\b|\(m\)/i;
const hourWords = /\b(h|hr|hrs|hours?)\b|\(h\)/i;

/** The unit a number property's own name or description states, with why; undefined when neither says. */
export function inferEstimateUnit(
  name: string,
  description: string | null | undefined,
): { unit: EstimateUnit; reason: string } | undefined {
  for (const [text, where] of [
    [name, `its name "${name}"`],
    [description ?? "", `its description "${(description ?? "").slice(0, 80)}"`],
  ] as const) {
    const minutes = minuteWords.test(text);
    const hours = hourWords.test(text);
    if (minutes !== hours)
      return {
        unit: minutes ? "minutes" : "hours",
        reason: `${where} says ${minutes ? "minutes" : "hours"}`,
      };
  }
  return undefined;
}

/**
 * The estimate unit in effect: the connection's setting (estimateUnit, NOTION_ESTIMATE_UNIT), else what the
 * property's name or description says, else hours.
 */
export function resolveEstimateUnit(
  setting: EstimateUnit | undefined,
  property: string,
  description: string | null | undefined,
): { unit: EstimateUnit; reason: string } {
  if (setting)
    return { unit: setting, reason: "set on the connection (estimateUnit or NOTION_ESTIMATE_UNIT)" };
  return (
    inferEstimateUnit(property, description) ?? {
      unit: "hours",
      reason: `neither the name nor the description of "${property}" states a unit: hours assumed (set estimateUnit to change it)`,
    }
  );
}

/** Number properties left out of the estimate because they measure size, not time. */
export function sizeProperties(properties: Record<string, PropertyValue>, map: PropertyMap = {}): string[] {
  return Object.entries(properties)
    .filter(([name, value]) => value.type === "number" && notTime.test(name) && map.estimate !== name)
    .map(([name]) => name);
}

export interface NormalizeOptions {
  propertyMap?: PropertyMap;
  doneStatus?: string;
  estimateUnit: EstimateUnit;
}

// Built once: a zod schema costs far more to build (and compile on first use) than to run.
const People = z.array(z.looseObject({ person: z.looseObject({ email: z.string().optional() }).optional() }));
const Relations = z.array(z.looseObject({ id: z.string() }));
const Options = z.array(z.looseObject({ name: z.string() }));

/** Maps one page; throws (with the property's name) when a value cannot be read. */
export function pageToTask(page: NotionPage, options: NormalizeOptions): SourceTask {
  const fields = detectProperties(page.properties, options.propertyMap);
  const prop = (field: TaskField): PropertyValue | undefined => {
    const name = fields[field];
    return name ? page.properties[name] : undefined;
  };
  const deleted = page.in_trash === true || page.archived === true;
  const title = plainText(prop("title")).trim().slice(0, 500) || (deleted ? "(deleted)" : "Untitled");

  let status: NotionStatusKind = "todo";
  const statusValue = prop("status");
  const doneValue = prop("done");
  if (statusValue) status = statusFromName(optionName(statusValue), options.doneStatus);
  if (doneValue?.checkbox === true && status !== "cancelled") status = "done";

  let due: string | null = null;
  const dueValue = prop("due");
  if (dueValue) {
    const parsed = DateValue.safeParse(dueValue.date);
    if (!parsed.success) throw new Error(`property ${fields.due} has an unreadable date`);
    if (parsed.data) due = notionInstant(parsed.data.end ?? parsed.data.start, fields.due ?? "due", true);
  }
  let earliestStart: string | null = null;
  const startValue = prop("start");
  if (startValue && fields.start !== fields.due) {
    const parsed = DateValue.safeParse(startValue.date);
    if (parsed.success && parsed.data)
      earliestStart = notionInstant(parsed.data.start, fields.start ?? "start", false);
  } else if (dueValue) {
    const parsed = DateValue.safeParse(dueValue.date);
    if (parsed.success && parsed.data?.end)
      earliestStart = notionInstant(parsed.data.start, fields.due ?? "due", false);
  }

  const estimateValue = prop("estimate");
  let estimateMinutes: number | null = null;
  if (estimateValue && typeof estimateValue.number === "number" && estimateValue.number > 0) {
    estimateMinutes = Math.max(
      1,
      Math.round(estimateValue.number * (options.estimateUnit === "hours" ? 60 : 1)),
    );
  }

  const assignees = People.safeParse(prop("assignee")?.people ?? []);
  const assigneeEmail = assignees.success
    ? (assignees.data.find((p) => p.person?.email)?.person?.email ?? null)
    : null;

  const relations = Relations.safeParse(prop("dependsOn")?.relation ?? []);
  const parents = Relations.safeParse(prop("parent")?.relation ?? []);
  const tags = Options.safeParse(prop("tags")?.multi_select ?? []);
  const description = plainText(prop("description"));

  const linked = new Set<string>();
  for (const value of Object.values(page.properties)) {
    if (value.type === "url" && typeof value.url === "string" && value.url) linked.add(value.url);
  }
  for (const url of urlsIn(description)) linked.add(url);

  return {
    externalId: page.id,
    title,
    description,
    status,
    priority: priorityFromName(optionName(prop("priority"))),
    estimateMinutes,
    due,
    earliestStart,
    dependsOnExternalIds: relations.success ? relations.data.map((relation) => relation.id) : [],
    tags: tags.success ? tags.data.map((tag) => tag.name) : [],
    url: page.url ?? null,
    assigneeEmail,
    parentExternalId: parents.success ? (parents.data[0]?.id ?? null) : null,
    linkedUrls: [...linked],
    updatedAt: new Date(page.last_edited_time).toISOString(),
    deleted,
  };
}
