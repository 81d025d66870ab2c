/**
 * Email through a local SMTP sink with the real nodemailer client, composed as `cairn start` composes it (the
 * email module's prepare, then a chat face): a nudge for a person no chat reaches arrives with a subject, a text
 * and an HTML part; a person chat reaches gets chat; a send that prefers email (the weekly review) goes by
 * email; a 4xx makes the job retry until it is delivered; a 550 is not delivered, with the server's reason.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { emailSenderFor, mailCommand } from "../../bin/faces/email.ts";
import { prepareModules } from "../../bin/modules/index.ts";
import { emailAsMessenger } from "../../bots/email/messenger.ts";
import { EmailTemporarilyUnavailable } from "../../bots/email/smtp-errors.ts";
import { terminalMessenger } from "../../bots/terminal/messenger.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { describeConfig, loadConfig } from "../../engine/config.ts";
import { UnrecoverableJobError } from "../../engine/jobs/port.ts";
import { loggerOptions } from "../../engine/logger.ts";
import type { Message } from "../../engine/messaging/message.ts";
import type { MessageDelivery, MessageRecipient } from "../../engine/messaging/messenger.ts";
import { firstReachable } from "../../engine/messaging/route.ts";
import { type SmtpSink, startSmtpSink } from "../fakes/smtp.ts";
import { backends, openTestEngine, type TestEngine } from "../support/harness.ts";

const nudge: Message = {
  text: "Your focus block for Draft Q3 report starts in 10 minutes",
  parts: [
    { type: "heading", text: "Focus block in 10 minutes" },
    { type: "text", text: "**Draft Q3 report** starts at 09:00. _Close your inbox_ first." },
    {
      type: "fields",
      fields: [
        { label: "Due", value: "Tue 24 Mar, 17:00" },
        { label: "Estimate", value: "2 h 50 min" },
      ],
    },
    {
      type: "buttons",
      buttons: [
        { label: "Done", call: { action: "answer_nudge", input: { nudgeId: "n1", answer: "done" } } },
        { label: "Snooze", call: { action: "answer_nudge", input: { nudgeId: "n1", answer: "snooze" } } },
      ],
    },
  ],
};

const SECRET = "Sm7p-pa55-w0rd";
const env = (url: string) => ({ SMTP_URL: url, CAIRN_MAIL_FROM: "Cairn <cairn@example.com>" });

const weeklyReview: Message = {
  text: "Your week in review",
  parts: [
    { type: "heading", text: "Your week in review" },
    { type: "fields", fields: [{ label: "Score", value: "72" }] },
  ],
};

for (const backend of backends()) {
  describe(`email delivery (${backend.name})`, { skip: backend.skip }, () => {
    let sink: SmtpSink;
    let test: TestEngine;
    const logLines: string[] = [];
    const log = pino(
      { level: "debug", ...loggerOptions },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    const terminal = terminalMessenger();
    const send = (to: MessageRecipient, message: Message, prefer?: "chat" | "email") =>
      test.engine.services.messenger.send(to, message, prefer ? { prefer } : {});

    async function person(
      email = `${randomUUID().slice(0, 8)}@example.com`,
    ): Promise<MessageRecipient & { email: string }> {
      const issued = await issueApiToken(test.db, { workspace: `ws-${randomUUID().slice(0, 8)}`, email });
      return { workspaceId: issued.workspace.id, personId: issued.person.id, email };
    }

    before(async () => {
      sink = await startSmtpSink({ password: SECRET });
      test = await openTestEngine({ db: backend.db, jobs: backend.jobs, env: env(sink.url), log });
      prepareModules(test.engine, test.config, log);
      // A chat face installed after email, as `cairn chat` does: email still comes last.
      test.engine.services.messenger = firstReachable([test.engine.services.messenger, terminal]);
    });
    after(async () => {
      await test?.close();
      await sink?.close();
    });

    it("emails a nudge to a person no chat reaches: subject, text and accessible HTML", async () => {
      const ann = await person("ann.email@example.com");
      const arrived = sink.next();
      assert.deepEqual(await send(ann, nudge), { delivered: true, channel: "email" });
      const mail = await arrived;
      assert.deepEqual(mail.envelopeTo, ["ann.email@example.com"]);
      assert.equal(mail.envelopeFrom, "cairn@example.com");
      assert.equal(mail.headers.get("from"), "Cairn <cairn@example.com>");
      assert.equal(mail.subject, "Focus block in 10 minutes");
      assert.match(mail.headers.get("content-type") ?? "", /^multipart\/alternative/);
      assert.match(mail.text ?? "", /Draft Q3 report starts at 09:00\. Close your inbox first\./);
      assert.match(mail.text ?? "", /Due: Tue 24 Mar, 17:00/);
      assert.match(mail.text ?? "", /Choices: Done · Snooze\. Reply in Slack\/Teams or open Cairn\./);
      const html = mail.html ?? "";
      assert.match(html, /<html lang="en">/);
      assert.match(html, /<h1[^>]*>Focus block in 10 minutes<\/h1>/);
      assert.match(html, /<strong>Draft Q3 report<\/strong> starts at 09:00\. <em>Close your inbox<\/em>/);
      assert.match(html, /<th scope="row"[^>]*>Due<\/th><td[^>]*>Tue 24 Mar, 17:00<\/td>/);
      assert.match(html, /Reply in Slack\/Teams or open Cairn/);
      assert.doesNotMatch(html, /answer_nudge|<a /, "no action link without a safe way to act from email");
    });

    it("sends by chat first when chat reaches the person, by email when the send prefers email", async () => {
      const bo = await person();
      const printed: Message[] = [];
      const close = terminal.attach(bo.personId, (message) => printed.push(message));
      try {
        const before = sink.messages.length;
        assert.deepEqual(await send(bo, nudge), { delivered: true, channel: "terminal" });
        assert.equal(sink.messages.length, before, "no email when chat delivered");
        const arrived = sink.next();
        assert.deepEqual(await send(bo, weeklyReview, "email"), { delivered: true, channel: "email" });
        assert.equal((await arrived).subject, "Your week in review");
        assert.deepEqual(
          printed.map((message) => message.text),
          [nudge.text],
        );
      } finally {
        close();
      }
    });

    it("a refused address is not delivered, with the server's reason; chat still gets a preferred-email send", async () => {
      const gone = await person("gone@example.com");
      sink.refuse("gone@example.com", 550, "5.1.1 <gone@example.com>: Recipient address rejected");
      const delivery: MessageDelivery = await send(gone, nudge);
      assert.equal(delivery.delivered, false);
      assert.equal(delivery.channel, "email");
      assert.match(
        delivery.reason ?? "",
        /refused the message to gone@example\.com \(550 5\.1\.1 .*rejected\)/,
      );

      const printed: Message[] = [];
      const close = terminal.attach(gone.personId, (message) => printed.push(message));
      try {
        assert.deepEqual(await send(gone, weeklyReview, "email"), { delivered: true, channel: "terminal" });
      } finally {
        close();
      }
    });

    it("a 4xx throws a retryable error, so the nudge job retries until the server takes it", async () => {
      const cy = await person();
      sink.failNext(451, "4.7.1 Greylisted, please try again later");
      await assert.rejects(send(cy, nudge), (error: unknown) => {
        assert.ok(error instanceof EmailTemporarilyUnavailable);
        assert.equal(error.retryable, true);
        assert.match(error.message, /try again later \(451 4\.7\.1 Greylisted/);
        return true;
      });

      const queue = `email-test-${randomUUID().slice(0, 8)}`;
      const attempts: number[] = [];
      test.engine.services.jobs.handle<MessageRecipient>(queue, async (job) => {
        attempts.push(job.attempt);
        return test.engine.services.messenger.send(job.data, nudge);
      });
      await test.engine.services.jobs.start();
      sink.failNext(421, "4.3.2 Service shutting down", 1);
      const arrived = sink.next();
      const recipient: MessageRecipient = { workspaceId: cy.workspaceId, personId: cy.personId };
      await test.engine.services.jobs.enqueue(queue, "nudge", recipient, { attempts: 3, backoffMs: 10 });
      assert.deepEqual((await arrived).envelopeTo, [cy.email]);
      assert.deepEqual(attempts, [1, 2]);
    });

    it("a mail server that is down makes the send throw a retryable error", async () => {
      const down = await startSmtpSink({ password: SECRET });
      await down.close();
      const sender = emailSenderFor(loadConfig(env(down.url)), log);
      assert.ok(sender);
      const dee = await person();
      await assert.rejects(emailAsMessenger(sender, test.engine).send(dee, nudge), (error: unknown) => {
        assert.ok(error instanceof EmailTemporarilyUnavailable);
        assert.match(error.message, /could not reach the mail server \(ESOCKET: connect ECONNREFUSED/);
        assert.match(error.message, new RegExp(`through smtp://127\\.0\\.0\\.1:${down.port}:`));
        return true;
      });
    });

    it("never shows the SMTP password: not in errors, reasons, logs, cairn config or cairn mail test", async () => {
      const wrong = sink.url.replace(encodeURIComponent(SECRET), `${SECRET}-old`);
      const refusedLogin = emailSenderFor(loadConfig(env(wrong)), log);
      assert.ok(refusedLogin);
      const eve = await person();
      await assert.rejects(emailAsMessenger(refusedLogin, test.engine).send(eve, nudge), (error: unknown) => {
        assert.ok(error instanceof UnrecoverableJobError, "a refused login is not retried");
        assert.match(
          error.message,
          /refused Cairn's login \(535 5\.7\.8 .*check the user and password in SMTP_URL/,
        );
        assert.doesNotMatch(error.message, new RegExp(SECRET));
        return true;
      });

      const out: string[] = [];
      const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
      const config = loadConfig(env(wrong));
      assert.equal(await mailCommand.run(["test", "--to", eve.email], { ...io, config, log }), 1);
      assert.equal(
        await mailCommand.run(["test", "--to", eve.email], { ...io, config: test.config, log }),
        0,
      );
      assert.match(out.join("\n"), /Sent a test email to .* through smtp:\/\/127\.0\.0\.1:\d+\./);

      const shown = describeConfig(test.config, env(sink.url));
      assert.equal(shown.find((row) => row.variable === "SMTP_URL")?.value, "•••••• (set)");
      assert.throws(
        () => loadConfig({ SMTP_URL: `smtp://cairn:${SECRET}@mail.example.com:not-a-port` }),
        (error: Error) => error.message.includes("SMTP_URL") && !error.message.includes(SECRET),
      );
      assert.throws(
        () => loadConfig({ SMTP_URL: `http://cairn:${SECRET}@mail.example.com` }),
        (error: Error) =>
          /SMTP_URL: expected smtp:\/\//.test(error.message) && !error.message.includes(SECRET),
      );

      const everything = [...logLines, ...out, ...shown.map((row) => row.value)].join("\n");
      assert.ok(
        logLines.some((line) => line.includes("email delivery failed")),
        "failures are logged",
      );
      assert.doesNotMatch(everything, new RegExp(SECRET));
      assert.doesNotMatch(
        everything,
        new RegExp(Buffer.from(`\u0000cairn\u0000${SECRET}`).toString("base64")),
      );
    });
  });
}
