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
  PayloadTooLarge: "payload_too_large",
  UnsupportedMediaType: "unsupported_media_type",
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
/**
 * What Express's body parsers throw (http-errors): a 4xx status, `expose`, and mostly a `type` such as
 * "entity.too.large" (a body that does not inflate is the zlib error itself, given status 400).
 */
interface BodyParserError {
  status: number;
  type?: string;
  limit?: number;
  charset?: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== "object" || error === null) return false;
  const { status, type, expose } = error as { status?: unknown; type?: unknown; expose?: unknown };
  return (
    typeof status === "number" &&
    status >= 400 &&
    status < 500 &&
    (typeof type === "string" || expose === true)
  );
}

/**
 * The coded error for a request body that could not be read (too large, unsupported charset or encoding,
 * malformed JSON, truncated), or undefined when `error` is something else. Keeps Express's HTML error
 * page and its stack trace away from callers, authenticated or not.
 */
export function bodyReadError(error: unknown): CairnError | undefined {
  if (!isBodyParserError(error)) return undefined;
  if (error.type === "entity.too.large") {
    const limit = error.limit ? ` of ${Math.round(error.limit / 1024)} KiB` : "";
    return new CairnError(
      ErrorCode.PayloadTooLarge,
      `The request body is over the limit${limit}; send less per request.`,
    );
  }
  if (error.type === "charset.unsupported") {
    return new CairnError(
      ErrorCode.UnsupportedMediaType,
      `The request body's charset ${JSON.stringify(error.charset ?? "")} is not supported; send UTF-8 (content-type: application/json; charset=utf-8).`,
    );
  }
  if (error.type === "encoding.unsupported") {
    return new CairnError(
      ErrorCode.UnsupportedMediaType,
      "The request's Content-Encoding is not supported; send the body uncompressed, or as gzip, deflate or br.",
    );
  }
  if (error.type === "entity.parse.failed") {
    return invalidInput("The request body is not valid JSON", [
      { path: "(body)", message: error instanceof Error ? error.message : "fix the JSON syntax" },
    ]);
  }
  if (error.status !== 400) return undefined;
  return invalidInput("The request body could not be read (truncated, or not in its Content-Encoding)", [
    { path: "(body)", message: "send the whole body, encoded as its Content-Encoding says" },
  ]);
}

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
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
};

export const statusFor = (code: ErrorCode): number => httpStatus[code];
