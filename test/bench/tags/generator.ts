/**
 * A seeded, labelled set of work tasks as a small team writes them: repetitive titles from recurring kinds of
 * work, varied by client, quarter, product, colleague and phrasing, tagged as people tag (usually the kind's
 * tags, sometimes one forgotten, now and then a stray one). Same seed, same tasks.
 */
import { seededRandom } from "../support/stats.ts";

export interface LabelledTask {
  title: string;
  tags: string[];
}

interface Kind {
  templates: string[];
  tags: string[];
}

const fill: Record<string, string[]> = {
  client: [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Soylent",
    "Vandelay",
    "Tyrell",
  ],
  quarter: ["Q1", "Q2", "Q3", "Q4", "H1", "H2", "FY26"],
  product: ["mobile app", "web app", "checkout", "search", "billing", "onboarding", "dashboard", "API"],
  person: ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana"],
  topic: ["pricing", "roadmap", "hiring", "churn", "security", "performance", "accessibility"],
};

const kinds: Kind[] = [
  {
    templates: [
      "Draft {quarter} {client} report",
      "Write {quarter} board report",
      "Finish {quarter} report for {client}",
    ],
    tags: ["reporting", "finance"],
  },
  {
    templates: [
      "Review {quarter} budget",
      "Update {quarter} forecast",
      "Reconcile {client} invoices",
      "Approve {quarter} expenses",
    ],
    tags: ["finance"],
  },
  {
    templates: [
      "Fix {product} crash",
      "Fix login bug in {product}",
      "Investigate {product} error spike",
      "Patch {product} regression",
    ],
    tags: ["bug", "engineering"],
  },
  {
    templates: ["Review {person}'s pull request", "Code review for {product}", "Review {product} design doc"],
    tags: ["review", "engineering"],
  },
  {
    templates: [
      "Prepare {client} demo",
      "Call {client} about renewal",
      "Send {client} proposal",
      "Follow up with {client}",
    ],
    tags: ["sales", "client"],
  },
  {
    templates: [
      "Prepare slides for {topic} all-hands",
      "Write {topic} blog post",
      "Draft {product} launch announcement",
    ],
    tags: ["marketing", "writing"],
  },
  {
    templates: ["1:1 with {person}", "Prepare {person}'s performance review", "Write feedback for {person}"],
    tags: ["people"],
  },
  {
    templates: [
      "Interview candidate for {product} team",
      "Screen {topic} candidates",
      "Write job post for {product} engineer",
    ],
    tags: ["hiring", "people"],
  },
  {
    templates: ["Plan {quarter} {topic} roadmap", "Write {product} spec", "Prioritise {product} backlog"],
    tags: ["planning", "product"],
  },
  {
    templates: ["Rotate {product} secrets", "Run {product} security audit", "Update {product} dependencies"],
    tags: ["security", "engineering"],
  },
  {
    templates: ["Answer {client} support ticket", "Escalate {client} outage", "Write {product} help article"],
    tags: ["support", "client"],
  },
  {
    templates: [
      "Book travel to {client}",
      "Submit expense report",
      "Renew {topic} training",
      "Order new laptop for {person}",
    ],
    tags: ["admin"],
  },
];

export function generateLabelledTasks(seed: number, count: number): LabelledTask[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const allTags = [...new Set(kinds.flatMap((kind) => kind.tags))];
  return Array.from({ length: count }, () => {
    const kind = pick(kinds);
    const title = pick(kind.templates).replace(/\{(\w+)\}/g, (_, slot: string) => pick(fill[slot] ?? [slot]));
    // People forget a tag now and then (the second one more often) and sometimes add one that does not fit.
    const tags = kind.tags.filter((_, index) => random() > (index === 0 ? 0.05 : 0.15));
    if (random() < 0.05) tags.push(pick(allTags));
    return { title, tags: [...new Set(tags)] };
  });
}
