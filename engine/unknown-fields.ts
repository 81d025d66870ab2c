/**
 * Strict field names for JSON a person writes by hand (`cairn plan --input`, `cairn insights --input`): zod drops
 * a field it does not know, so a misplaced or misspelt one (`preferences` beside `person`, `deadline` for `due`)
 * would silently fall back to defaults. This walks the input beside the schema and names the first such field.
 */
import type { z } from "zod";
import { formatPath } from "./field-path.ts";

export interface UnknownField {
  path: string;
  /** "unknown field, …; <hint>": what to do about it. */
  message: string;
}

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema a value must match, seen through optional, nullable, default and transform wrappers. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case "object":
      return def.catchall ? undefined : (def.shape as Record<string, z.ZodType>);
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
    case "catch":
      return objectShape(def.innerType as z.ZodType);
    case "pipe":
      return objectShape(def.in as z.ZodType);
    default:
      return undefined;
  }
}

function arrayElement(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(schema);
  if (def.type === "array") return def.element as z.ZodType;
  if (def.type === "pipe") return arrayElement(def.in as z.ZodType);
  if ("innerType" in def) return arrayElement(def.innerType as z.ZodType);
  return undefined;
}

const looseName = (key: string) => key.toLowerCase().replace(/[_\-\s]/g, "");

function hintFor(key: string, shape: Record<string, z.ZodType>): string {
  const known = Object.keys(shape);
  const near = known.find((name) => looseName(name) === looseName(key));
  if (near) return `did you mean "${near}"?`;
  const home = known.find((name) => {
    const inner = objectShape(shape[name] as z.ZodType);
    return inner !== undefined && key in inner;
  });
  if (home) return `it belongs inside "${home}": move it to ${home}.${key}`;
  return `known fields here: ${known.join(", ")}`;
}

function walk(schema: z.ZodType, value: unknown, path: PropertyKey[]): UnknownField | null {
  if (Array.isArray(value)) {
    const element = arrayElement(schema);
    if (!element) return null;
    for (const [index, item] of value.entries()) {
      const found = walk(element, item, [...path, index]);
      if (found) return found;
    }
    return null;
  }
  if (value === null || typeof value !== "object") return null;
  const shape = objectShape(schema);
  if (!shape) return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    const field = shape[key];
    if (!field) {
      return {
        path: formatPath(childPath),
        message: `unknown field, it would be ignored; ${hintFor(key, shape)}`,
      };
    }
    const found = walk(field, child, childPath);
    if (found) return found;
  }
  return null;
}

/** The first field of `value` that `schema` does not read, or null. Values of the wrong type are left to zod. */
export function findUnknownField(schema: z.ZodType, value: unknown): UnknownField | null {
  return walk(schema, value, []);
}
