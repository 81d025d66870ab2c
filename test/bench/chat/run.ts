/**
 * Chat latency: event in to reply out, on embedded defaults (PGlite, in-process jobs, no LLM), through the real
 * surfaces — signed Slack events into Bolt at POST /slack/events (replies captured by the fake Slack Web API) and
 * Teams activities with signed JWTs into POST /api/messages (replies captured by the local Bot Connector). N conversations run at once, each a different person sending a short script ("add …", "what
 * should I do now?", "list my tasks"); every message's time from sending to its reply is recorded.
 *
 *   npm run bench -- chat [--conversations 20,200] [--messages 3] [--pace 10] [--seed 2026]
 *
 * --pace is the mean pause in seconds between one person's messages (exponential, seeded): 200 conversations at
 * 10 s is 20 messages a second. --pace 0 sends back to back, which measures throughput (latency is then queueing).
 *
 * Prints p50/p95/max per surface and concurrency, and the parser's accuracy on the phrasing table.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startFakeBotFramework } from "../../fakes/bot-framework.ts";
import { slackSignatureHeaders, startFakeSlack } from "../../fakes/slack.ts";
import { startTestCairn } from "../../support/harness.ts";
import { median, percentile, progress, seededRandom } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    conversations: { type: "string", default: "20,200" },
    messages: { type: "string", default: "3" },
    /** Mean seconds between one conversation's messages (exponential gaps, seeded); 0: back to back. */
    pace: { type: "string", default: "10" },
    seed: { type: "string", default: "2026" },
  },
});
const paceMs = Number(values.pace) * 1000;
const random = seededRandom(Number(values.seed));
/** A person's pause before their next message: exponential, so conversations interleave as in a team. */
const pause = () =>
  paceMs > 0
    ? new Promise<void>((resolve) => setTimeout(resolve, -Math.log(1 - random()) * paceMs))
    : Promise.resolve();
const levels = values.conversations.split(",").map(Number);
const perConversation = Number(values.messages);
const SCRIPT = ["add write the weekly report by friday 2h", "what should I do now?", "list my tasks"];

interface Row {
  surface: string;
  conversations: number;
  samples: number[];
  failures: number;
  wallMs: number;
}

async function teams(conversations: number): Promise<Row> {
  const fake = await startFakeBotFramework();
  const cairn = await startTestCairn({ env: { ...fake.settings, CAIRN_CHAT_AUTO_PROVISION: "1" } });
  const pending = new Map<string, () => void>();
  const stop = fake.onActivity((activity) => {
    if (activity.replyToId) pending.get(activity.replyToId)?.();
  });
  const samples: number[] = [];
  let failures = 0;
  let sent = 0;
  const total = conversations * perConversation;
  try {
    const users = Array.from({ length: conversations }, (_, i) =>
      fake.addMember({ id: `29:bench-${i}`, name: `Person ${i}`, email: `person${i}@bench.example` }),
    );
    const started = performance.now();
    await Promise.all(
      users.map(async (user, index) => {
        for (let m = 0; m < perConversation; m += 1) {
          await pause();
          const id = `bench-${index}-${m}`;
          const activity = {
            type: "message",
            id,
            timestamp: new Date().toISOString(),
            channelId: "msteams",
            serviceUrl: fake.serviceUrl,
            from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
            conversation: { id: `a:bench-${index}`, conversationType: "personal", tenantId: fake.tenantId },
            recipient: { id: `28:${fake.appId}`, name: "Cairn" },
            channelData: { tenant: { id: fake.tenantId } },
            text: SCRIPT[m % SCRIPT.length],
            localTimezone: "Europe/Berlin",
          };
          const authorization = await fake.authorization({ serviceUrl: fake.serviceUrl });
          const replied = new Promise<void>((resolve) => pending.set(id, resolve));
          const t0 = performance.now();
          const response = await fetch(`${cairn.url}/api/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization },
            body: JSON.stringify(activity),
          });
          await response.text();
          if (response.status !== 200) {
            failures += 1;
            continue;
          }
          await replied;
          samples.push(performance.now() - t0);
          sent += 1;
          if (sent % 20 === 0) progress(`teams ×${conversations}: ${sent}/${total} replies`);
        }
      }),
    );
    return { surface: "Teams", conversations, samples, failures, wallMs: performance.now() - started };
  } finally {
    stop();
    await cairn.close();
    await fake.close();
  }
}

async function slack(conversations: number): Promise<Row> {
  const fake = await startFakeSlack();
  const signingSecret = randomBytes(16).toString("hex");
  const cairn = await startTestCairn({
    env: { SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl },
  });
  const pending = new Map<string, () => void>();
  const stop = fake.onMessage((message) => {
    if (message.method === "chat.postMessage") pending.get(message.channel)?.();
  });
  const samples: number[] = [];
  let failures = 0;
  const total = conversations * perConversation;
  try {
    for (let i = 0; i < conversations; i += 1)
      fake.addUser({
        id: `UBENCH${i}`,
        email: `person${i}@bench.example`,
        realName: `Person ${i}`,
        tz: "Europe/Berlin",
      });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: conversations }, async (_, index) => {
        const channel = `DBENCH${index}`;
        for (let m = 0; m < perConversation; m += 1) {
          await pause();
          const body = JSON.stringify({
            team_id: fake.teamId,
            api_app_id: "A0FAKEAPP",
            type: "event_callback",
            event_id: `Ev-bench-${index}-${m}`,
            event_time: Math.floor(Date.now() / 1000),
            authorizations: [{ team_id: fake.teamId, user_id: fake.botUserId, is_bot: true }],
            event: {
              type: "message",
              channel_type: "im",
              channel,
              user: `UBENCH${index}`,
              text: SCRIPT[m % SCRIPT.length],
              ts: `${Math.floor(Date.now() / 1000)}.${String(index * 100 + m).padStart(6, "0")}`,
            },
          });
          const replied = new Promise<void>((resolve) => pending.set(channel, resolve));
          const t0 = performance.now();
          const response = await fetch(`${cairn.url}/slack/events`, {
            method: "POST",
            headers: { "content-type": "application/json", ...slackSignatureHeaders(body, signingSecret) },
            body,
          });
          await response.text();
          if (response.status !== 200) {
            failures += 1;
            continue;
          }
          await replied;
          samples.push(performance.now() - t0);
          if (samples.length % 20 === 0)
            progress(`slack ×${conversations}: ${samples.length}/${total} replies`);
        }
      }),
    );
    return { surface: "Slack", conversations, samples, failures, wallMs: performance.now() - started };
  } finally {
    stop();
    await cairn.close();
    await fake.close();
  }
}

const rows: Row[] = [];
for (const level of levels) {
  rows.push(await slack(level));
  rows.push(await teams(level));
}
process.stderr.write("\n");

console.log(
  "| surface | conversations at once | messages | p50 ms | p95 ms | max ms | failures | messages/s |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const row of rows) {
  const fmt = (n: number) => n.toFixed(0);
  console.log(
    `| ${row.surface} | ${row.conversations} | ${row.samples.length} | ${fmt(median(row.samples))} | ${fmt(percentile(row.samples, 95))} | ${fmt(Math.max(...row.samples))} | ${row.failures} | ${((row.samples.length / row.wallMs) * 1000).toFixed(1)} |`,
  );
}
const parser = spawnSync(
  process.execPath,
  ["--import", "tsx", new URL("./parser.ts", import.meta.url).pathname],
  {
    encoding: "utf8",
  },
);
console.log(parser.stdout.split("\n")[0]);
