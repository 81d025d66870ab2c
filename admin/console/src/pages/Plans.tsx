import { useMemo, useState } from "react";
import { z } from "zod";
import { Empty, ErrorNote, Loaded } from "../components/common.tsx";
import { WeekView } from "../components/WeekView.tsx";
import { api, useSession } from "../context.tsx";
import { useChanges, useResource } from "../hooks.ts";
import { Schedule, TaskList } from "../lib/actions.ts";
import { query } from "../lib/api.ts";
import { isAdminRole, refreshesOn } from "../lib/navigation.ts";
import { layoutWeek, type TimelineSource } from "../lib/timeline.ts";
import { unscheduledTasks, weekRange } from "../lib/week.ts";

const People = z.looseObject({
  people: z.array(z.looseObject({ id: z.string(), email: z.string(), name: z.string() })),
});

export default function Plans() {
  const { session } = useSession();
  const admin = isAdminRole(session.user.role);
  const self = session.user.personId ?? "";
  const [personId, setPersonId] = useState(self);
  const [weekOffset, setWeekOffset] = useState(0);
  const [live, setLive] = useState<string>();
  const [planning, setPlanning] = useState<unknown>();
  const people = useResource(
    () => (admin ? api.action(People, "list_people") : Promise.resolve(undefined)),
    [admin],
  );
  const range = useMemo(() => weekRange(Date.now(), weekOffset), [weekOffset]);
  const schedule = useResource(
    () =>
      personId
        ? api.request(Schedule, `/admin/api/people/${encodeURIComponent(personId)}/schedule${query(range)}`)
        : Promise.reject(
            new Error("Your console user is not linked to a person, so there is no week to show."),
          ),
    [personId, range],
  );
  const tasks = useResource(
    () =>
      api.action(TaskList, "list_tasks", {
        status: ["todo", "in_progress"],
        limit: 200,
        ...(personId === self ? { mine: true } : {}),
      }),
    [personId],
  );
  useChanges((change) => {
    if (!refreshesOn("plans", change.kind)) return;
    if (change.personId && change.personId !== personId) return;
    schedule.reload();
    tasks.reload();
    setLive(`${change.kind} changed at ${new Date().toLocaleTimeString()}; the week is up to date.`);
  });

  async function planMyWeek() {
    setPlanning(undefined);
    try {
      await api.action(z.unknown(), "plan_week", {});
      schedule.reload();
    } catch (error) {
      setPlanning(error);
    }
  }

  const timeline = useMemo(() => {
    const data = schedule.data;
    if (!data) return undefined;
    const sources: TimelineSource[] = [
      ...data.events.map((event) => ({
        id: event.id,
        kind: "meeting" as const,
        title: event.title,
        start: event.start,
        end: event.end,
        allDay: event.allDay,
      })),
      ...data.blocks.map((block) => ({
        id: block.id,
        kind:
          block.kind === "habit"
            ? ("habit" as const)
            : block.kind === "task"
              ? ("task" as const)
              : ("focus" as const),
        title: block.taskTitle ?? block.habitTitle ?? "Focus time",
        start: block.start,
        end: block.end,
        reason: block.reason,
        status: block.status,
      })),
    ];
    return layoutWeek(sources, data, data.timezone);
  }, [schedule.data]);

  const unscheduled =
    schedule.data && tasks.data
      ? unscheduledTasks(
          tasks.data.tasks.filter((task) => personId === self || task.personId === personId),
          schedule.data.blocks,
        )
      : [];

  return (
    <section aria-labelledby="plans-title">
      <h1 id="plans-title">Plans</h1>
      <div className="toolbar">
        {admin && people.data && (
          <>
            <label htmlFor="plan-person">Person</label>
            <select id="plan-person" value={personId} onChange={(event) => setPersonId(event.target.value)}>
              {people.data.people.map((person) => (
                <option key={person.id} value={person.id}>
                  {person.name || person.email}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="button" className="secondary" onClick={() => setWeekOffset((n) => n - 1)}>
          Previous week
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => setWeekOffset(0)}
          disabled={weekOffset === 0}
        >
          This week
        </button>
        <button type="button" className="secondary" onClick={() => setWeekOffset((n) => n + 1)}>
          Next week
        </button>
        {personId === self && (
          <button type="button" onClick={() => void planMyWeek()}>
            Plan my week
          </button>
        )}
      </div>
      <ErrorNote error={planning} />
      <p role="status" aria-live="polite" className="muted">
        {live ?? "Updates live when a replan lands."}
      </p>
      <Loaded resource={schedule}>
        {(data) => (
          <>
            <p className="muted">
              Times in {data.timezone} · plan version {data.currentVersion}
            </p>
            {data.blocks.length === 0 && data.events.length === 0 ? (
              <Empty>
                Nothing planned this week.{" "}
                {personId === self
                  ? "Press Plan my week, or add tasks with estimates and Cairn places focus blocks around the meetings."
                  : "Cairn plans this person's week once they have tasks with estimates."}
              </Empty>
            ) : (
              timeline && <WeekView timeline={timeline} />
            )}
          </>
        )}
      </Loaded>
      <h2>Unscheduled tasks</h2>
      <Loaded resource={tasks}>
        {() =>
          unscheduled.length === 0 ? (
            <Empty>Every open task with an estimate has a place this week.</Empty>
          ) : (
            <ul className="rows">
              {unscheduled.slice(0, 50).map((task) => (
                <li key={task.id}>
                  {task.title}{" "}
                  <span className="muted">
                    P{task.priority} ·{" "}
                    {task.estimateMinutes === null ? "no estimate" : `${task.estimateMinutes} min`}
                    {task.due ? ` · due ${new Date(task.due).toLocaleDateString()}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
