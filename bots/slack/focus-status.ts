/**
 * Focus status on Slack: while a focus block runs, the person's status says "Focus time until 11:30" and their
 * notifications are paused until its end; both are cleared when the block ends early. Needs the person's user
 * token (scopes users.profile:write and dnd:write, from the OAuth install); Cairn only does this for people
 * who opted in.
 */
import { DateTime } from "luxon";
import type { Logger } from "../../engine/logger.ts";
import { sendingClient, withSlackRetries } from "./send.ts";

export interface FocusStatusOptions {
  log: Logger;
  apiUrl?: string;
  now?: () => Date;
}

export interface FocusStatus {
  /**
   * Sets the status and pauses notifications until `until`; false when Slack refused (logged, and told to
   * `refused` with Slack's error, e.g. token_revoked).
   */
  start(
    userToken: string,
    focus: { until: Date; timezone: string },
    refused?: (error: string) => void,
  ): Promise<boolean>;
  /** Clears the status and ends the pause (a block that ended early). */
  end(userToken: string): Promise<boolean>;
}

export function focusStatusText(until: Date, timezone: string): string {
  return `Focus time until ${DateTime.fromJSDate(until, { zone: timezone }).toFormat("HH:mm")}`;
}

export function createFocusStatus(options: FocusStatusOptions): FocusStatus {
  const now = options.now ?? (() => new Date());
  const policy = { log: options.log, attempts: 3 };
  return {
    async start(userToken, focus, refused) {
      const minutes = Math.ceil((focus.until.getTime() - now().getTime()) / 60_000);
      if (minutes <= 0) return false;
      const client = sendingClient(userToken, options.apiUrl);
      const profile = await withSlackRetries(
        () =>
          client.users.profile.set({
            profile: {
              status_text: focusStatusText(focus.until, focus.timezone),
              status_emoji: ":dart:",
              status_expiration: Math.floor(focus.until.getTime() / 1000),
            },
          }),
        policy,
        "users.profile.set",
      );
      const snooze = await withSlackRetries(
        () => client.dnd.setSnooze({ num_minutes: minutes }),
        policy,
        "dnd.setSnooze",
      );
      if (!profile.ok) refused?.(profile.error);
      else if (!snooze.ok) refused?.(snooze.error);
      return profile.ok && snooze.ok;
    },
    async end(userToken) {
      const client = sendingClient(userToken, options.apiUrl);
      const profile = await withSlackRetries(
        () =>
          client.users.profile.set({
            profile: { status_text: "", status_emoji: "", status_expiration: 0 },
          }),
        policy,
        "users.profile.set",
      );
      const snooze = await withSlackRetries(() => client.dnd.endSnooze(), policy, "dnd.endSnooze");
      return profile.ok && snooze.ok;
    },
  };
}
