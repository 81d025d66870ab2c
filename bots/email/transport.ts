/**
 * SMTP_URL as nodemailer transport options: smtp://user:password@host:587 (STARTTLS when the server offers it)
 * or smtps://user:password@host:465 (TLS from the start). Query options: requireTLS=true (refuse a server
 * without STARTTLS), ignoreTLS=true (never upgrade: a local relay), tls.rejectUnauthorized=false (a
 * self-signed certificate). Nodemailer's logger stays off: its debug output carries the AUTH exchange.
 */
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";

const flag = (value: string | null) => value === "true" || value === "1";

export function smtpTransportOptions(smtpUrl: string): SMTPTransport.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === "smtps:";
  const query = url.searchParams;
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass: decodeURIComponent(url.password) } } : {}),
    ...(flag(query.get("requireTLS")) ? { requireTLS: true } : {}),
    ...(flag(query.get("ignoreTLS")) ? { ignoreTLS: true } : {}),
    ...(query.get("tls.rejectUnauthorized") === "false" ? { tls: { rejectUnauthorized: false } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Where the mail goes, for messages and the start banner: scheme, host and port, never the credentials. */
export function smtpServerLabel(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const secure = url.protocol === "smtps:";
  return `${url.protocol}//${url.hostname}:${url.port || (secure ? 465 : 587)}`;
}
