/**
 * What a failed SMTP send means for the caller. Nudge jobs retry what is thrown and record what is returned, so:
 *
 * - transient: a 4xx reply (greylisting, mailbox busy, server short of storage) or no conversation at all
 *   (connection refused or reset, timeout, DNS): thrown as EmailTemporarilyUnavailable, the job retries.
 * - login: the server refused Cairn's credentials (EAUTH, 530/534/535): thrown as an UnrecoverableJobError:
 *   every retry would fail the same way until SMTP_URL is fixed.
 * - permanent: any other 5xx reply, typically 550 for the recipient (no such mailbox) or 552/554 for the
 *   message: returned as "not delivered" with the server's reason; retrying would not help.
 *
 * Texts are built here, never passed through: the server's reply is kept, URLs in it are redacted.
 */
import { redactSecrets } from "../../engine/security/redact.ts";

export type SmtpFailureKind = "transient" | "login" | "permanent";

export interface SmtpFailure {
  kind: SmtpFailureKind;
  /** One line for a person: what happened, with the server's reply when there was one. */
  reason: string;
}

/** A send that may succeed later: thrown so that the job that sent it retries. */
export class EmailTemporarilyUnavailable extends Error {
  override readonly name = "EmailTemporarilyUnavailable";
  readonly retryable = true;
}

const NETWORK_CODES = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETLS",
]);
const LOGIN_CODES = new Set(["EAUTH", "ENOAUTH", "EOAUTH2"]);
const LOGIN_REPLIES = new Set([530, 534, 535, 538]);

interface SmtpErrorShape {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

function oneLine(text: string, max = 240): string {
  const line = redactSecrets(text).replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function classifySmtpError(error: unknown, recipient: string): SmtpFailure {
  const shape = (typeof error === "object" && error !== null ? error : {}) as SmtpErrorShape;
  const code = typeof shape.code === "string" ? shape.code : undefined;
  const status = typeof shape.responseCode === "number" ? shape.responseCode : undefined;
  const reply =
    typeof shape.response === "string" && shape.response
      ? oneLine(shape.response)
      : typeof shape.message === "string"
        ? oneLine(shape.message)
        : String(error);
  if ((code && LOGIN_CODES.has(code)) || (status !== undefined && LOGIN_REPLIES.has(status)))
    return {
      kind: "login",
      reason: `the mail server refused Cairn's login (${reply}); check the user and password in SMTP_URL`,
    };
  if (status !== undefined && status >= 400 && status < 500)
    return { kind: "transient", reason: `the mail server asked to try again later (${reply})` };
  if (status !== undefined && status >= 500)
    return { kind: "permanent", reason: `the mail server refused the message to ${recipient} (${reply})` };
  if (code && NETWORK_CODES.has(code))
    return { kind: "transient", reason: `could not reach the mail server (${code}: ${reply})` };
  return { kind: "transient", reason: `sending failed (${code ? `${code}: ` : ""}${reply})` };
}
