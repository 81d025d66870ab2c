/**
 * Measures the cosine-similarity threshold for cross-source duplicates on a small hand-labelled set of
 * (Jira issue, Notion page) pairs: the same work written twice, and different work with overlapping words.
 * Embeddings are what the sync stores: HashingEmbedder of "title\ndescription\ntags".
 *
 *   node --import tsx test/bench/sync/dedupe-threshold.ts
 */

import { HashingEmbedder } from "../../../engine/search/embedder.ts";
import { cosine, DEDUPE_SIMILARITY_THRESHOLD } from "../../../engine/sync/dedupe.ts";

interface Item {
  title: string;
  description?: string;
  tags?: string[];
}
type Pair = [Item, Item];

const same: Pair[] = [
  [
    { title: "Migrate billing service to Postgres 16" },
    { title: "Migrate billing service to Postgres 16", description: "Tracked in Jira" },
  ],
  [
    { title: "Write onboarding guide for new hires", description: "For the people team" },
    { title: "Write onboarding guide for new hires" },
  ],
  [{ title: "Fix login redirect loop on Safari" }, { title: "Fix the login redirect loop in Safari" }],
  [
    { title: "Quarterly report Q3", tags: ["writing"] },
    { title: "Q3 quarterly report", tags: ["writing"] },
  ],
  [
    { title: "Renew TLS certificates for api.example.com" },
    { title: "Renew TLS certificates (api.example.com)" },
  ],
  [{ title: "Prepare slides for the board meeting" }, { title: "Board meeting slides: prepare" }],
  [{ title: "Upgrade Node.js to version 20 in CI" }, { title: "Upgrade Node.js to 20 in CI" }],
  [{ title: "Review pull request for search ranking" }, { title: "Review search ranking pull request" }],
  [{ title: "Draft release notes for 2.4" }, { title: "Release notes 2.4 draft" }],
  [
    { title: "Interview backend candidate", description: "Second round" },
    { title: "Interview backend candidate" },
  ],
  [{ title: "Set up alerting for payment failures" }, { title: "Set up alerts for payment failures" }],
  [{ title: "Budget planning for 2026" }, { title: "2026 budget planning" }],
  [{ title: "Clean up unused feature flags" }, { title: "Clean up old unused feature flags" }],
  [{ title: "Customer call with Acme about renewal" }, { title: "Acme renewal customer call" }],
  [{ title: "Refactor invoice PDF generation" }, { title: "Refactor the invoice PDF generator" }],
];

const different: Pair[] = [
  [{ title: "Migrate billing service to Postgres 16" }, { title: "Migrate auth service to Postgres 16" }],
  [{ title: "Write onboarding guide for new hires" }, { title: "Write offboarding checklist for leavers" }],
  [{ title: "Fix login redirect loop on Safari" }, { title: "Fix logout button on Firefox" }],
  [{ title: "Quarterly report Q3" }, { title: "Quarterly report Q4" }],
  [
    { title: "Renew TLS certificates for api.example.com" },
    { title: "Renew domain registration for example.com" },
  ],
  [{ title: "Prepare slides for the board meeting" }, { title: "Prepare agenda for the team meeting" }],
  [{ title: "Upgrade Node.js to version 20 in CI" }, { title: "Upgrade Postgres to version 16 in staging" }],
  [{ title: "Review pull request for search ranking" }, { title: "Write design doc for search ranking" }],
  [{ title: "Draft release notes for 2.4" }, { title: "Draft blog post for 2.4 launch" }],
  [{ title: "Interview backend candidate" }, { title: "Interview frontend candidate" }],
  [{ title: "Set up alerting for payment failures" }, { title: "Investigate payment failures in EU" }],
  [{ title: "Budget planning for 2026" }, { title: "Hiring planning for 2026" }],
  [{ title: "Clean up unused feature flags" }, { title: "Add feature flag for new checkout" }],
  [
    { title: "Customer call with Acme about renewal" },
    { title: "Customer call with Globex about onboarding" },
  ],
  [{ title: "Refactor invoice PDF generation" }, { title: "Refactor receipt email templates" }],
  [{ title: "Write quarterly report" }, { title: "Review quarterly report" }],
  [{ title: "Plan the offsite" }, { title: "Plan the sprint" }],
  [{ title: "Email the design team" }, { title: "Email the legal team" }],
];

const embedder = new HashingEmbedder();
const text = (item: Item) => [item.title, item.description ?? "", (item.tags ?? []).join(" ")].join("\n");
const score = ([a, b]: Pair) => cosine(embedder.embed(text(a)), embedder.embed(text(b)));

const positives = same.map(score).sort((a, b) => a - b);
const negatives = different.map(score).sort((a, b) => a - b);
const candidates = [...new Set([...positives, ...negatives].map((s) => Math.round(s * 100) / 100))].sort(
  (a, b) => a - b,
);
const rows = candidates.map((threshold) => {
  const tp = positives.filter((s) => s >= threshold).length;
  const fp = negatives.filter((s) => s >= threshold).length;
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp / positives.length;
  return {
    threshold,
    tp,
    fp,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
});
const safe = rows
  .filter((row) => row.fp === 0)
  .sort((a, b) => b.recall - a.recall || a.threshold - b.threshold)[0];
const at = (threshold: number) => ({
  threshold,
  falseMerges: negatives.filter((s) => s >= threshold).length,
  recall: positives.filter((s) => s >= threshold).length / positives.length,
});
process.stdout.write(
  `${JSON.stringify(
    {
      pairs: { duplicates: same.length, distinct: different.length },
      duplicateScores: { min: positives[0], median: positives[Math.floor(positives.length / 2)] },
      distinctScores: { max: negatives.at(-1), median: negatives[Math.floor(negatives.length / 2)] },
      lowestThresholdWithoutFalseMerges: safe,
      configured: at(DEDUPE_SIMILARITY_THRESHOLD),
    },
    null,
    2,
  )}\n`,
);
