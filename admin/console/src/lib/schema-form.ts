/**
 * Forms for the connect_<kind> actions, built from their JSON Schema (GET /api/actions), so a connector's
 * fields show up in the console as soon as the action lists them: text, secret, URL, number, a choice, a
 * list (one per line) and a map (`field = Property` per line).
 */

export type FieldKind = "text" | "secret" | "url" | "number" | "choice" | "list" | "map" | "checkbox";

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: string[];
  defaultValue?: string | number | boolean;
}

/** Fields the console leaves out: the advanced raw objects override every flat field. */
const HIDDEN = new Set(["credentials", "settings"]);
const SECRET = /(token|secret|password)$/i;

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  description?: string;
  default?: unknown;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** "syncEveryMinutes" → "Sync every minutes"; "apiUrl" → "API URL". */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_]+/)
    .map((word) => (/^(api|url|id|ids|jql|ics)$/i.test(word) ? word.toUpperCase() : word.toLowerCase()));
  const text = words.join(" ").replace(/\bIDS\b/g, "IDs");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function kindOf(name: string, schema: JsonSchema): FieldKind | undefined {
  if (Array.isArray(schema.enum)) return "choice";
  switch (schema.type) {
    case "string":
      if (SECRET.test(name)) return "secret";
      return schema.format === "uri" ? "url" : "text";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "checkbox";
    case "array":
      return schema.items?.type === "string" ? "list" : undefined;
    case "object":
      return isRecord(schema.additionalProperties) && schema.additionalProperties.type === "string"
        ? "map"
        : undefined;
    default:
      return undefined;
  }
}

export function formFields(inputSchema: unknown): FormField[] {
  if (!isRecord(inputSchema) || !isRecord(inputSchema.properties)) return [];
  const schema = inputSchema as JsonSchema;
  const required = new Set(schema.required ?? []);
  const fields: FormField[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (HIDDEN.has(name) || !isRecord(property)) continue;
    const kind = kindOf(name, property);
    if (!kind) continue;
    const field: FormField = { name, label: labelOf(name), kind, required: required.has(name) };
    if (property.description) field.description = property.description;
    if (kind === "choice") field.options = (property.enum ?? []).map(String);
    const fallback = property.default;
    if (typeof fallback === "string" || typeof fallback === "number" || typeof fallback === "boolean")
      field.defaultValue = fallback;
    fields.push(field);
  }
  return fields;
}

export type FormValues = Record<string, string | boolean | undefined>;

export class FormInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The action's input from the form's values; empty fields are left out so the action's defaults apply. */
export function formInput(fields: readonly FormField[], values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (field.kind === "checkbox") {
      if (typeof raw === "boolean") input[field.name] = raw;
      continue;
    }
    const text = typeof raw === "string" ? raw.trim() : "";
    if (!text) {
      if (field.required) throw new FormInputError(field.name, `${field.label} is required.`);
      continue;
    }
    switch (field.kind) {
      case "number": {
        const value = Number(text);
        if (!Number.isFinite(value)) throw new FormInputError(field.name, `${field.label} must be a number.`);
        input[field.name] = value;
        break;
      }
      case "list":
        input[field.name] = text
          .split(/[\n,]/)
          .map((item) => item.trim())
          .filter(Boolean);
        break;
      case "map":
        input[field.name] = parseMap(field, text);
        break;
      default:
        input[field.name] = text;
    }
  }
  return input;
}

export function parseMap(field: Pick<FormField, "name" | "label">, text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [index, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    const key = at === -1 ? "" : line.slice(0, at).trim();
    const value = at === -1 ? "" : line.slice(at + 1).trim();
    if (!key || !value) {
      throw new FormInputError(
        field.name,
        `${field.label}, line ${index + 1}: write one "field = Property" per line, e.g. "estimate = Hours".`,
      );
    }
    map[key] = value;
  }
  return map;
}

/** A map shown back in the form's text (for editing a connection's field mapping). */
export const mapText = (map: Record<string, string>): string =>
  Object.entries(map)
    .map(([key, value]) => `${key} = ${value}`)
    .join("\n");
