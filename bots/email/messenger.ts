/**
 * Email as a Messenger: Cairn's messages to a person's email address through the mail server in SMTP_URL, sent
 * with nodemailer as a text and an HTML part. Chat faces are tried first (see engine/messaging/route.ts); email
 * reaches people without a chat Cairn can reach, and the messages sent with { prefer: "email" } (the weekly
 * review). smtp-errors.ts says which failures are thrown (retried) and which are returned (recorded).
 */

import type { Transporter } from "nodemailer";
import { z } from "zod";
import { findPersonById } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import { UnrecoverableJobError } from "../../engine/jobs/port.ts";
import type { Logger } from "../../engine/logger.ts";
import type { Message } from "../../engine/messaging/message.ts";
import { type MessageDelivery, type Messenger, notDelivered } from "../../engine/messaging/messenger.ts";
import { renderEmail } from "./render.ts";
import { classifySmtpError, EmailTemporarilyUnavailable } from "./smtp-errors.ts";
import { smtpServerLabel, smtpTransportOptions } from "./transport.ts";

export interface EmailSettings {
  /** smtp:// or smtps:// with user:password; never logged or shown. */
  smtpUrl: string;
  /** The sender: "Cairn <cairn@example.com>" or an address. */
  from: string;
  /** Where "open Cairn" links (CAIRN_PUBLIC_URL when set). */
  openUrl?: string;
}

export interface EmailSender {
  /** scheme://host:port of the mail server, for messages: no credentials. */
  readonly server: string;
  /**
   * Resolves delivered when the server accepted the message, not delivered with a reason when it refused it
   * for good; throws when it may work later (EmailTemporarilyUnavailable) or never will as configured
   * (UnrecoverableJobError: the login was refused).
   */
  sendTo(address: string, message: Message): Promise<MessageDelivery>;
  close(): void;
}

const CHANNEL = "email";
const emailAddress = z.email();

export function createEmailSender(settings: EmailSettings, log: Logger): EmailSender {
  // nodemailer is loaded on the first email, not at start-up (most processes never send one).
  let transport: Promise<Transporter> | undefined;
  const opened = () => {
    transport ??= import("nodemailer").then((mailer) =>
      mailer.default.createTransport(smtpTransportOptions(settings.smtpUrl)),
    );
    return transport;
  };
  const server = smtpServerLabel(settings.smtpUrl);
  const render = settings.openUrl ? { openUrl: settings.openUrl } : {};
  return {
    server,
    async sendTo(address, message) {
      // One mailbox, never a list: "a@example.com, b@example.com" would reach both.
      if (!emailAddress.safeParse(address).success)
        return {
          delivered: false,
          channel: CHANNEL,
          reason: `${JSON.stringify(address)} is not one email address`,
        };
      const email = renderEmail(message, render);
      try {
        await (await opened()).sendMail({
          from: settings.from,
          to: address,
          subject: email.subject,
          text: email.text,
          html: email.html,
        });
        return { delivered: true, channel: CHANNEL };
      } catch (error) {
        const failure = classifySmtpError(error, address);
        log.warn({ server, kind: failure.kind, reason: failure.reason }, "email delivery failed");
        if (failure.kind === "permanent")
          return { delivered: false, channel: CHANNEL, reason: failure.reason };
        const text = `Email through ${server}: ${failure.reason}`;
        if (failure.kind === "login") throw new UnrecoverableJobError(text);
        throw new EmailTemporarilyUnavailable(text);
      }
    },
    close() {
      void transport?.then((open) => open.close());
    },
  };
}

/** The engine's Messenger port by email: a person is reached at their address in Cairn. */
export function emailAsMessenger(
  sender: EmailSender,
  engine: Pick<Engine, "services">,
): Messenger & { medium: "email" } {
  return {
    medium: "email",
    async send(to, message) {
      const person = await engine.services.db.scoped(to.workspaceId, (tx) =>
        findPersonById(tx, to.workspaceId, to.personId),
      );
      if (!person?.email) return notDelivered;
      return sender.sendTo(person.email, message);
    },
  };
}
