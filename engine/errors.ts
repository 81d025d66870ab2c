/**
 * Engine errors carry a code and a message that says what to fix. Each face maps them to its own wire
 * form: HTTP problem JSON, an MCP `isError` result, a chat message.
 */
export const ErrorCode = {
  InvalidInput: "invalid_input",
  NotFound: "not_found",
  Unauthorized: "unauthorized",
  Forbidden: "forbidden",
  Conflict: "conflict",
  RateLimited: "rate_limited",
  Unavailable: "unavailable",
  EmbeddedDbBusy: "embedded_db_busy",
  Internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldIssue {
  path: string;
  message: string;
}

export class CairnError extends Error {
  override readonly name: string = "CairnError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const invalidInput = (message: string, issues: FieldIssue[] = []): CairnError =>
  new CairnError(ErrorCode.InvalidInput, message, { issues });
export const notFound = (message: string): CairnError => new CairnError(ErrorCode.NotFound, message);
export const forbidden = (message: string): CairnError => new CairnError(ErrorCode.Forbidden, message);
export const unauthorized = (message: string): CairnError => new CairnError(ErrorCode.Unauthorized, message);
export const conflict = (message: string): CairnError => new CairnError(ErrorCode.Conflict, message);
/** A per-token rate limit said no; `what` names what was counted ("tool calls", "requests"). */
export const rateLimited = (what: string, retryAfterSeconds: number): CairnError =>
  new CairnError(ErrorCode.RateLimited, `Too many ${what} for this token; retry in ${retryAfterSeconds}s.`, {
    retryAfterSeconds,
  });

/** An address that failed authentication too often is refused before its next token is even looked at. */
export const tooManyAuthFailures = (retryAfterSeconds: number): CairnError =>
  new CairnError(
    ErrorCode.RateLimited,
    `Too many failed authentications from this address; retry in ${retryAfterSeconds}s.`,
    { retryAfterSeconds },
  );

/** Wraps anything thrown into a CairnError; unknown failures become `internal` without leaking their text. */
export function asCairnError(error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  return new CairnError(
    ErrorCode.Internal,
    "Something went wrong inside Cairn; the server log has the details.",
  );
}

const httpStatus: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  embedded_db_busy: 409,
  internal: 500,
};

export const statusFor = (code: ErrorCode): number => httpStatus[code];
