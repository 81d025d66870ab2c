/** Keyset page cursors: opaque to the browser, checked when they come back. */
import { z } from "zod";
import type { PageAfter } from "../../engine/db/repositories/audit-log.ts";
import { invalidInput } from "../../engine/errors.ts";

const After = z.object({ at: z.iso.datetime({ offset: true }), id: z.uuid() });

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

const badCursor = () =>
  invalidInput("cursor is not one this server gave out", [
    {
      path: "cursor",
      message: "pass the nextCursor of the previous page unchanged, or leave it out for the first page",
    },
  ]);

export function decodeAfter(cursor: string | undefined): PageAfter | undefined {
  if (!cursor) return undefined;
  const parsed = After.safeParse(decode(cursor));
  if (!parsed.success) throw badCursor();
  return parsed.data;
}

export function decodeString(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const parsed = z.object({ after: z.string().min(1) }).safeParse(decode(cursor));
  if (!parsed.success) throw badCursor();
  return parsed.data.after;
}

/** Reads one more than the page, so the answer knows whether a next page exists. */
export function page<T>(
  rows: T[],
  limit: number,
  cursorOf: (last: T) => unknown,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}
