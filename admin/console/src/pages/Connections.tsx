import { useState } from "react";
import { z } from "zod";
import { ConnectForm } from "../components/ConnectForm.tsx";
import { Empty, ErrorNote, formatTime, Loaded, SlicePager } from "../components/common.tsx";
import { api } from "../context.tsx";
import { useChanges, useResource } from "../hooks.ts";
import { ActionList, type Connection, ConnectionList, SyncOutcome, TaskList } from "../lib/actions.ts";
import { refreshesOn } from "../lib/navigation.ts";
import { slicePage } from "../lib/pagination.ts";
import { type FormValues, formFields, mapText } from "../lib/schema-form.ts";

const KIND_NAMES: Record<string, string> = {
  notion: "Notion",
  jira: "Jira",
  google: "Google Calendar",
  caldav: "CalDAV",
  ics: "ICS feed",
};
const kindName = (kind: string) => KIND_NAMES[kind] ?? kind;
const GOOGLE_NOTE =
  "Google: create an OAuth client (Desktop app) in Google Cloud, run its consent flow once (e.g. with the OAuth Playground, scope calendar) and paste the client id, secret and refresh token.";

interface Progress {
  connection: string;
  updates: number;
  result?: string;
  error?: unknown;
}

export default function Connections() {
  const connections = useResource(() => api.action(ConnectionList, "list_connections"), []);
  const catalogue = useResource(() => api.request(ActionList, "/api/actions"), []);
  const [adding, setAdding] = useState<{ kind: string; initial?: FormValues; note?: string }>();
  const [progress, setProgress] = useState<Progress>();
  const [error, setError] = useState<unknown>();
  const [page, setPage] = useState(1);
  const [preview, setPreview] = useState<string>();

  useChanges((change) => {
    if (!refreshesOn("connections", change.kind)) return;
    connections.reload();
    setProgress((current) =>
      current && !current.result ? { ...current, updates: current.updates + 1 } : current,
    );
  });

  const connectActions = (catalogue.data?.actions ?? []).filter((action) =>
    action.name.startsWith("connect_"),
  );

  async function syncNow(connection: Connection) {
    setProgress({ connection: connection.id, updates: 0 });
    try {
      const outcome = await api.action(SyncOutcome, "sync_now", { connection: connection.id, wait: true });
      const { created, updated, deleted } = outcome.totals;
      setProgress({
        connection: connection.id,
        updates: 0,
        result: `Synced: ${created} created, ${updated} updated, ${deleted} deleted.`,
      });
    } catch (failure) {
      setProgress({ connection: connection.id, updates: 0, result: "Sync failed.", error: failure });
    }
    connections.reload();
  }

  async function disconnect(connection: Connection) {
    if (!window.confirm(`Remove ${connection.name}? Its tasks and events stop syncing.`)) return;
    setError(undefined);
    try {
      await api.action(z.unknown(), "disconnect", { connection: connection.id });
      connections.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  function editMapping(connection: Connection) {
    const first = connection.mapping[0];
    setAdding({
      kind: connection.kind,
      initial: {
        name: connection.name,
        propertyMap: first ? mapText(first.fields) : "",
        estimateUnit: first?.estimate?.unit ?? "",
      },
      note: "Saving connects again under the same name with the new mapping; enter the secret again.",
    });
  }

  const addingAction = adding && connectActions.find((action) => action.name === `connect_${adding.kind}`);

  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Connections</h1>
      <h2>Add a connection</h2>
      <ErrorNote error={catalogue.error} />
      <div className="buttons wrap">
        {connectActions.map((action) => {
          const kind = action.name.slice("connect_".length);
          return (
            <button
              key={kind}
              type="button"
              className="secondary"
              aria-pressed={adding?.kind === kind}
              onClick={() => setAdding({ kind, note: kind === "google" ? GOOGLE_NOTE : undefined })}
            >
              Add {kindName(kind)}
            </button>
          );
        })}
      </div>
      {adding && addingAction && (
        <ConnectForm
          key={`${adding.kind}-${adding.initial?.name ?? "new"}`}
          kind={adding.kind}
          title={
            adding.initial ? `Edit ${kindName(adding.kind)} mapping` : `Connect ${kindName(adding.kind)}`
          }
          fields={formFields(addingAction.inputSchema)}
          initial={adding.initial}
          note={adding.note}
          onCancel={() => setAdding(undefined)}
          onDone={() => {
            setAdding(undefined);
            connections.reload();
          }}
        />
      )}

      <h2>Your connections</h2>
      <ErrorNote error={error} />
      <Loaded resource={connections}>
        {(data) => {
          if (data.connections.length === 0) {
            return (
              <Empty>
                No connections yet. Add Notion or Jira for tasks, and Google Calendar, CalDAV or an ICS feed
                for meetings; Cairn then plans focus time around them.
              </Empty>
            );
          }
          const slice = slicePage(data.connections, page, 10);
          return (
            <>
              <ul className="rows">
                {slice.items.map((connection) => (
                  <li key={connection.id}>
                    <h3>
                      {connection.name} <span className="tag">{kindName(connection.kind)}</span>{" "}
                      <span className={connection.status === "active" ? "ok" : "bad"}>
                        {connection.status}
                      </span>
                    </h3>
                    <p className="muted">
                      {connection.counts.tasks} tasks · {connection.counts.events} events · last sync{" "}
                      {formatTime(connection.lastSyncedAt)}
                      {connection.sourceUrl ? ` · ${connection.sourceUrl}` : ""}
                    </p>
                    {connection.lastError && <p className="error-text">Error: {connection.lastError}</p>}
                    {connection.mapping.length > 0 && (
                      <details>
                        <summary>Field mapping</summary>
                        {connection.mapping.map((scope) => (
                          <div key={scope.scope}>
                            <h4>{scope.label}</h4>
                            <table>
                              <thead>
                                <tr>
                                  <th scope="col">Task field</th>
                                  <th scope="col">Source property</th>
                                </tr>
                              </thead>
                              <tbody>
                                {Object.entries(scope.fields).map(([field, property]) => (
                                  <tr key={field}>
                                    <td>{field}</td>
                                    <td>{property}</td>
                                  </tr>
                                ))}
                              </tbody>
                            </table>
                            {scope.estimate && (
                              <p className="muted">
                                Estimate from “{scope.estimate.property}” in {scope.estimate.unit}:{" "}
                                {scope.estimate.reason}
                              </p>
                            )}
                          </div>
                        ))}
                      </details>
                    )}
                    {preview === connection.id && <MappedTasks kind={connection.kind} />}
                    <div className="buttons wrap">
                      <button
                        type="button"
                        onClick={() => void syncNow(connection)}
                        disabled={progress?.connection === connection.id && !progress.result}
                      >
                        Sync now
                      </button>
                      {(connection.kind === "notion" || connection.kind === "jira") && (
                        <>
                          <button type="button" className="secondary" onClick={() => editMapping(connection)}>
                            Edit mapping
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            aria-expanded={preview === connection.id}
                            onClick={() => setPreview(preview === connection.id ? undefined : connection.id)}
                          >
                            Preview mapped tasks
                          </button>
                        </>
                      )}
                      <button type="button" className="danger" onClick={() => void disconnect(connection)}>
                        Remove {connection.name}
                      </button>
                    </div>
                    {progress?.connection === connection.id && (
                      <div role="status" className="progress">
                        {progress.result ??
                          `Syncing ${connection.name}… ${progress.updates} update${progress.updates === 1 ? "" : "s"} received`}
                        <ErrorNote error={progress.error} />
                      </div>
                    )}
                  </li>
                ))}
              </ul>
              <SlicePager label="Connections" slice={slice} onPage={setPage} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** The first tasks a source brought in, as Cairn reads them through the mapping. */
function MappedTasks({ kind }: { kind: string }) {
  const tasks = useResource(
    () => api.action(TaskList, "list_tasks", { status: ["todo", "in_progress"], source: kind, limit: 5 }),
    [kind],
  );
  return (
    <Loaded resource={tasks}>
      {(data) => {
        const mine = data.tasks;
        if (mine.length === 0) return <Empty>No open tasks from this source yet: run Sync now first.</Empty>;
        return (
          <table>
            <caption>Mapped tasks (first {mine.length})</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Priority</th>
                <th scope="col">Estimate</th>
                <th scope="col">Due</th>
              </tr>
            </thead>
            <tbody>
              {mine.map((task) => (
                <tr key={task.id}>
                  <td>{task.title}</td>
                  <td>P{task.priority}</td>
                  <td>{task.estimateMinutes === null ? "none" : `${task.estimateMinutes} min`}</td>
                  <td>{task.due ? formatTime(task.due) : "none"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      }}
    </Loaded>
  );
}
