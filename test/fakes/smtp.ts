/**
 * A local SMTP sink for tests: a real SMTP server (smtp-server) on 127.0.0.1:0 that requires a login, keeps
 * every message it accepts (envelope, headers, decoded subject, text and HTML parts) and lets a test wait for
 * the next one. Recipients can be refused for good (550) and the next commands can fail for a while (4xx).
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  /** The login the client used. */
  user: string;
  envelopeFrom: string;
  envelopeTo: string[];
  headers: Map<string, string>;
  subject: string;
  text?: string;
  html?: string;
  raw: string;
}

export interface SmtpSinkOptions {
  user?: string;
  password?: string;
}

export interface SmtpSink {
  port: number;
  /** smtp://user:password@127.0.0.1:port. */
  url: string;
  readonly messages: CapturedMail[];
  /** The n-th message accepted (0-based), now or when it arrives. */
  nth(index: number): Promise<CapturedMail>;
  next(): Promise<CapturedMail>;
  /** RCPT TO this address is answered with `code message` (default 550, mailbox unavailable). */
  refuse(address: string, code?: number, message?: string): void;
  /** The next `count` messages are answered at RCPT TO with `code message` (e.g. 451 greylisting). */
  failNext(code: number, message: string, count?: number): void;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const user = options.user ?? "cairn";
  const password = options.password ?? "sink-password";
  const messages: CapturedMail[] = [];
  const waiting = new Map<number, Array<(mail: CapturedMail) => void>>();
  const refused = new Map<string, { code: number; message: string }>();
  let failing: { code: number; message: string; count: number } | undefined;

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
    },
    onRcptTo(address, _session, callback) {
      if (failing && failing.count > 0) {
        failing.count--;
        callback(smtpError(failing.code, failing.message));
        return;
      }
      const refusal = refused.get(address.address.toLowerCase());
      callback(refusal ? smtpError(refusal.code, refusal.message) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const mail: CapturedMail = {
          user: String(session.user ?? ""),
          envelopeFrom,
          envelopeTo: session.envelope.rcptTo.map((to) => to.address),
          ...parseMail(raw),
          raw,
        };
        messages.push(mail);
        const index = messages.length - 1;
        for (const resolve of waiting.get(index) ?? []) resolve(mail);
        waiting.delete(index);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const nth = (index: number) => {
    const already = messages[index];
    if (already) return Promise.resolve(already);
    return new Promise<CapturedMail>((resolve) =>
      waiting.set(index, [...(waiting.get(index) ?? []), resolve]),
    );
  };
  return {
    port,
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    messages,
    nth,
    next: () => nth(messages.length),
    refuse(address, code = 550, message = "5.1.1 Mailbox unavailable") {
      refused.set(address.toLowerCase(), { code, message });
    },
    failNext(code, message, count = 1) {
      failing = { code, message, count };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

function splitPart(raw: string): MimePart {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? "" : raw.slice(at).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = part.body
      .replace(/%/g, "%25")
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, "%$1");
    return decodeURIComponent(bytes.replace(/\r\n/g, "\n"));
  }
  return part.body.replace(/\r\n/g, "\n");
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=), as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : decodeURIComponent(data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, "%$1")),
    );
}

function leaves(part: MimePart): MimePart[] {
  const type = part.headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith("multipart/") || !boundary) return [part];
  return part.body
    .split(`--${boundary}`)
    .slice(1)
    .filter((chunk) => !chunk.startsWith("--"))
    .flatMap((chunk) => leaves(splitPart(chunk.replace(/^\r?\n/, ""))));
}

function parseMail(raw: string): Pick<CapturedMail, "headers" | "subject" | "text" | "html"> {
  const top = splitPart(raw);
  let text: string | undefined;
  let html: string | undefined;
  for (const leaf of leaves(top)) {
    const type = (leaf.headers.get("content-type") ?? "text/plain").toLowerCase();
    if (type.startsWith("text/plain") && text === undefined) text = decodeBody(leaf);
    else if (type.startsWith("text/html") && html === undefined) html = decodeBody(leaf);
  }
  return {
    headers: top.headers,
    subject: decodeWords(top.headers.get("subject") ?? ""),
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
  };
}
