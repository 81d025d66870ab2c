import type { Response } from "express";
import { asCairnError, type CairnError, statusFor } from "../../engine/errors.ts";

/** The HTTP face of an engine error: `{ error: { code, message, issues? } }` with the matching status. */
export function sendError(res: Response, error: unknown): void {
  const coded: CairnError = asCairnError(error);
  if (coded.details.retryAfterSeconds !== undefined)
    res.setHeader("Retry-After", String(coded.details.retryAfterSeconds));
  res.status(statusFor(coded.code)).json({
    error: {
      code: coded.code,
      message: coded.message,
      ...(coded.details.issues ? { issues: coded.details.issues } : {}),
    },
  });
}
