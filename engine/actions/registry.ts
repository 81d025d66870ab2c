import { z } from "zod";
import {
  asCairnError,
  CairnError,
  ErrorCode,
  type FieldIssue,
  forbidden,
  invalidInput,
  notFound,
} from "../errors.ts";
import { formatPath } from "../field-path.ts";
import type { ActionContext, AnyAction } from "./define.ts";
import { strictInputJsonSchema, unknownFieldIssues } from "./strict-input.ts";

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path) || "(input)", message: issue.message }));
}

const NUL_MESSAGE = "holds a NUL character (\\u0000), which cannot be stored; remove it";

/**
 * Every string (and object key) in an action's raw input that holds a NUL character, as field issues.
 * PostgreSQL stores no NUL in text or jsonb, so such input is refused before any action runs, on every face.
 */
export function nulIssues(input: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === "string") {
      if (value.includes("\u0000"))
        issues.push({ path: formatPath(path) || "(input)", message: NUL_MESSAGE });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, [...path, index]);
      });
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes("\u0000")) {
          issues.push({ path: formatPath(path) || "(input)", message: `a key ${NUL_MESSAGE}` });
        }
        visit(item, [...path, key]);
      }
    }
  };
  visit(input, []);
  return issues;
}

function invalidFor(name: string, issues: FieldIssue[], unknownFields: FieldIssue[] = []) {
  const parts = [...unknownFields.map((i) => i.message), ...issues.map((i) => `${i.path}: ${i.message}`)];
  return invalidInput(`Invalid input for ${name}: ${parts.join("; ")}`, [...unknownFields, ...issues]);
}

const strictSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The strict input JSON Schema of an action (computed once per schema). */
function strictInputOf(schema: z.ZodType): Record<string, unknown> {
  let json = strictSchemas.get(schema);
  if (!json) {
    json = strictInputJsonSchema(schema);
    strictSchemas.set(schema, json);
  }
  return json;
}

export interface InvokeResult {
  action: AnyAction;
  output: unknown;
}

/** The one list of capabilities. Every face lists and invokes actions through it. */
export class ActionRegistry {
  readonly #actions = new Map<string, AnyAction>();

  constructor(actions: readonly AnyAction[] = []) {
    for (const action of actions) this.add(action);
  }

  add(action: AnyAction): void {
    if (this.#actions.has(action.name)) throw new Error(`Action "${action.name}" is defined twice`);
    this.#actions.set(action.name, action);
  }

  list(): AnyAction[] {
    return [...this.#actions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): AnyAction | undefined {
    return this.#actions.get(name);
  }

  /** Checks scope, validates input, runs, and checks the output against its schema. */
  async invoke(ctx: ActionContext, name: string, input: unknown): Promise<unknown> {
    const action = this.#actions.get(name);
    if (!action) throw notFound(`No action named "${name}". List them with GET /api/actions.`);
    if (action.scope === "admin" && !ctx.person.isAdmin) {
      throw forbidden(`"${name}" needs an admin; ${ctx.person.email} is a member of ${ctx.workspace.slug}.`);
    }
    const withNul = nulIssues(input);
    if (withNul.length > 0) throw invalidFor(name, withNul);
    const unknownFields = unknownFieldIssues(input ?? {}, strictInputOf(action.input));
    const parsed = action.input.safeParse(input ?? {});
    if (!parsed.success) throw invalidFor(name, zodIssues(parsed.error), unknownFields);
    if (unknownFields.length > 0) throw invalidFor(name, [], unknownFields);
    const started = performance.now();
    try {
      const raw = await action.run(ctx, parsed.data);
      const output = action.output.safeParse(raw);
      if (!output.success) {
        ctx.log.error(
          { action: name, issues: zodIssues(output.error) },
          "action output does not match its schema",
        );
        throw new CairnError(
          ErrorCode.Internal,
          `Action ${name} produced an invalid result; this is a bug in Cairn.`,
        );
      }
      ctx.log.debug(
        { action: name, ms: Math.round(performance.now() - started), via: ctx.via },
        "action ran",
      );
      return output.data;
    } catch (error) {
      const coded = asCairnError(error);
      if (coded.code === ErrorCode.Internal && coded !== error) {
        ctx.log.error({ err: error, action: name }, "action failed");
      }
      throw coded;
    }
  }
}

/**
 * JSON Schema of an action's input or output, as MCP and the HTTP API publish it. Inputs are strict
 * (`additionalProperties: false` on every object), as `invoke` enforces.
 */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  if (io === "input") return structuredClone(strictInputOf(schema));
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
