/**
 * The parser's phrasing table: what people type, the action it should become and the fields that matter.
 * The clock is Wednesday 18 March 2026, 09:00 in Berlin (+01:00; summer time starts on 29 March) unless a
 * case names another zone. `input` lists only the fields a case checks; each is compared exactly.
 */
export interface ParserCase {
  text: string;
  action: string | null;
  input?: Record<string, unknown>;
  timezone?: string;
  /** For a clarifying question: words it must contain. */
  clarify?: RegExp;
}

const q = (taskQuery: string) => ({ taskQuery });
const weekdays = (start: string, end: string, days = ["mon", "tue", "wed", "thu", "fri"]) =>
  Object.fromEntries(days.map((d) => [d, [{ start, end }]]));

export const PARSER_CASES: ParserCase[] = [
  // ——— create_task: titles, deadlines, estimates, priorities, tags
  {
    text: "add write the Q3 report by friday 2h",
    action: "create_task",
    input: { title: "write the Q3 report", due: "2026-03-20T17:00:00+01:00", estimateMinutes: 120 },
  },
  {
    text: "Add write the Q3 report by Friday, 2h",
    action: "create_task",
    input: { title: "write the Q3 report", due: "2026-03-20T17:00:00+01:00", estimateMinutes: 120 },
  },
  {
    text: "remind me to call mom tomorrow at 6pm",
    action: "create_task",
    input: { title: "call mom", due: "2026-03-19T18:00:00+01:00" },
  },
  {
    text: "add task review budget next tuesday 45 min",
    action: "create_task",
    input: { title: "review budget", due: "2026-03-24T17:00:00+01:00", estimateMinutes: 45 },
  },
  {
    text: "todo: renew passport in 2 days",
    action: "create_task",
    input: { title: "renew passport", due: "2026-03-20T17:00:00+01:00" },
  },
  {
    text: "add prepare slides by March 12 urgent",
    action: "create_task",
    input: { title: "prepare slides", due: "2027-03-12T17:00:00+01:00", priority: 1 },
  },
  {
    text: "add prepare slides by April 2",
    action: "create_task",
    input: { title: "prepare slides", due: "2026-04-02T17:00:00+02:00" },
  },
  {
    text: "new task: fix login bug p2 #backend 1h30",
    action: "create_task",
    input: { title: "fix login bug", priority: 2, tags: ["backend"], estimateMinutes: 90 },
  },
  {
    text: "add draft blog post due 12/3 low priority",
    action: "create_task",
    input: { title: "draft blog post", priority: 4 },
  },
  {
    text: "add call the bank 1 hour and a half",
    action: "create_task",
    input: { title: "call the bank", estimateMinutes: 90 },
  },
  { text: "add email Anna asap", action: "create_task", input: { title: "email Anna", priority: 1 } },
  {
    text: "I need to finish the deck before thursday 3pm",
    action: "create_task",
    input: { title: "finish the deck", due: "2026-03-19T15:00:00+01:00" },
  },
  {
    text: "add 'Prepare Q4 OKRs' by end of week",
    action: "create_task",
    input: { title: "Prepare Q4 OKRs", due: "2026-03-20T17:00:00+01:00" },
  },
  {
    text: 'add "Call Bob about the lease" tomorrow',
    action: "create_task",
    input: { title: "Call Bob about the lease", due: "2026-03-19T17:00:00+01:00" },
  },
  {
    text: "add pay rent on the 1st",
    action: "create_task",
    input: { title: "pay rent", due: "2026-04-01T17:00:00+02:00" },
  },
  {
    text: "add ship v2 in 2 hours",
    action: "create_task",
    input: { title: "ship v2", due: "2026-03-18T11:00:00+01:00" },
  },
  {
    text: "don't forget to water plants tonight",
    action: "create_task",
    input: { title: "water plants", due: "2026-03-18T22:00:00+01:00" },
  },
  {
    text: "add gym this evening",
    action: "create_task",
    input: { title: "gym", due: "2026-03-18T20:00:00+01:00" },
  },
  {
    text: "add write tests 2 and a half hours",
    action: "create_task",
    input: { title: "write tests", estimateMinutes: 150 },
  },
  {
    text: "add update the roadmap by eod",
    action: "create_task",
    input: { title: "update the roadmap", due: "2026-03-18T17:00:00+01:00" },
  },
  {
    text: "add book flights important",
    action: "create_task",
    input: { title: "book flights", priority: 2 },
  },
  {
    text: "add clean up the wiki whenever",
    action: "create_task",
    input: { title: "clean up the wiki", priority: 4 },
  },
  {
    text: "create a task to review PR 481 in 30 minutes",
    action: "create_task",
    input: { title: "review PR 481", due: "2026-03-18T09:30:00+01:00" },
  },
  {
    text: "create task: interview prep 90m",
    action: "create_task",
    input: { title: "interview prep", estimateMinutes: 90 },
  },
  { text: "new todo: buy milk", action: "create_task", input: { title: "buy milk" } },
  {
    text: "task: send invoice to ACME by monday",
    action: "create_task",
    input: { title: "send invoice to ACME", due: "2026-03-23T17:00:00+01:00" },
  },
  {
    text: "I have to submit expenses by the 31st",
    action: "create_task",
    input: { title: "submit expenses", due: "2026-03-31T17:00:00+02:00" },
  },
  {
    text: "add refactor auth module 3h #tech-debt #backend p3",
    action: "create_task",
    input: {
      title: "refactor auth module",
      estimateMinutes: 180,
      tags: ["tech-debt", "backend"],
      priority: 3,
    },
  },
  {
    text: "add write onboarding doc, 2 hours, due next friday",
    action: "create_task",
    input: { title: "write onboarding doc", estimateMinutes: 120, due: "2026-03-27T17:00:00+01:00" },
  },
  {
    text: "add plan offsite, takes about 4 hours",
    action: "create_task",
    input: { title: "plan offsite", estimateMinutes: 240 },
  },
  {
    text: "add draft contract due March 25 at 10am",
    action: "create_task",
    input: { title: "draft contract", due: "2026-03-25T10:00:00+01:00" },
  },
  {
    text: "add renew domain on April 10",
    action: "create_task",
    input: { title: "renew domain", due: "2026-04-10T17:00:00+02:00" },
  },
  {
    text: "add prep board deck starting monday due friday 4h",
    action: "create_task",
    input: { title: "prep board deck", earliestStart: "2026-03-23T09:00:00+01:00", estimateMinutes: 240 },
  },
  {
    text: "add deep work on the pricing model 3h",
    action: "create_task",
    input: { title: "deep work on the pricing model", energy: "high", estimateMinutes: 180 },
  },
  {
    text: "add quick reply to legal 15 min",
    action: "create_task",
    input: { title: "quick reply to legal", energy: "low", estimateMinutes: 15 },
  },
  { text: "please add order new laptop", action: "create_task", input: { title: "order new laptop" } },
  {
    text: "hey cairn, add follow up with Dana tomorrow morning",
    action: "create_task",
    input: { title: "follow up with Dana" },
  },
  {
    text: "remind me to stretch in 45 minutes",
    action: "create_task",
    input: { title: "stretch", due: "2026-03-18T09:45:00+01:00" },
  },
  {
    text: "add a task called quarterly tax filing by april 15 urgent 2h",
    action: "create_task",
    input: {
      title: "quarterly tax filing",
      due: "2026-04-15T17:00:00+02:00",
      priority: 1,
      estimateMinutes: 120,
    },
  },
  { text: "i should update my CV this weekend", action: "create_task", input: { title: "update my CV" } },
  { text: "need to call the plumber", action: "create_task", input: { title: "call the plumber" } },
  {
    text: "add review Q3 numbers high priority 1h by thursday",
    action: "create_task",
    input: { title: "review Q3 numbers", priority: 2, estimateMinutes: 60, due: "2026-03-19T17:00:00+01:00" },
  },
  {
    text: "add prepare demo for 20 min",
    action: "create_task",
    input: { title: "prepare demo", estimateMinutes: 20 },
  },
  {
    text: "add security review next wednesday at 2pm 1h",
    action: "create_task",
    input: { title: "security review", due: "2026-03-25T14:00:00+01:00", estimateMinutes: 60 },
  },
  {
    text: "add write release notes 1.5 hours",
    action: "create_task",
    input: { title: "write release notes", estimateMinutes: 90 },
  },
  {
    text: "add read the RFC half an hour",
    action: "create_task",
    input: { title: "read the RFC", estimateMinutes: 30 },
  },
  {
    text: "add sort receipts an hour",
    action: "create_task",
    input: { title: "sort receipts", estimateMinutes: 60 },
  },
  { text: "add fix flaky test p1", action: "create_task", input: { title: "fix flaky test", priority: 1 } },
  {
    text: "add write the Q3 report by friday 2h",
    action: "create_task",
    timezone: "America/New_York",
    input: { due: "2026-03-20T17:00:00-04:00", estimateMinutes: 120 },
  },
  {
    text: "add standup notes tomorrow at 9am",
    action: "create_task",
    timezone: "Asia/Kathmandu",
    input: { due: "2026-03-19T09:00:00+05:45" },
  },
  {
    text: "add file report by tomorrow 5pm",
    action: "create_task",
    timezone: "Pacific/Chatham",
    input: { due: "2026-03-19T17:00:00+13:45" },
  },
  { text: "add", action: null },
  // ——— complete_task
  { text: "mark the hiring plan as done", action: "complete_task", input: { id: q("hiring plan") } },
  { text: "mark hiring plan done", action: "complete_task", input: { id: q("hiring plan") } },
  { text: "done with the budget review", action: "complete_task", input: { id: q("budget review") } },
  { text: "finished the slides", action: "complete_task", input: { id: q("slides") } },
  { text: "I finished the onboarding doc", action: "complete_task", input: { id: q("onboarding doc") } },
  { text: "I've completed the vendor review", action: "complete_task", input: { id: q("vendor review") } },
  { text: "the report is done", action: "complete_task", input: { id: q("report") } },
  { text: "Q3 report is finished!", action: "complete_task", input: { id: q("Q3 report") } },
  { text: "complete task invoice", action: "complete_task", input: { id: q("invoice") } },
  { text: "complete the expense report", action: "complete_task", input: { id: q("expense report") } },
  { text: "check off groceries", action: "complete_task", input: { id: q("groceries") } },
  { text: "close the security review task", action: "complete_task", input: { id: q("security review") } },
  { text: "just shipped the pricing page", action: "complete_task", input: { id: q("pricing page") } },
  { text: "done: call mom", action: "complete_task", input: { id: q("call mom") } },
  { text: "mark it as done", action: null, clarify: /which task/i },
  { text: "done", action: null, clarify: /which task/i },
  // ——— delete_task
  { text: "delete the old onboarding task", action: "delete_task", input: { id: q("old onboarding") } },
  { text: "remove groceries", action: "delete_task", input: { id: q("groceries") } },
  { text: "delete task buy milk", action: "delete_task", input: { id: q("buy milk") } },
  {
    text: "get rid of the duplicate invoice task",
    action: "delete_task",
    input: { id: q("duplicate invoice") },
  },
  { text: "drop 'Refactor logging'", action: "delete_task", input: { id: q("Refactor logging") } },
  { text: "trash the conference talk", action: "delete_task", input: { id: q("conference talk") } },
  { text: "delete it", action: null, clarify: /which task/i },
  // ——— reschedule_task
  {
    text: "move the hiring plan to next monday 9-11",
    action: "reschedule_task",
    input: { taskId: q("hiring plan"), when: "next monday 9-11" },
  },
  {
    text: "reschedule the budget review to tomorrow afternoon",
    action: "reschedule_task",
    input: { taskId: q("budget review"), when: "tomorrow afternoon" },
  },
  {
    text: "postpone taxes to next week",
    action: "reschedule_task",
    input: { taskId: q("taxes"), when: "next week" },
  },
  {
    text: "push the design review to friday 14:00-15:30",
    action: "reschedule_task",
    input: { taskId: q("design review"), when: "friday 14:00-15:30" },
  },
  {
    text: "move Q3 report to thursday morning",
    action: "reschedule_task",
    input: { taskId: q("Q3 report"), when: "thursday morning" },
  },
  {
    text: "shift the roadmap work to this afternoon",
    action: "reschedule_task",
    input: { taskId: q("roadmap work"), when: "this afternoon" },
  },
  {
    text: "defer the newsletter until monday",
    action: "reschedule_task",
    input: { taskId: q("newsletter"), when: "monday" },
  },
  {
    text: "work on the pitch deck tomorrow",
    action: "reschedule_task",
    input: { taskId: q("pitch deck"), when: "tomorrow" },
  },
  { text: "move it to tomorrow", action: null, clarify: /which task/i },
  // ——— update_task
  {
    text: "change the estimate of the Q3 report to 3h",
    action: "update_task",
    input: { id: q("Q3 report"), estimateMinutes: 180 },
  },
  {
    text: "set the priority of taxes to high",
    action: "update_task",
    input: { id: q("taxes"), priority: 2 },
  },
  {
    text: "set the deadline for the launch plan to next thursday",
    action: "update_task",
    input: { id: q("launch plan"), due: "2026-03-26T17:00:00+01:00" },
  },
  {
    text: "change the due date of invoices to April 3 at noon",
    action: "update_task",
    input: { id: q("invoices"), due: "2026-04-03T12:00:00+02:00" },
  },
  {
    text: "make the budget review urgent",
    action: "update_task",
    input: { id: q("budget review"), priority: 1 },
  },
  {
    text: "mark the offsite as low priority",
    action: "update_task",
    input: { id: q("offsite"), priority: 4 },
  },
  { text: "make taxes p2", action: "update_task", input: { id: q("taxes"), priority: 2 } },
  {
    text: "the Q3 report is due next friday",
    action: "update_task",
    input: { id: q("Q3 report"), due: "2026-03-27T17:00:00+01:00" },
  },
  {
    text: "rename hiring plan to hiring plan v2",
    action: "update_task",
    input: { id: q("hiring plan"), title: "hiring plan v2" },
  },
  { text: "taxes will take 3 hours", action: "update_task", input: { id: q("taxes"), estimateMinutes: 180 } },
  {
    text: "the migration needs 6h",
    action: "update_task",
    input: { id: q("migration"), estimateMinutes: 360 },
  },
  {
    text: "push the deadline of taxes to april 30",
    action: "update_task",
    input: { id: q("taxes"), due: "2026-04-30T17:00:00+02:00" },
  },
  { text: "clear the due date of taxes", action: "update_task", input: { id: q("taxes"), due: null } },
  {
    text: "change the title of the report to Q3 financial report",
    action: "update_task",
    input: { id: q("report"), title: "Q3 financial report" },
  },
  // ——— list_tasks
  { text: "list my tasks", action: "list_tasks", input: { mine: true, status: ["todo", "in_progress"] } },
  { text: "show me my tasks", action: "list_tasks", input: { mine: true } },
  { text: "my tasks", action: "list_tasks", input: { mine: true } },
  { text: "what's overdue", action: "list_tasks", input: { dueBefore: "2026-03-18T09:00:00+01:00" } },
  { text: "show overdue tasks", action: "list_tasks", input: { dueBefore: "2026-03-18T09:00:00+01:00" } },
  { text: "what's due this week", action: "list_tasks", input: { dueBefore: "2026-03-23T00:00:00+01:00" } },
  { text: "what's due tomorrow", action: "list_tasks", input: { dueBefore: "2026-03-20T00:00:00+01:00" } },
  { text: "show completed tasks", action: "list_tasks", input: { status: "done" } },
  { text: "list all tasks", action: "list_tasks", input: { mine: false } },
  { text: "show tasks tagged backend", action: "list_tasks", input: { tag: "backend" } },
  { text: "list tasks from jira", action: "list_tasks", input: { source: "jira" } },
  { text: "what's on my plate", action: "list_tasks", input: { mine: true } },
  { text: "what do I have to do", action: "list_tasks", input: { mine: true } },
  { text: "show my tasks by priority", action: "list_tasks", input: { order: "priority" } },
  // ——— suggest_tags
  { text: "suggest tags for Draft Q3 report", action: "suggest_tags", input: { title: "Draft Q3 report" } },
  {
    text: 'Suggest some tags for "fix login bug"?',
    action: "suggest_tags",
    input: { title: "fix login bug" },
  },
  // ——— break_down_task
  { text: "break down the Q3 report", action: "break_down_task", input: { taskId: q("Q3 report") } },
  {
    text: "break the launch deck into subtasks",
    action: "break_down_task",
    input: { taskId: q("launch deck") },
  },
  { text: "split up onboarding plan?", action: "break_down_task", input: { taskId: q("onboarding plan") } },
  // ——— search_tasks
  { text: "find tasks about budget", action: "search_tasks", input: { query: "budget" } },
  { text: "search onboarding", action: "search_tasks", input: { query: "onboarding" } },
  { text: "search for quarterly report", action: "search_tasks", input: { query: "quarterly report" } },
  {
    text: "look for anything about the offsite",
    action: "search_tasks",
    input: { query: "anything about the offsite" },
  },
  { text: "find the vendor contract", action: "search_tasks", input: { query: "the vendor contract" } },
  { text: "do I have a task about taxes?", action: "search_tasks", input: { query: "taxes" } },
  { text: "where is the hiring plan?", action: "search_tasks", input: { query: "the hiring plan" } },
  // ——— next_task
  { text: "what should I do now?", action: "next_task" },
  { text: "what should I work on next", action: "next_task" },
  { text: "What's next?", action: "next_task" },
  { text: "what now", action: "next_task" },
  { text: "next", action: "next_task" },
  { text: "what to do now", action: "next_task" },
  { text: "give me a task", action: "next_task" },
  { text: "where should I start?", action: "next_task" },
  // ——— plan_day / plan_week
  { text: "plan my day", action: "plan_day", input: { date: "2026-03-18" } },
  { text: "plan today", action: "plan_day", input: { date: "2026-03-18" } },
  { text: "plan tomorrow", action: "plan_day", input: { date: "2026-03-19" } },
  { text: "plan friday", action: "plan_day", input: { date: "2026-03-20" } },
  { text: "can you plan my monday?", action: "plan_day", input: { date: "2026-03-23" } },
  { text: "replan my day", action: "plan_day", input: { date: "2026-03-18" } },
  { text: "plan", action: "plan_day", input: { date: "2026-03-18" } },
  { text: "plan my day", action: "plan_day", timezone: "Pacific/Auckland", input: { date: "2026-03-18" } },
  { text: "plan my day", action: "plan_day", timezone: "America/Los_Angeles", input: { date: "2026-03-18" } },
  { text: "plan my week", action: "plan_week", input: {} },
  { text: "plan next week", action: "plan_week", input: { date: "2026-03-23" } },
  { text: "plan the week", action: "plan_week", input: {} },
  { text: "schedule my week", action: "plan_week", input: {} },
  // ——— get_schedule
  {
    text: "what's on my calendar today",
    action: "get_schedule",
    input: { from: "2026-03-18T00:00:00+01:00", to: "2026-03-19T00:00:00+01:00" },
  },
  {
    text: "show my schedule for tomorrow",
    action: "get_schedule",
    input: { from: "2026-03-19T00:00:00+01:00", to: "2026-03-20T00:00:00+01:00" },
  },
  {
    text: "what does my day look like?",
    action: "get_schedule",
    input: { from: "2026-03-18T00:00:00+01:00" },
  },
  { text: "what do I have tomorrow", action: "get_schedule", input: { from: "2026-03-19T00:00:00+01:00" } },
  { text: "am I free on friday?", action: "get_schedule", input: { from: "2026-03-20T00:00:00+01:00" } },
  { text: "my schedule", action: "get_schedule", input: { from: "2026-03-18T00:00:00+01:00" } },
  {
    text: "show my week",
    action: "get_schedule",
    input: { from: "2026-03-18T00:00:00+01:00", to: "2026-03-25T00:00:00+01:00" },
  },
  { text: "what's on monday", action: "get_schedule", input: { from: "2026-03-23T00:00:00+01:00" } },
  { text: "today", action: "get_schedule", input: { from: "2026-03-18T00:00:00+01:00" } },
  {
    text: "agenda for friday 27 march",
    action: "get_schedule",
    input: { from: "2026-03-27T00:00:00+01:00" },
  },
  {
    text: "what's on my calendar on march 30",
    action: "get_schedule",
    input: { from: "2026-03-30T00:00:00+02:00", to: "2026-03-31T00:00:00+02:00" },
  },
  // ——— start_focus
  {
    text: "start focus for 45 min on the Q3 report",
    action: "start_focus",
    input: { minutes: 45, taskId: q("Q3 report") },
  },
  { text: "focus 25", action: "start_focus", input: { minutes: 25 } },
  { text: "focus for 90", action: "start_focus", input: { minutes: 90 } },
  { text: "pomodoro", action: "start_focus", input: { minutes: 25 } },
  { text: "start a focus session", action: "start_focus", input: {} },
  {
    text: "let's do some deep work on the pricing model",
    action: "start_focus",
    input: { taskId: q("pricing model") },
  },
  { text: "start a 30 minute focus block", action: "start_focus", input: { minutes: 30 } },
  { text: "focus time for 2 hours", action: "start_focus", input: { minutes: 120 } },
  { text: "start focus", action: "start_focus", input: {} },
  // ——— respond_to_block
  { text: "accept this block", action: "respond_to_block", input: { response: "accept" } },
  {
    text: "skip the next block",
    action: "respond_to_block",
    input: { response: "delete", blockId: { blockRef: "next" } },
  },
  { text: "I finished the block late", action: "respond_to_block", input: { response: "done_late" } },
  // ——— set_preferences
  {
    text: "set my timezone to Europe/Berlin",
    action: "set_preferences",
    input: { timezone: "Europe/Berlin" },
  },
  {
    text: "my time zone is America/New_York",
    action: "set_preferences",
    input: { timezone: "America/New_York" },
  },
  { text: "timezone Asia/Kolkata", action: "set_preferences", input: { timezone: "Asia/Kolkata" } },
  { text: "I'm in Tokyo", action: "set_preferences", input: { timezone: "Asia/Tokyo" } },
  { text: "I moved to Lisbon", action: "set_preferences", input: { timezone: "Europe/Lisbon" } },
  { text: "set my timezone to Mars/Olympus", action: null, clarify: /time zone/i },
  { text: "I work 9-5", action: "set_preferences", input: { workingHours: weekdays("09:00", "17:00") } },
  { text: "I work 8 to 4", action: "set_preferences", input: { workingHours: weekdays("08:00", "16:00") } },
  {
    text: "working hours 8:30 to 16:30 mon-thu",
    action: "set_preferences",
    input: { workingHours: weekdays("08:30", "16:30", ["mon", "tue", "wed", "thu"]) },
  },
  {
    text: "my working hours are 10am-6pm",
    action: "set_preferences",
    input: { workingHours: weekdays("10:00", "18:00") },
  },
  {
    text: "I work 9-17 sunday to thursday",
    action: "set_preferences",
    input: { workingHours: weekdays("09:00", "17:00", ["sun", "mon", "tue", "wed", "thu"]) },
  },
  { text: "I don't work on fridays", action: "set_preferences", input: { workingHours: { fri: [] } } },
  { text: "no meetings on wednesdays", action: "set_preferences", input: { noMeetingDays: ["wed"] } },
  {
    text: "no meeting days are tuesday and thursday",
    action: "set_preferences",
    input: { noMeetingDays: ["tue", "thu"] },
  },
  { text: "max 4h focus a day", action: "set_preferences", input: { maxFocusMinutesPerDay: 240 } },
  {
    text: "no more than 5 hours of focus per day",
    action: "set_preferences",
    input: { maxFocusMinutesPerDay: 300 },
  },
  { text: "buffer 15 min", action: "set_preferences", input: { bufferMinutes: 15 } },
  {
    text: "I need a 10 minute buffer between meetings",
    action: "set_preferences",
    input: { bufferMinutes: 10 },
  },
  { text: "my peak hours are 9-11", action: "set_preferences", input: { peakHours: [[9, 11]] } },
  { text: "I'm most productive from 8 to 11am", action: "set_preferences", input: { peakHours: [[8, 11]] } },
  { text: "my week starts on sunday", action: "set_preferences", input: { weekStartsOn: "sun" } },
  { text: "focus blocks of at least 30 min", action: "set_preferences", input: { minBlockMinutes: 30 } },
  { text: "longest block 2h", action: "set_preferences", input: { maxBlockMinutes: 120 } },
  // ——— sync, whoami, help
  { text: "sync", action: "sync_now", input: {} },
  { text: "sync now", action: "sync_now", input: {} },
  { text: "refresh from jira", action: "sync_now", input: {} },
  { text: "do a full sync", action: "sync_now", input: { full: true } },
  { text: "who am i", action: "whoami" },
  { text: "whoami", action: "whoami" },
  { text: "which account is this?", action: "whoami" },
  { text: "help", action: "help" },
  { text: "what can you do?", action: "help" },
  { text: "?", action: "help" },
  // ——— behaviour and nudges (recognised before their actions exist)
  { text: "how am I doing", action: "get_insights" },
  { text: "show my insights", action: "get_insights" },
  { text: "when do I work best?", action: "get_insights" },
  { text: "am I overloaded?", action: "get_insights" },
  { text: "what's my score", action: "get_score" },
  { text: "how's my streak", action: "get_score" },
  { text: "snooze 30", action: "snooze_nudge", input: { minutes: 30 } },
  { text: "snooze for an hour", action: "snooze_nudge", input: { minutes: 60 } },
  { text: "snooze", action: "snooze_nudge", input: { minutes: 30 } },
  { text: "snooze until tomorrow", action: "snooze_nudge", input: { until: "2026-03-19T09:00:00+01:00" } },
  { text: "skip", action: "answer_nudge", input: { answer: "skip" } },
  { text: "not now", action: "answer_nudge", input: { answer: "skip" } },
  // ——— not understood: a question back, never silence
  { text: "blah blah", action: null, clarify: /add write the Q3 report/ },
  { text: "", action: null },
  { text: "2", action: null },
  { text: "the weather is nice", action: null },
];
