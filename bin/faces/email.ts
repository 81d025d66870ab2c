/**
 * Email (bots/email): with SMTP_URL and CAIRN_MAIL_FROM set, every process (web and worker) can send Cairn's
 * messages by email. Email joins the engine's Messenger after the chat faces, whatever order they are
 * installed in (engine/messaging/route.ts orders by medium), and first for sends that prefer email.
 * Commands: `cairn mail test --to <address>` and `cairn mail preview`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createEmailSender, type EmailSender, emailAsMessenger } from "../../bots/email/messenger.ts";
import { renderEmail } from "../../bots/email/render.ts";
import { sampleWeeklyReview, testMessage } from "../../bots/email/samples.ts";
import { type Config, publicUrl } from "../../engine/config.ts";
import { CairnError, ErrorCode } from "../../engine/errors.ts";
import { formatPath } from "../../engine/field-path.ts";
import type { Logger } from "../../engine/logger.ts";
import { Message } from "../../engine/messaging/message.ts";
import { firstReachable } from "../../engine/messaging/route.ts";
import type { CommandIo, ExtraCommand, FaceModule } from "../modules/types.ts";

export const MAIL_USAGE =
  "mail test --to <address> | mail preview [--input <message.json>] [--out <file.html>]";

/** The sender of the emails, or undefined when email is off (loadConfig requires CAIRN_MAIL_FROM with SMTP_URL). */
export function emailSenderFor(config: Config, log: Logger): EmailSender | undefined {
  if (!config.SMTP_URL) return undefined;
  if (!config.CAIRN_MAIL_FROM)
    throw new CairnError(ErrorCode.InvalidInput, "Email: CAIRN_MAIL_FROM is required with SMTP_URL.");
  return createEmailSender(
    {
      smtpUrl: config.SMTP_URL,
      from: config.CAIRN_MAIL_FROM,
      ...(config.CAIRN_PUBLIC_URL ? { openUrl: publicUrl(config) } : {}),
    },
    log,
  );
}

const emailAddress = z.email();

async function mailTest(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args, options: { to: { type: "string" } } });
  if (!values.to || !emailAddress.safeParse(values.to).success) {
    io.err(
      `cairn mail test: --to needs an email address (got ${values.to === undefined ? "nothing" : JSON.stringify(values.to)}), e.g. cairn mail test --to you@example.com`,
    );
    return 2;
  }
  if (!io.config || !io.log) throw new Error("cairn mail test needs the configuration");
  const sender = emailSenderFor(io.config, io.log);
  if (!sender) {
    io.err(
      "cairn mail test: email is off. Set SMTP_URL (smtp://user:password@host:587) and CAIRN_MAIL_FROM (README: Email).",
    );
    return 2;
  }
  try {
    const delivery = await sender.sendTo(values.to, testMessage(sender.server));
    if (delivery.delivered) {
      io.out(`Sent a test email to ${values.to} through ${sender.server}.`);
      return 0;
    }
    io.err(`cairn mail test: not delivered: ${delivery.reason ?? "the mail server refused it"}.`);
    return 1;
  } catch (error) {
    io.err(`cairn mail test: ${(error as Error).message}`);
    return 1;
  } finally {
    sender.close();
  }
}

function mailPreview(args: string[], io: CommandIo): number {
  const { values } = parseArgs({ args, options: { input: { type: "string" }, out: { type: "string" } } });
  let message: Message = sampleWeeklyReview();
  if (values.input) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(values.input === "-" ? 0 : values.input, "utf8"));
    } catch (error) {
      io.err(`cairn mail preview: cannot read ${values.input} as JSON: ${(error as Error).message}`);
      return 2;
    }
    const parsed = Message.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      io.err(
        `cairn mail preview: ${values.input} is not a message: ${issue ? `${formatPath(issue.path) || "(top)"}: ${issue.message}` : "invalid"} (expected {"text": "...", "parts": [...]}).`,
      );
      return 2;
    }
    message = parsed.data;
  }
  const email = renderEmail(message);
  if (values.out) {
    writeFileSync(values.out, email.html);
    io.out(`Wrote ${values.out}: "${email.subject}" as the HTML part of its email.`);
  } else io.out(email.html);
  return 0;
}

export const mailCommand: ExtraCommand = {
  name: "mail",
  usage: MAIL_USAGE,
  summary: "send a test email through SMTP_URL, or preview an email (the weekly review) as HTML",
  noConfig: (args) => args[0] === "preview",
  async run(args, io) {
    const [sub, ...rest] = args;
    try {
      if (sub === "test") return await mailTest(rest, io);
      if (sub === "preview") return mailPreview(rest, io);
    } catch (error) {
      if (!(error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) throw error;
      io.err(`cairn mail: ${(error as Error).message}`);
      return 2;
    }
    io.err(`Usage: cairn ${MAIL_USAGE}`);
    return 2;
  },
};

export const emailModule: FaceModule = {
  name: "email",
  commands: [mailCommand],
  // Every role: nudges are sent by workers as well as by web processes.
  prepare(engine, config, log) {
    const sender = emailSenderFor(config, log.child({ face: "email" }));
    if (!sender) return;
    engine.services.messenger = firstReachable([engine.services.messenger, emailAsMessenger(sender, engine)]);
  },
  async installFace(_engine, config) {
    return {
      describe: () => [
        config.SMTP_URL && config.CAIRN_MAIL_FROM
          ? `Email:          from ${config.CAIRN_MAIL_FROM} (nudges for people without chat, the weekly review)`
          : "Email:          off (set SMTP_URL and CAIRN_MAIL_FROM; README: Email)",
      ],
    };
  },
};
