/**
 * Kinds of work a simulated person does. Each kind has its own words, so a task's title carries signal about
 * how far its estimate runs over (the hidden planning-fallacy factor depends on the kind).
 */
export interface WorkKind {
  name: string;
  verbs: readonly string[];
  objects: readonly string[];
  /** Population log(actual / estimate) for this kind (before the person's own offsets). */
  logOverrun: number;
}

export const WORK_KINDS: readonly WorkKind[] = [
  {
    name: "writing",
    verbs: ["Draft", "Write", "Outline", "Revise"],
    objects: ["Q3 report", "blog post", "project proposal", "design doc", "newsletter", "quarterly summary"],
    logOverrun: 0.4,
  },
  {
    name: "bugfix",
    verbs: ["Fix", "Debug", "Investigate", "Patch"],
    objects: ["login bug", "payment crash", "flaky test", "memory leak", "sync timeout", "broken export"],
    logOverrun: 0.55,
  },
  {
    name: "review",
    verbs: ["Review", "Check", "Approve"],
    objects: ["pull request", "contract draft", "budget sheet", "hiring packet", "design mockups"],
    logOverrun: 0.05,
  },
  {
    name: "admin",
    verbs: ["File", "Submit", "Update", "Book"],
    objects: ["expense report", "travel booking", "timesheet", "vendor invoice", "team calendar"],
    logOverrun: -0.15,
  },
  {
    name: "planning",
    verbs: ["Plan", "Prepare", "Organize"],
    objects: ["sprint planning", "offsite agenda", "roadmap", "workshop", "board meeting slides"],
    logOverrun: 0.2,
  },
  {
    name: "research",
    verbs: ["Research", "Analyze", "Compare", "Explore"],
    objects: ["competitor pricing", "user interviews", "churn data", "caching options", "market sizing"],
    logOverrun: 0.35,
  },
];
