/**
 * The labelled query set for search_tasks' speed and recall: what people type to find work whose titles
 * repeat the same verbs, objects and contexts (the bench's generator). Labels group the kinds of query.
 */
export type QueryLabel =
  | "phrase"
  | "object"
  | "verb+object"
  | "object+context"
  | "paraphrase"
  | "single-word";

export interface LabelledQuery {
  query: string;
  label: QueryLabel;
}

const byLabel: Record<QueryLabel, string[]> = {
  phrase: [
    "Review budget for Q3",
    "Fix login bug in staging",
    "Draft release notes before launch",
    "Prepare board deck for investors",
    "Update pricing page for the marketing team",
    "Write onboarding guide for support",
    "Migrate database schema next sprint",
    "Audit security review with legal",
    "Email invoice with finance",
    "Plan hiring plan for the Berlin office",
  ],
  object: [
    "budget",
    "roadmap",
    "release notes",
    "onboarding guide",
    "API docs",
    "login bug",
    "database schema",
    "pricing page",
    "board deck",
    "customer survey",
  ],
  "verb+object": [
    "review the roadmap",
    "fix payment flow",
    "ship mobile app",
    "test search index",
    "refactor payment flow",
    "call about the contract",
    "design the newsletter",
    "write API docs",
    "update sprint backlog",
    "audit invoice",
  ],
  "object+context": [
    "contract for Acme Corp",
    "budget with finance",
    "deck for the offsite",
    "mobile app in staging",
    "report for Q3",
    "survey for support",
    "roadmap for investors",
    "newsletter for the marketing team",
    "hiring plan for the Berlin office",
    "security review before launch",
  ],
  paraphrase: [
    "look over the quarterly budget",
    "sign-in bug",
    "slides for the board",
    "docs for the API",
    "pricing website page",
    "new hire onboarding",
    "payments checkout flow",
    "release notes draft",
    "legal contract review",
    "investor update report",
  ],
  "single-word": [
    "review",
    "fix",
    "invoice",
    "staging",
    "launch",
    "legal",
    "survey",
    "Acme",
    "backlog",
    "Berlin",
  ],
};

export const labelledQueries: LabelledQuery[] = Object.entries(byLabel).flatMap(([label, queries]) =>
  queries.map((query) => ({ query, label: label as QueryLabel })),
);
