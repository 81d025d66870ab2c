/**
 * iCalendar (RFC 5545) text → a tree of components with their properties, nothing interpreted: lines unfolded,
 * parameters split (quoted values kept whole), names upper-cased. Lenient the way calendar clients need: a line
 * without a colon is ignored, an unclosed component is closed at the end of the text.
 */

export interface IcalProperty {
  name: string;
  /** Parameter names upper-cased; values unquoted (a comma list stays one string). */
  params: Record<string, string>;
  /** The raw value (TEXT escapes not yet undone). */
  value: string;
}

export interface IcalComponent {
  name: string;
  properties: IcalProperty[];
  components: IcalComponent[];
}

/** Joins folded lines (CRLF or LF followed by a space or a tab). */
export function unfold(text: string): string[] {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/\r?\n[ \t]/g, "")
    .split(/\r?\n|\r/);
}

/** One content line: `NAME;PARAM=value;PARAM="quoted":value`; null when it is not a content line. */
export function parseLine(line: string): IcalProperty | null {
  let i = 0;
  const nameEnd = line.search(/[;:]/);
  if (nameEnd <= 0) return null;
  const name = line.slice(0, nameEnd).toUpperCase();
  i = nameEnd;
  const params: Record<string, string> = {};
  while (line[i] === ";") {
    const eq = line.indexOf("=", i);
    if (eq < 0) return null;
    const key = line.slice(i + 1, eq).toUpperCase();
    i = eq + 1;
    let value = "";
    // A parameter value is a comma list of plain or quoted values.
    for (;;) {
      if (line[i] === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) return null;
        value += line.slice(i + 1, close);
        i = close + 1;
      } else {
        const match = /^[^;:,]*/.exec(line.slice(i));
        const part = match?.[0] ?? "";
        value += part;
        i += part.length;
      }
      if (line[i] !== ",") break;
      value += ",";
      i += 1;
    }
    params[key] = value;
  }
  if (line[i] !== ":") return null;
  return { name, params, value: line.slice(i + 1) };
}

/** The components of `text` (usually one VCALENDAR). */
export function parseIcal(text: string): IcalComponent[] {
  const roots: IcalComponent[] = [];
  const stack: IcalComponent[] = [];
  for (const line of unfold(text)) {
    if (line.trim() === "") continue;
    const property = parseLine(line);
    if (!property) continue;
    if (property.name === "BEGIN") {
      const component: IcalComponent = {
        name: property.value.trim().toUpperCase(),
        properties: [],
        components: [],
      };
      const parent = stack.at(-1);
      if (parent) parent.components.push(component);
      else roots.push(component);
      stack.push(component);
    } else if (property.name === "END") {
      const name = property.value.trim().toUpperCase();
      // Close up to the matching BEGIN (a missing END inside is forgiven).
      const at = stack.map((c) => c.name).lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else {
      stack.at(-1)?.properties.push(property);
    }
  }
  return roots;
}

/** TEXT value with its escapes undone (`\\n`, `\\,`, `\\;`, `\\\\`). */
export function unescapeText(value: string): string {
  return value.replace(/\\([nN,;\\])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));
}

export function firstProperty(component: IcalComponent, name: string): IcalProperty | undefined {
  return component.properties.find((p) => p.name === name);
}

export function allProperties(component: IcalComponent, name: string): IcalProperty[] {
  return component.properties.filter((p) => p.name === name);
}

/** Every component named `name` at any depth under `roots`. */
export function findComponents(roots: IcalComponent[], name: string): IcalComponent[] {
  const out: IcalComponent[] = [];
  const visit = (component: IcalComponent) => {
    if (component.name === name) out.push(component);
    for (const child of component.components) visit(child);
  };
  for (const root of roots) visit(root);
  return out;
}
