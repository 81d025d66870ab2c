import { useMemo, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { z } from "zod";
import { Empty, Loaded } from "../components/common.tsx";
import { Heatmap } from "../components/Heatmap.tsx";
import { api, useSession } from "../context.tsx";
import { useResource } from "../hooks.ts";
import { PersonInsights, Schedule } from "../lib/actions.ts";
import { query } from "../lib/api.ts";
import { WorkspaceInsights } from "../lib/contract.ts";
import { bucketMinutes, normalizeGrid } from "../lib/heatmap.ts";
import { isAdminRole } from "../lib/navigation.ts";

const People = z.looseObject({
  people: z.array(z.looseObject({ id: z.string(), email: z.string(), name: z.string() })),
});
const DAY = 86_400_000;

export default function Insights() {
  const { session } = useSession();
  const admin = isAdminRole(session.user.role);
  const self = session.user.personId ?? "";
  const [personId, setPersonId] = useState(self);
  const people = useResource(
    () => (admin ? api.action(People, "list_people") : Promise.resolve(undefined)),
    [admin],
  );
  return (
    <section aria-labelledby="insights-title">
      <h1 id="insights-title">Insights</h1>
      {admin && <WorkspacePanel />}
      <h2>A person</h2>
      {admin && people.data && (
        <div className="toolbar">
          <label htmlFor="insights-person">Person</label>
          <select id="insights-person" value={personId} onChange={(event) => setPersonId(event.target.value)}>
            {people.data.people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.name || person.email}
              </option>
            ))}
          </select>
        </div>
      )}
      {personId ? (
        <PersonPanel personId={personId} />
      ) : (
        <Empty>Your console user is not linked to a person.</Empty>
      )}
    </section>
  );
}

function WorkspacePanel() {
  const workspace = useResource(() => api.request(WorkspaceInsights, "/admin/api/insights/workspace"), []);
  return (
    <>
      <h2>The workspace</h2>
      <Loaded resource={workspace}>
        {(data) =>
          data.people === 0 ? (
            <Empty>No history yet: insights appear after a week of plans and completed tasks.</Empty>
          ) : (
            <>
              <p className="muted">
                Aggregates over {data.people} people; nobody's details are shown.
                {data.effort.medianMultiplier !== null &&
                  ` Work runs ${Math.round((data.effort.medianMultiplier - 1) * 100)} % over estimates (median over ${data.effort.people} people).`}
              </p>
              <Heatmap
                grid={normalizeGrid(data.peakHeatmap)}
                caption="Kept focus by weekday and local hour (minutes)"
              />
              <div className="charts">
                <figure>
                  <figcaption>Burnout risk (workspace average)</figcaption>
                  <ResponsiveContainer width="100%" height={220}>
                    <LineChart data={data.burnoutTrend}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="date" />
                      <YAxis domain={[0, 1]} />
                      <Tooltip />
                      <Line type="monotone" dataKey="avgRisk" name="risk" stroke="#b45309" dot={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </figure>
                <figure>
                  <figcaption>Productivity score (workspace average)</figcaption>
                  <ResponsiveContainer width="100%" height={220}>
                    <LineChart data={data.scoreTrend}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="date" />
                      <YAxis domain={[0, 100]} />
                      <Tooltip />
                      <Line type="monotone" dataKey="avgScore" name="score" stroke="#1d4ed8" dot={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </figure>
              </div>
            </>
          )
        }
      </Loaded>
    </>
  );
}

function PersonPanel({ personId }: { personId: string }) {
  const insights = useResource(
    () => api.request(PersonInsights, `/admin/api/people/${encodeURIComponent(personId)}/insights`),
    [personId],
  );
  const kept = useResource(() => {
    const now = Date.now();
    const range = { from: new Date(now - 28 * DAY).toISOString(), to: new Date(now).toISOString() };
    return api.request(Schedule, `/admin/api/people/${encodeURIComponent(personId)}/schedule${query(range)}`);
  }, [personId]);
  const grid = useMemo(() => {
    if (!kept.data) return undefined;
    const keptBlocks = kept.data.blocks.filter(
      (block) => block.kind !== "habit" && (block.status === "done" || block.status === "accepted"),
    );
    return bucketMinutes(keptBlocks, kept.data.timezone);
  }, [kept.data]);

  return (
    <Loaded resource={insights}>
      {(data) => (
        <>
          {data.basis === "population" && (
            <p className="muted">
              Too little history yet: these are population defaults until a few weeks are kept.
            </p>
          )}
          <div className="cards">
            <div className="card">
              <h3>Score</h3>
              <p className="big">{Math.round(data.score.value)}</p>
              <p className="muted">
                {data.score.streakDays}-day streak. {data.score.explanation}
              </p>
            </div>
            <div className="card">
              <h3>Burnout risk</h3>
              <p className="big">{data.burnout.level}</p>
              <meter
                min={0}
                max={1}
                low={0.34}
                high={0.66}
                optimum={0}
                value={data.burnout.risk}
                aria-label="Burnout risk"
              >
                {Math.round(data.burnout.risk * 100)} %
              </meter>
            </div>
            <div className="card">
              <h3>Peak hours</h3>
              <p className="big">
                {data.peakHours.hours.map(([from, to]) => `${from}–${to}`).join(", ") || "unknown"}
              </p>
              <p className="muted">best hour {data.peakHours.bestHour}:00</p>
            </div>
            <div className="card">
              <h3>Tasks</h3>
              <p className="big">{data.open} open</p>
              <p className="muted">
                {data.overdue} overdue · {data.completedLast7Days} done in 7 days
              </p>
            </div>
          </div>
          {grid?.flat().some((minutes) => minutes > 0) ? (
            <Heatmap
              grid={grid}
              caption="Focus kept in the last 4 weeks by weekday and local hour (minutes)"
            />
          ) : (
            <Empty>
              No kept focus blocks in the last 4 weeks yet: accept or finish planned blocks to fill the
              heatmap.
            </Empty>
          )}
          <h3>Effort calibration</h3>
          <p className="muted">
            Work runs {Math.round((data.effort.multiplier - 1) * 100)} % over estimates. Calibrated estimates
            for open tasks, with an 80 % range:
          </p>
          {data.effort.tasks.length === 0 ? (
            <Empty>No open tasks with estimates.</Empty>
          ) : (
            <figure>
              <figcaption>Calibrated minutes per open task</figcaption>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart
                  data={data.effort.tasks
                    .slice(0, 12)
                    .map((task, index) => ({ ...task, label: `#${index + 1}` }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="label" />
                  <YAxis />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="low" name="low" fill="#93c5fd" />
                  <Bar dataKey="predictedMinutes" name="predicted" fill="#1d4ed8" />
                  <Bar dataKey="high" name="high" fill="#1e3a8a" />
                </BarChart>
              </ResponsiveContainer>
            </figure>
          )}
        </>
      )}
    </Loaded>
  );
}
