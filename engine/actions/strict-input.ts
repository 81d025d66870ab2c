/**
 * Strict inputs: a field an action does not take is refused, never silently dropped, so a client's typo
 * (`estimateMinute`) is caught. The rule is the published one: the input JSON Schema says
 * `additionalProperties: false` on every object, and unknown fields are found by walking the input against
 * that same schema. It applies to every registered action, whoever wrote it.
 */
import { z } from "zod";
import type { FieldIssue } from "../errors.ts";
import { formatPath } from "../field-path.ts";

type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * An action's input as JSON Schema with `additionalProperties: false` on every object that does not say
 * otherwise (records and passthrough objects keep theirs).
 */
export function strictInputJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "object" && jsonSchema.additionalProperties === undefined)
        jsonSchema.additionalProperties = false;
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Edit distance, for "did you mean" (field names are short). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known field closest to an unknown one, when it is close enough to be a typo. */
export function closestField(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const score = name.toLowerCase() === lower ? 0 : distance(lower, name.toLowerCase());
    if (!best || score < best.score) best = { name, score };
  }
  if (!best) return undefined;
  const allowed = Math.max(2, Math.floor(unknown.length / 3));
  return best.score <= allowed ? best.name : undefined;
}

function unknownFieldMessage(
  parent: PropertyKey[],
  key: string,
  known: readonly string[],
  suggestion: string | undefined,
) {
  const path = formatPath([...parent, key]);
  if (suggestion) return `Unknown field "${path}" — did you mean "${formatPath([...parent, suggestion])}"?`;
  if (known.length === 0) return `Unknown field "${path}" — this object takes no fields; remove it.`;
  return `Unknown field "${path}" — remove it; the fields here are: ${known.join(", ")}.`;
}

class SchemaWalker {
  readonly issues: FieldIssue[] = [];
  constructor(private readonly root: JsonSchema) {}

  /** Follows $ref and flattens anyOf/oneOf/allOf into the alternatives a value may match. */
  private alternatives(schema: unknown, seen = new Set<unknown>()): JsonSchema[] {
    if (!isObject(schema) || seen.has(schema)) return [];
    seen.add(schema);
    const ref = schema.$ref;
    if (typeof ref === "string") {
      const target = this.resolve(ref);
      return target ? this.alternatives(target, seen) : [];
    }
    const branches = [schema.anyOf, schema.oneOf, schema.allOf].flatMap((list) =>
      Array.isArray(list) ? list : [],
    );
    if (branches.length > 0) return branches.flatMap((branch) => this.alternatives(branch, seen));
    return [schema];
  }

  private resolve(ref: string): unknown {
    if (ref === "#") return this.root;
    if (!ref.startsWith("#/")) return undefined;
    return ref
      .slice(2)
      .split("/")
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), this.root);
  }

  visit(value: unknown, schemas: JsonSchema[], path: PropertyKey[]): void {
    if (Array.isArray(value)) {
      const itemSchemas = schemas.flatMap((schema) => {
        if (isObject(schema.items)) return this.alternatives(schema.items);
        return [];
      });
      const tuples = schemas.filter((schema) => Array.isArray(schema.prefixItems));
      value.forEach((item, index) => {
        const positional = tuples.flatMap((schema) =>
          this.alternatives((schema.prefixItems as unknown[])[index]),
        );
        const forItem = [...positional, ...itemSchemas];
        if (forItem.length > 0) this.visit(item, forItem, [...path, index]);
      });
      return;
    }
    if (!isObject(value)) return;
    let objects = schemas.filter(
      (schema) => schema.type === "object" || isObject(schema.properties) || "additionalProperties" in schema,
    );
    if (objects.length === 0) return;
    // A discriminated union: keep only the branches whose constant fields this value matches.
    const matching = objects.filter((schema) =>
      Object.entries(isObject(schema.properties) ? schema.properties : {}).every(
        ([key, property]) =>
          !isObject(property) || !("const" in property) || !(key in value) || value[key] === property.const,
      ),
    );
    if (matching.length > 0) objects = matching;
    const closed = objects.every((schema) => schema.additionalProperties === false);
    const known = [
      ...new Set(
        objects.flatMap((schema) => Object.keys(isObject(schema.properties) ? schema.properties : {})),
      ),
    ];
    for (const [key, item] of Object.entries(value)) {
      const fieldSchemas = objects.flatMap((schema) => {
        const properties = isObject(schema.properties) ? schema.properties : {};
        if (Object.hasOwn(properties, key)) return this.alternatives(properties[key]);
        if (isObject(schema.additionalProperties)) return this.alternatives(schema.additionalProperties);
        return [];
      });
      if (closed && !known.includes(key)) {
        const fieldPath = formatPath([...path, key]);
        this.issues.push({
          path: fieldPath,
          message: unknownFieldMessage(path, key, known, closestField(key, known)),
        });
        continue;
      }
      if (fieldSchemas.length > 0) this.visit(item, fieldSchemas, [...path, key]);
    }
  }
}

/** The fields of `input` that its (strict) JSON Schema does not name, each with the fix. */
export function unknownFieldIssues(input: unknown, schema: JsonSchema): FieldIssue[] {
  const walker = new SchemaWalker(schema);
  walker.visit(input, [schema], []);
  return walker.issues;
}
