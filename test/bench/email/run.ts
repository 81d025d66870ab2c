/**
 * Email: the time to draw a message as an email (the sample weekly review: subject, text and HTML), and the
 * time to hand emails to a local SMTP server (test/fakes/smtp.ts, on the same machine) with the real nodemailer
 * client, one connection per email as Cairn sends them, at a few concurrencies (nudge jobs in parallel).
 * `npm run bench -- email [--renders 2000] [--emails 300] [--concurrency 1,4,16]`
 */
import { parseArgs } from "node:util";
import { createEmailSender } from "../../../bots/email/messenger.ts";
import { renderEmail } from "../../../bots/email/render.ts";
import { sampleWeeklyReview } from "../../../bots/email/samples.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { startSmtpSink } from "../../fakes/smtp.ts";
import { percentile, progress } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    renders: { type: "string", default: "2000" },
    emails: { type: "string", default: "300" },
    concurrency: { type: "string", default: "1,4,16" },
  },
});
const renders = Number(values.renders);
const emails = Number(values.emails);
const concurrencies = values.concurrency.split(",").map(Number);
const review = sampleWeeklyReview();

const renderTimes: number[] = [];
for (let i = 0; i < renders; i++) {
  const started = performance.now();
  renderEmail(review, { openUrl: "https://cairn.example.com" });
  renderTimes.push(performance.now() - started);
}
const size = renderEmail(review).html.length;
progress(`rendered ${renders} weekly reviews`);

const sink = await startSmtpSink();
const sender = createEmailSender({ smtpUrl: sink.url, from: "Cairn <cairn@example.com>" }, silentLogger);
const rows: { concurrency: number; emails: number; p50: number; p95: number; perSecond: number }[] = [];
try {
  for (const concurrency of concurrencies) {
    const times: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < emails) {
          const index = next++;
          const sentAt = performance.now();
          const delivery = await sender.sendTo(`person${index}@example.com`, review);
          if (!delivery.delivered) throw new Error(`email ${index} not delivered: ${delivery.reason}`);
          times.push(performance.now() - sentAt);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      concurrency,
      emails,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      perSecond: emails / seconds,
    });
    progress(`sent ${emails} emails ${concurrency} at a time`);
  }
} finally {
  sender.close();
  await sink.close();
}

const ms = (value: number) => value.toFixed(2);
console.log(
  `render (weekly review, ${size} bytes of HTML): p50 ${ms(percentile(renderTimes, 50))} ms, p95 ${ms(percentile(renderTimes, 95))} ms over ${renders}`,
);
console.log("| emails at once | emails | p50 ms | p95 ms | emails/s |\n|---|---|---|---|---|");
for (const row of rows)
  console.log(
    `| ${row.concurrency} | ${row.emails} | ${ms(row.p50)} | ${ms(row.p95)} | ${row.perSecond.toFixed(0)} |`,
  );
