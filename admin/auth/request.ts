/** What the console asks of a request: is it from this machine, over HTTPS, from our own pages. */
import type { Request, Response } from "express";
import { ProblemError } from "../api/problem.ts";
import { ABSOLUTE_MS, SESSION_COOKIE } from "./sessions.ts";

const loopback = (address: string | undefined): boolean =>
  !!address && (address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127."));

/**
 * From this machine: the connection and the client address are loopback and no proxy forwarded it (a
 * reverse proxy on the same host would otherwise make every visitor local).
 */
export function isLocalRequest(req: Request): boolean {
  return (
    loopback(req.socket.remoteAddress) &&
    loopback(req.ip) &&
    req.get("x-forwarded-for") === undefined &&
    req.get("forwarded") === undefined
  );
}

/** The origin the browser sees: CAIRN_PUBLIC_URL's when configured, else the request's own. */
export function originOf(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

/**
 * Sign-in and setup carry no CSRF token (there is no session yet), so a cross-site form must not reach
 * them: Sec-Fetch-Site and Origin, when the browser sends them, must say same origin.
 */
export function assertSameOrigin(req: Request, publicUrl: string | undefined): void {
  const site = req.get("sec-fetch-site");
  const origin = req.get("origin");
  const own = new Set([`${req.protocol}://${req.get("host") ?? ""}`]);
  if (publicUrl) own.add(new URL(publicUrl).origin);
  const crossSite =
    (site !== undefined && site !== "same-origin" && site !== "none") ||
    (origin !== undefined && !own.has(origin));
  if (crossSite) {
    throw new ProblemError(403, {
      title: "Cross-site request refused",
      detail: "Sign in from the console's own page; requests from other sites are refused.",
    });
  }
}

export function setSessionCookie(req: Request, res: Response, value: string): void {
  res.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: req.secure,
    maxAge: ABSOLUTE_MS,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", path: "/", secure: req.secure });
}
