/** SMTP_URL as nodemailer options: scheme decides TLS and the default port; the label never carries credentials. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEmailSender } from "../../../bots/email/messenger.ts";
import { smtpServerLabel, smtpTransportOptions } from "../../../bots/email/transport.ts";
import { silentLogger } from "../../../engine/logger.ts";

describe("SMTP_URL", () => {
  it("smtp:// is STARTTLS on 587 by default, smtps:// is TLS on 465; user and password are percent-decoded", () => {
    const plain = smtpTransportOptions("smtp://cairn%40example.com:p%40ss%3Aword@mail.example.com");
    assert.equal(plain.host, "mail.example.com");
    assert.equal(plain.port, 587);
    assert.equal(plain.secure, false);
    assert.deepEqual(plain.auth, { user: "cairn@example.com", pass: "p@ss:word" });
    assert.equal(plain.logger, false);
    assert.equal(plain.debug, false);
    const tls = smtpTransportOptions("smtps://u:p@[::1]");
    assert.equal(tls.host, "::1");
    assert.equal(tls.port, 465);
    assert.equal(tls.secure, true);
    assert.equal(smtpTransportOptions("smtp://relay.lan:25").auth, undefined);
  });

  it("reads requireTLS, ignoreTLS and tls.rejectUnauthorized=false from the query", () => {
    const options = smtpTransportOptions(
      "smtp://u:p@relay.lan:25?requireTLS=true&ignoreTLS=1&tls.rejectUnauthorized=false",
    );
    assert.equal(options.requireTLS, true);
    assert.equal(options.ignoreTLS, true);
    assert.deepEqual(options.tls, { rejectUnauthorized: false });
    assert.equal(smtpTransportOptions("smtp://u:p@relay.lan:25").requireTLS, undefined);
  });

  it("names the server by scheme, host and port only", () => {
    assert.equal(
      smtpServerLabel("smtp://cairn:secret@mail.example.com:2525"),
      "smtp://mail.example.com:2525",
    );
    assert.equal(smtpServerLabel("smtps://cairn:secret@mail.example.com"), "smtps://mail.example.com:465");
  });

  it("sends to one mailbox only: a list or a malformed address is not delivered, and no server is contacted", async () => {
    // Port 9 (discard) on a TEST-NET address: a send that tried the network would fail differently.
    const sender = createEmailSender(
      { smtpUrl: "smtp://u:p@192.0.2.1:9", from: "cairn@example.com" },
      silentLogger,
    );
    const hello = { text: "Hello", parts: [] };
    for (const address of [
      "a@example.com, b@example.com",
      "not-an-address",
      "a@example.com\r\nBcc: b@example.com",
    ])
      assert.deepEqual(await sender.sendTo(address, hello), {
        delivered: false,
        channel: "email",
        reason: `${JSON.stringify(address)} is not one email address`,
      });
    sender.close();
  });
});
