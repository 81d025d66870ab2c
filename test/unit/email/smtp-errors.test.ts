/** Which SMTP failures are retried (thrown) and which are recorded (returned): the table nudges rely on. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifySmtpError } from "../../../bots/email/smtp-errors.ts";

const smtp = (responseCode: number, response: string, code = "EENVELOPE") =>
  Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), {
    code,
    responseCode,
    response,
  });

describe("SMTP failures", () => {
  it("retries 4xx replies and failures to reach the server", () => {
    for (const error of [
      smtp(451, "451 4.7.1 Greylisted"),
      smtp(421, "421 4.3.2 Service shutting down", "EPROTOCOL"),
      smtp(452, "452 4.2.2 Mailbox full"),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:2525"), { code: "ESOCKET" }),
      Object.assign(new Error("Connection timeout"), { code: "ETIMEDOUT" }),
      Object.assign(new Error("getaddrinfo ENOTFOUND mail.invalid"), { code: "EDNS" }),
      new Error("something odd"),
      "not even an error",
    ])
      assert.equal(classifySmtpError(error, "ann@example.com").kind, "transient", String(error));
  });

  it("records 5xx refusals with the server's reply", () => {
    const failure = classifySmtpError(
      smtp(550, "550 5.1.1 <bob@example.com>: Recipient address rejected"),
      "bob@example.com",
    );
    assert.deepEqual(failure, {
      kind: "permanent",
      reason:
        "the mail server refused the message to bob@example.com (550 5.1.1 <bob@example.com>: Recipient address rejected)",
    });
    assert.equal(
      classifySmtpError(smtp(552, "552 5.3.4 Message too big", "EMESSAGE"), "x@example.com").kind,
      "permanent",
    );
    assert.equal(
      classifySmtpError(smtp(554, "554 5.7.1 Spam", "EMESSAGE"), "x@example.com").kind,
      "permanent",
    );
  });

  it("tells a refused login apart: the configuration, not the message, must change", () => {
    const failure = classifySmtpError(
      smtp(535, "535 5.7.8 Authentication credentials invalid", "EAUTH"),
      "x@example.com",
    );
    assert.equal(failure.kind, "login");
    assert.match(failure.reason, /check the user and password in SMTP_URL/);
    assert.equal(
      classifySmtpError(smtp(530, "530 5.7.0 Authentication required", "EENVELOPE"), "x").kind,
      "login",
    );
  });

  it("redacts credentials a server echoes in its reply, on one line", () => {
    const failure = classifySmtpError(
      smtp(554, "554 5.7.1 rejected\r\n see smtp://cairn:hunter2@relay.example.com/ for details"),
      "x@example.com",
    );
    assert.doesNotMatch(failure.reason, /hunter2|\r|\n/);
    assert.match(failure.reason, /smtp:\/\/\*\*\*:\*\*\*@relay\.example\.com/);
  });
});
