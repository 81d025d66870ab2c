/** `cairn mail`: preview draws a message (the weekly review by default) as HTML; bad input and missing config exit 2. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { emailSenderFor, mailCommand } from "../../../bin/faces/email.ts";
import { loadConfig } from "../../../engine/config.ts";
import { silentLogger } from "../../../engine/logger.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe("cairn mail", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-mail-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("previews the weekly review as HTML without configuration", async () => {
    assert.equal(typeof mailCommand.noConfig === "function" && mailCommand.noConfig(["preview"]), true);
    const { out, io } = capture();
    assert.equal(await mailCommand.run(["preview"], io), 0);
    assert.match(out.join("\n"), /^<!doctype html>[\s\S]*<h1[^>]*>Your week in review<\/h1>/);
    const file = join(dir, "review.html");
    assert.equal(await mailCommand.run(["preview", "--out", file], io), 0);
    assert.match(readFileSync(file, "utf8"), /<caption[^>]*>Monday 23 March<\/caption>/);
  });

  it("previews a message read from a file, and names the field of one that is not a message", async () => {
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ text: "Hi", parts: [{ type: "heading", text: "Morning plan" }] }));
    const ok = capture();
    assert.equal(await mailCommand.run(["preview", "--input", good], ok.io), 0);
    assert.match(ok.out.join(""), /<title>Morning plan<\/title>/);

    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ text: "Hi", parts: [{ type: "fields", fields: [{ label: 3 }] }] }));
    const refused = capture();
    assert.equal(await mailCommand.run(["preview", "--input", bad], refused.io), 2);
    assert.match(refused.err.join(""), /is not a message: parts\[0\]\.fields\[0\]\.label: /);
    const missing = capture();
    assert.equal(await mailCommand.run(["preview", "--input", join(dir, "none.json")], missing.io), 2);
    assert.match(missing.err.join(""), /cannot read .*none\.json as JSON/);
  });

  it("test needs an address and a configured mail server", async () => {
    const config = loadConfig({});
    const noTo = capture();
    assert.equal(await mailCommand.run(["test"], { ...noTo.io, config, log: silentLogger }), 2);
    assert.match(noTo.err.join(""), /--to needs an email address \(got nothing\)/);
    const off = capture();
    assert.equal(
      await mailCommand.run(["test", "--to", "a@example.com"], { ...off.io, config, log: silentLogger }),
      2,
    );
    assert.match(off.err.join(""), /email is off\. Set SMTP_URL/);
    const usage = capture();
    assert.equal(await mailCommand.run(["send"], usage.io), 2);
    assert.match(usage.err.join(""), /^Usage: cairn mail test --to <address>/);
  });

  it("SMTP_URL without CAIRN_MAIL_FROM is a configuration error naming what to set", () => {
    assert.throws(
      () => loadConfig({ SMTP_URL: "smtp://u:p@mail.example.com:587" }),
      /CAIRN_MAIL_FROM: required with SMTP_URL: the sender of Cairn's emails, e\.g\. "Cairn <cairn@example\.com>"/,
    );
    assert.equal(emailSenderFor(loadConfig({}), silentLogger), undefined);
    assert.throws(
      () => loadConfig({ CAIRN_MAIL_FROM: "not an address" }),
      /CAIRN_MAIL_FROM: expected an address/,
    );
    assert.equal(
      loadConfig({ CAIRN_MAIL_FROM: "Cairn <cairn@example.com>" }).CAIRN_MAIL_FROM,
      "Cairn <cairn@example.com>",
    );
  });
});
