import type { Response } from "express";
import { asCairnError, type CairnError, type ErrorCode, statusFor } from "../../engine/errors.ts";

const titles: Record<ErrorCode, string> = {
  invalid_input: "Invalid input",
  unauthorized: "Not signed in",
  forbidden: "Not allowed",
  not_found: "Not found",
  conflict: "Conflict",
  rate_limited: "Too many requests",
  unavailable: "Unavailable",
  embedded_db_busy: "Embedded database busy",
  payload_too_large: "Request too large",
  unsupported_media_type: "Unsupported media type",
  internal: "Internal error",
};

/** A problem answer (`{title, detail, ...}`) with fields of its own, for refusals that are not engine errors. */
export function sendProblem(
  res: Response,
  status: number,
  problem: { title: string; detail: string } & Record<string, unknown>,
): void {
  res.status(status).json(problem);
}

/**
 * The HTTP face of an engine error: problem JSON (`title`, `detail`, field `issues`) with the matching
 * status, plus `{ error: { code, message, issues? } }` that API clients read.
 */
export function sendError(res: Response, error: unknown): void {
  const coded: CairnError = asCairnError(error);
  if (coded.details.retryAfterSeconds !== undefined)
    res.setHeader("Retry-After", String(coded.details.retryAfterSeconds));
  const issues = coded.details.issues?.length ? { issues: coded.details.issues } : {};
  res.status(statusFor(coded.code)).json({
    title: titles[coded.code],
    detail: coded.message,
    ...issues,
    error: { code: coded.code, message: coded.message, ...issues },
  });
}

/** A refusal with its own problem body (a CSRF refusal, a 401 that says whether setup is open). */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  constructor(
    readonly status: number,
    readonly problem: { title: string; detail: string } & Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
  }
}

/** sendError, and ProblemError's own status, body and headers. */
export function sendAnyError(res: Response, error: unknown): void {
  if (error instanceof ProblemError) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    sendProblem(res, error.status, error.problem);
    return;
  }
  sendError(res, error);
}
