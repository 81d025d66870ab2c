import type { WorkspaceInsights } from "./contract.ts";

/** How old the stored figures behind the aggregate are, and whether some are still being computed. */
export function freshnessText(
  freshness: NonNullable<WorkspaceInsights["freshness"]>,
  now = new Date(),
): string {
  const parts: string[] = [];
  if (freshness.asOf) parts.push(`Figures as of ${ago(Date.parse(freshness.asOf), now.getTime())}.`);
  const waiting = freshness.pending + freshness.stale;
  if (freshness.pending > 0)
    parts.push(
      `${freshness.pending} ${freshness.pending === 1 ? "person has" : "people have"} no figures yet.`,
    );
  if (freshness.stale > 0)
    parts.push(
      `${freshness.stale} ${freshness.stale === 1 ? "person's figures are" : "people's figures are"} older than ${Math.round(freshness.freshForMinutes / 60)} h.`,
    );
  if (waiting > 0)
    parts.push("They are being brought up to date in the background; reload in a few minutes.");
  return parts.join(" ");
}

/** An absolute time for the reader's locale, with how long ago it was. */
export function ago(at: number, now: number): string {
  const minutes = Math.max(0, Math.round((now - at) / 60_000));
  const when = new Date(at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  if (minutes < 1) return `${when} (just now)`;
  if (minutes < 60) return `${when} (${minutes} min ago)`;
  return `${when} (${Math.round(minutes / 60)} h ago)`;
}
