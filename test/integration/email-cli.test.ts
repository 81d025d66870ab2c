/**
 * `cairn mail test` and `cairn config` as a person runs them, against the local SMTP sink: the test email
 * arrives; a wrong password, a missing sender or a malformed SMTP_URL is answered in one line that never
 * shows the password, even with debug logging.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type SmtpSink, startSmtpSink } from "../fakes/smtp.ts";

const cli = new URL("../../bin/cairn.js", import.meta.url).pathname;
const SECRET = "Cli-Sm7p-s3cret";

function run(args: string[], env: Record<string, string>, cwd: string) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|REDIS_URL|SMTP_URL|CAIRN_)/.test(key)),
  );
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...clean, CAIRN_LOG_LEVEL: "debug", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("cairn mail test (CLI)", () => {
  let sink: SmtpSink;
  let dir: string;
  const from = "Cairn <cairn@example.com>";

  before(async () => {
    sink = await startSmtpSink({ password: SECRET });
    dir = mkdtempSync(join(tmpdir(), "cairn-mail-cli-"));
  });
  after(async () => {
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a test email that arrives with a subject, a text and an HTML part", async () => {
    const arrived = sink.next();
    const result = await run(
      ["mail", "test", "--to", "ann@example.com"],
      { SMTP_URL: sink.url, CAIRN_MAIL_FROM: from },
      dir,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `Sent a test email to ann@example.com through smtp://127.0.0.1:${sink.port}.\n`,
    );
    const mail = await arrived;
    assert.deepEqual(mail.envelopeTo, ["ann@example.com"]);
    assert.equal(mail.subject, "Cairn can send you email");
    assert.match(mail.text ?? "", /This test came through smtp:\/\/127\.0\.0\.1:\d+\./);
    assert.match(mail.html ?? "", /<strong>smtp:\/\/127\.0\.0\.1:\d+<\/strong>/);
  });

  it("answers a refused login, a missing sender and a malformed URL in one line without the password", async () => {
    const wrong = sink.url.replace(SECRET, `${SECRET}-old`);
    const login = await run(
      ["mail", "test", "--to", "ann@example.com"],
      { SMTP_URL: wrong, CAIRN_MAIL_FROM: from },
      dir,
    );
    assert.equal(login.code, 1);
    assert.match(
      login.stderr,
      /cairn mail test: Email through smtp:\/\/127\.0\.0\.1:\d+: the mail server refused Cairn's login \(535 /,
    );

    const noSender = await run(["mail", "test", "--to", "ann@example.com"], { SMTP_URL: sink.url }, dir);
    assert.equal(noSender.code, 2);
    assert.match(noSender.stderr, /CAIRN_MAIL_FROM: required with SMTP_URL/);

    const malformed = await run(
      ["mail", "test", "--to", "ann@example.com"],
      { SMTP_URL: `https://cairn:${SECRET}@mail.example.com` },
      dir,
    );
    assert.notEqual(malformed.code, 0);
    assert.match(malformed.stderr, /SMTP_URL: expected smtp:\/\/user:password@host:port/);

    const config = await run(["config"], { SMTP_URL: sink.url, CAIRN_MAIL_FROM: from }, dir);
    assert.equal(config.code, 0, config.stderr);
    assert.match(config.stdout, /^SMTP_URL +•••••• \(set\)$/m);
    assert.match(config.stdout, /^CAIRN_MAIL_FROM +Cairn <cairn@example\.com>$/m);

    for (const result of [login, noSender, malformed, config])
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(SECRET));
  });
});
