import { useState } from "react";
import { z } from "zod";
import { Empty, ErrorNote, formatTime, Loaded, Scroll } from "../components/common.tsx";
import { api, useSession } from "../context.tsx";
import { useChanges, useResource } from "../hooks.ts";
import { Overview as OverviewSchema } from "../lib/contract.ts";
import { refreshesOn } from "../lib/navigation.ts";

const Health = ({ ok }: { ok: boolean }) => (
  <span className={ok ? "ok" : "bad"}>{ok ? "healthy" : "failing"}</span>
);

export default function Overview() {
  const { navigate } = useSession();
  const overview = useResource(() => api.request(OverviewSchema, "/admin/api/overview"), []);
  const [retryError, setRetryError] = useState<unknown>();
  useChanges((change) => {
    if (refreshesOn("overview", change.kind)) overview.reload();
  });

  async function retry(queue: string, id: string) {
    setRetryError(undefined);
    try {
      await api.request(
        z.unknown(),
        `/admin/api/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(id)}/retry`,
        {
          method: "POST",
        },
      );
      overview.reload();
    } catch (error) {
      setRetryError(error);
    }
  }

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <Loaded resource={overview}>
        {(data) => (
          <>
            <div className="cards">
              <div className="card">
                <h2>Database</h2>
                <p>
                  <Health ok={data.database.ok} /> · {data.database.kind}
                  {typeof data.database.latencyMs === "number" && ` · ${data.database.latencyMs} ms`}
                </p>
              </div>
              <div className="card">
                <h2>Queue</h2>
                <p>
                  <Health ok={data.queue.ok} /> · {data.queue.kind}
                </p>
              </div>
              <div className="card">
                <h2>Connections</h2>
                <p>
                  {data.connections.length === 0
                    ? "none yet"
                    : `${data.connections.filter((c) => c.status === "active").length} of ${data.connections.length} active`}
                </p>
              </div>
            </div>

            <h2>Queue depths</h2>
            {data.queue.queues.length === 0 ? (
              <Empty>No queues yet: they appear once a sync or a replan runs.</Empty>
            ) : (
              <Scroll label="Queue depths">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Queue</th>
                      <th scope="col">Waiting</th>
                      <th scope="col">Delayed</th>
                      <th scope="col">Active</th>
                      <th scope="col">Completed</th>
                      <th scope="col">Failed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.queue.queues.map((queue) => (
                      <tr key={queue.name}>
                        <th scope="row">{queue.name}</th>
                        <td>{queue.waiting}</td>
                        <td>{queue.delayed}</td>
                        <td>{queue.active}</td>
                        <td>{queue.completed}</td>
                        <td>{queue.failed}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            )}

            <h2>Failed jobs</h2>
            <ErrorNote error={retryError} />
            {data.failedJobs.length === 0 ? (
              <Empty>No failed jobs.</Empty>
            ) : (
              <ul className="rows">
                {data.failedJobs.map((job) => (
                  <li key={`${job.queue}/${job.id}`}>
                    <strong>
                      {job.queue} · {job.name}
                    </strong>{" "}
                    <span className="muted">
                      {formatTime(job.failedAt)} · {job.attempts ?? 0} attempts
                    </span>
                    <p className="error-text">{job.error ?? "no error message"}</p>
                    <button
                      type="button"
                      onClick={() => void retry(job.queue, job.id)}
                      aria-label={`Retry ${job.name} job ${job.id}`}
                    >
                      Retry
                    </button>
                  </li>
                ))}
              </ul>
            )}

            <h2>Last syncs</h2>
            {data.connections.length === 0 ? (
              <Empty>
                Nothing syncs yet.{" "}
                <a
                  href="/admin/connections"
                  onClick={(event) => {
                    event.preventDefault();
                    navigate("/admin/connections");
                  }}
                >
                  Add a connection
                </a>{" "}
                to bring in tasks and calendars.
              </Empty>
            ) : (
              <ul className="rows">
                {data.connections.map((connection) => (
                  <li key={connection.id}>
                    <strong>{connection.name}</strong> <span className="tag">{connection.kind}</span>{" "}
                    <span className={connection.status === "active" ? "ok" : "bad"}>{connection.status}</span>
                    <span className="muted"> · last sync {formatTime(connection.lastSyncAt)}</span>
                    {connection.lastError && <p className="error-text">{connection.lastError}</p>}
                  </li>
                ))}
              </ul>
            )}

            <h2>Recent errors</h2>
            {data.recentErrors.length === 0 ? (
              <Empty>No errors recently.</Empty>
            ) : (
              <ul className="rows">
                {data.recentErrors.map((error) => (
                  <li key={`${error.at}-${error.source}-${error.message}`}>
                    <span className="muted">{formatTime(error.at)}</span>{" "}
                    <span className="tag">{error.source}</span> {error.message}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}
