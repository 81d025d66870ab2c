import type { z } from "zod";
import type { Person, Workspace } from "../domain.ts";
import type { Logger } from "../logger.ts";
import type { EngineServices } from "../services.ts";

export type Scope = "member" | "admin";
export type Face = "http" | "mcp" | "cli" | "slack" | "teams" | "terminal" | "job";

export interface Actor {
  workspace: Workspace;
  person: Person;
}

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export interface ActionContext extends Actor {
  services: EngineServices;
  log: Logger;
  via: Face;
  /** Present when the caller wants progress (MCP progress notifications, CLI progress lines). */
  reportProgress?: (progress: Progress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ActionAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  /** Reaches services outside Cairn (Notion, Jira, calendars). */
  openWorldHint: boolean;
}

export interface ActionSpec<Input extends z.ZodObject, Output extends z.ZodType> {
  /** snake_case; the tool name on MCP and the path on /api/actions/:name. */
  name: string;
  title: string;
  /** Written for a person and for an AI assistant: what it does, when to use it, what it returns. */
  description: string;
  input: Input;
  output: Output;
  annotations?: Partial<ActionAnnotations>;
  scope?: Scope;
  /** Examples people type in chat, used by the conversation parser and docs. */
  examples?: string[];
  run(ctx: ActionContext, input: z.output<Input>): Promise<z.input<Output>>;
}

export interface Action<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodType = z.ZodType>
  extends Required<Omit<ActionSpec<Input, Output>, "annotations">> {
  annotations: ActionAnnotations;
}

const namePattern = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Declares one capability; defaults are filled here so every face sees a complete definition. */
export function defineAction<Input extends z.ZodObject, Output extends z.ZodType>(
  spec: ActionSpec<Input, Output>,
): Action<Input, Output> {
  if (!namePattern.test(spec.name)) throw new Error(`Action name "${spec.name}" must be snake_case`);
  const readOnly = spec.annotations?.readOnlyHint ?? false;
  return {
    scope: "member",
    examples: [],
    ...spec,
    annotations: {
      readOnlyHint: readOnly,
      destructiveHint: spec.annotations?.destructiveHint ?? false,
      idempotentHint: spec.annotations?.idempotentHint ?? readOnly,
      openWorldHint: spec.annotations?.openWorldHint ?? false,
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of actions erases each one's own types
export type AnyAction = Action<any, any>;
