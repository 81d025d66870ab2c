/**
 * `cairn chat --parse --tz <IANA> --now <ISO> "<text>"`: what the conversation core makes of one message, as
 * JSON, with no database and no configuration. The interactive `cairn chat` comes with the chat faces.
 */
import { parseArgs } from "node:util";
import { parseStandalone, validTimezone } from "../../bots/conversation/parse.ts";
import type { ExtraCommand } from "../modules/types.ts";

export const CHAT_USAGE = 'chat --parse [--tz <IANA zone>] [--now <ISO time>] "<text>"';

export const chatCommand: ExtraCommand = {
  name: "chat",
  usage: CHAT_USAGE,
  summary: "print the action call a chat message becomes, as JSON (no database)",
  noConfig: true,
  async run(args, io) {
    let values: { parse?: boolean; tz?: string; now?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { parse: { type: "boolean" }, tz: { type: "string" }, now: { type: "string" } },
      }));
    } catch (error) {
      io.err(`cairn chat: ${(error as Error).message}`);
      return 2;
    }
    if (!values.parse) {
      io.err(
        "cairn chat: the interactive chat is not in this version yet; use --parse to see what a message becomes.",
      );
      return 2;
    }
    const timezone = values.tz ?? "UTC";
    if (!validTimezone(timezone)) {
      io.err(`cairn chat: --tz "${timezone}" is not an IANA time zone (for example Europe/Berlin).`);
      return 2;
    }
    const now = values.now ? new Date(values.now) : new Date();
    if (
      Number.isNaN(now.getTime()) ||
      (values.now !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(values.now))
    ) {
      io.err(`cairn chat: --now "${values.now}" is not an ISO 8601 time (for example 2026-03-20T08:00:00Z).`);
      return 2;
    }
    const text = positionals.join(" ");
    io.out(JSON.stringify(parseStandalone(text, { timezone, now })));
    return 0;
  },
};
