import { useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { Empty, ErrorNote, Loaded } from "../components/common.tsx";
import { Heatmap } from "../components/Heatmap.tsx";
import { api, useSession } from "../context.tsx";
import { type Resource, useResource } from "../hooks.ts";
import { PersonInsights } from "../lib/actions.ts";
import { query } from "../lib/api.ts";
import { WorkspaceInsights } from "../lib/contract.ts";
import { freshnessText } from "../lib/freshness.ts";
import { normalizeGrid } from "../lib/heatmap.ts";
import { isAdminRole } from "../lib/navigation.ts";

const People = z.looseObject({
  people: z.array(z.looseObject({ id: z.string(), email: z.string(), name: z.string() })),
});
/** GET /admin/api/people/:id/kept-focus: minutes of kept focus by weekday (0 = Monday) and local hour. */
const KeptFocus = z.looseObject({ timezone: z.string(), grid: z.array(z.array(z.number())) });
/** The aggregate, and (asked with `personId`) that person's insights, computed once on the server. */
const WorkspaceWithPerson = WorkspaceInsights.extend({ person: PersonInsights.optional() });
type WorkspaceWithPerson = z.infer<typeof WorkspaceWithPerson>;

type Charts = typeof import("./InsightsCharts.tsx");
type TrendProps<Point> = import("./InsightsCharts.tsx").TrendProps<Point>;
let charts: Charts | undefined;
// Started when this page's chunk runs, so Recharts arrives while the page's requests are answered.
const chartsLoad = import("./InsightsCharts.tsx").then((module) => {
  charts = module;
  return module;
});

/** The charts module once it is here (at once when it already is), or the error that kept it away. */
function useCharts(): { charts?: Charts; error?: Error } {
  const [state, setState] = useState<{ charts?: Charts; error?: Error }>(() => (charts ? { charts } : {}));
  useEffect(() => {
    if (state.charts) return;
    let current = true;
    chartsLoad.then(
      (module) => current && setState({ charts: module }),
      (failure: unknown) =>
        current && setState({ error: failure instanceof Error ? failure : new Error(String(failure)) }),
    );
    return () => {
      current = false;
    };
  }, [state.charts]);
  return state;
}

/** A chart once Recharts is here; until then a busy placeholder in its place. */
function Chart({ children }: { children(charts: Charts): React.ReactNode }) {
  const loaded = useCharts();
  if (loaded.charts) return <>{children(loaded.charts)}</>;
  if (loaded.error) return <ErrorNote error={loaded.error} />;
  return <p aria-busy="true">Loading the chart…</p>;
}

function TrendFigure<Point extends { date: string }>({
  caption,
  ...trend
}: TrendProps<Point> & { caption: string }) {
  return (
    <figure>
      <figcaption>{caption}</figcaption>
      <Chart>{({ TrendChart }) => <TrendChart {...trend} />}</Chart>
    </figure>
  );
}

export default function Insights() {
  const { session } = useSession();
  const admin = isAdminRole(session.user.role);
  const self = session.user.personId ?? "";
  const [personId, setPersonId] = useState(self);
  const people = useResource(
    () => (admin ? api.action(People, "list_people") : Promise.resolve(undefined)),
    [admin],
  );
  // An admin's first view asks for the aggregate and their own insights in one request: the server computes
  // their get_insights once for both instead of twice side by side on the one embedded connection.
  const asked = useResource(
    () =>
      admin
        ? api.request(WorkspaceWithPerson, `/admin/api/insights/workspace${query({ personId: self })}`)
        : Promise.resolve(undefined),
    [admin, self],
  );
  const workspace: Resource<WorkspaceWithPerson> = { ...asked, data: asked.data };
  // Only the first view: a person picked later (even the admin again) is read afresh, as before.
  const [picked, setPicked] = useState(false);
  const fromWorkspace = admin && !picked && self !== "" && personId === self;
  return (
    <section aria-labelledby="insights-title">
      <h1 id="insights-title">Insights</h1>
      {admin && <WorkspacePanel workspace={workspace} />}
      <h2>A person</h2>
      {admin && people.data && (
        <div className="toolbar">
          <label htmlFor="insights-person">Person</label>
          <select
            id="insights-person"
            value={personId}
            onChange={(event) => {
              setPicked(true);
              setPersonId(event.target.value);
            }}
          >
            {people.data.people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.name || person.email}
              </option>
            ))}
          </select>
        </div>
      )}
      {personId ? (
        <PersonPanel personId={personId} workspace={fromWorkspace ? workspace : undefined} />
      ) : (
        <Empty>Your console user is not linked to a person.</Empty>
      )}
    </section>
  );
}

function WorkspacePanel({ workspace }: { workspace: Resource<WorkspaceWithPerson> }) {
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
              {data.freshness && <FreshnessNote freshness={data.freshness} />}
              <Heatmap
                grid={normalizeGrid(data.peakHeatmap)}
                caption="Kept focus by weekday and local hour (minutes)"
              />
              <div className="charts">
                <TrendFigure
                  caption="Burnout risk (workspace average)"
                  data={data.burnoutTrend}
                  dataKey="avgRisk"
                  name="risk"
                  domain={[0, 1]}
                  stroke="#b45309"
                />
                <TrendFigure
                  caption="Productivity score (workspace average)"
                  data={data.scoreTrend}
                  dataKey="avgScore"
                  name="score"
                  domain={[0, 100]}
                  stroke="#1d4ed8"
                />
              </div>
            </>
          )
        }
      </Loaded>
    </>
  );
}

function FreshnessNote({ freshness }: { freshness: NonNullable<WorkspaceInsights["freshness"]> }) {
  const text = freshnessText(freshness);
  return text ? (
    <p className="muted" data-testid="insights-freshness">
      {text}
    </p>
  ) : null;
}

/** `workspace`: the page's workspace request, which carries this person's insights (so none of its own). */
function PersonPanel({
  personId,
  workspace,
}: {
  personId: string;
  workspace?: Resource<WorkspaceWithPerson>;
}) {
  const own = useResource(
    () =>
      workspace
        ? Promise.resolve(undefined)
        : api.request(PersonInsights, `/admin/api/people/${encodeURIComponent(personId)}/insights`),
    [personId, workspace === undefined],
  );
  const insights: Resource<PersonInsights> = workspace
    ? {
        ...workspace,
        data: workspace.data?.person,
        error:
          workspace.error ??
          (workspace.data && !workspace.data.person
            ? new Error("No insights came for this person.")
            : undefined),
      }
    : { ...own, data: own.data };
  const kept = useResource(
    () => api.request(KeptFocus, `/admin/api/people/${encodeURIComponent(personId)}/kept-focus`),
    [personId],
  );
  const grid = useMemo(() => (kept.data ? normalizeGrid(kept.data.grid) : undefined), [kept.data]);

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
          {grid === undefined ? (
            kept.error ? (
              <ErrorNote error={kept.error} />
            ) : (
              <p aria-busy="true">Loading the kept focus…</p>
            )
          ) : grid.flat().some((minutes) => minutes > 0) ? (
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
            <Empty>
              No open tasks with estimates yet: give open tasks an estimate (in Notion or Jira, or in chat) to
              see calibrated ones here.
            </Empty>
          ) : (
            <figure>
              <figcaption>Calibrated minutes per open task</figcaption>
              <Chart>
                {({ EffortChart }) => (
                  <EffortChart
                    tasks={data.effort.tasks
                      .slice(0, 12)
                      .map((task, index) => ({ ...task, label: `#${index + 1}` }))}
                  />
                )}
              </Chart>
            </figure>
          )}
        </>
      )}
    </Loaded>
  );
}
