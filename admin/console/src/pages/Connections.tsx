import { type FormEvent, useEffect, useState } from "react";
import { z } from "zod";
import { ConnectForm } from "../components/ConnectForm.tsx";
import { Empty, ErrorNote, formatTime, Loaded, SlicePager } from "../components/common.tsx";
import { MappingEditor } from "../components/MappingEditor.tsx";
import { api } from "../context.tsx";
import { useChanges, useResource } from "../hooks.ts";
import { ActionList, type Connection, ConnectionList, SyncOutcome, TaskList } from "../lib/actions.ts";
import { EDITABLE_KINDS } from "../lib/mapping-edit.ts";
import { refreshesOn } from "../lib/navigation.ts";
import { slicePage } from "../lib/pagination.ts";
import { formFields } from "../lib/schema-form.ts";

const KIND_NAMES: Record<string, string> = {
  notion: "Notion",
  jira: "Jira",
  google: "Google Calendar",
  caldav: "CalDAV",
  ics: "ICS feed",
};
const kindName = (kind: string) => KIND_NAMES[kind] ?? kind;
const GOOGLE_NOTE =
  "With a refresh token you have already (e.g. from the OAuth Playground, scope calendar): paste the client id, secret and refresh token.";

const GoogleStatus = z.looseObject({
  configured: z.boolean(),
  missing: z.array(z.string()),
  redirectUri: z.string(),
  help: z.string(),
});
type GoogleStatus = z.infer<typeof GoogleStatus>;

/** What Google's consent flow sent back (?google=connected|error), read once when the page opens. */
function consentOutcome(): { ok: boolean; message: string } | undefined {
  const params = new URLSearchParams(window.location.search);
  const outcome = params.get("google");
  if (!outcome) return undefined;
  return outcome === "connected"
    ? { ok: true, message: `Google Calendar connected as “${params.get("name") ?? "Google Calendar"}”.` }
    : { ok: false, message: params.get("message") ?? "Google Calendar was not connected." };
}

interface Progress {
  connection: string;
  updates: number;
  result?: string;
  error?: unknown;
}

export default function Connections() {
  const connections = useResource(() => api.action(ConnectionList, "list_connections"), []);
  const catalogue = useResource(() => api.request(ActionList, "/api/actions?prefix=connect_"), []);
  const [adding, setAdding] = useState<{ kind: string; note?: string }>();
  const [editing, setEditing] = useState<string>();
  const [notice, setNotice] = useState(consentOutcome);
  useEffect(() => {
    // Read once: the outcome leaves the address bar after the first commit, so a reload does not repeat it.
    if (new URLSearchParams(window.location.search).has("google"))
      window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);
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
      {notice && (
        <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>
          {notice.message}
        </p>
      )}
      {adding?.kind === "google" && <GoogleConsent />}
      {adding && addingAction && (
        <ConnectForm
          key={adding.kind}
          kind={adding.kind}
          title={
            adding.kind === "google" ? "Or connect with a refresh token" : `Connect ${kindName(adding.kind)}`
          }
          fields={formFields(addingAction.inputSchema)}
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
                    {editing === connection.id && (
                      <MappingEditor
                        connection={connection}
                        title={`Edit ${kindName(connection.kind)} mapping`}
                        onCancel={() => setEditing(undefined)}
                        onSaved={(summary) => {
                          setEditing(undefined);
                          setNotice({ ok: true, message: `${connection.name}: ${summary}` });
                          setPreview(connection.id);
                          connections.reload();
                        }}
                      />
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
                      {EDITABLE_KINDS.has(connection.kind) && (
                        <>
                          <button
                            type="button"
                            className="secondary"
                            aria-expanded={editing === connection.id}
                            onClick={() => setEditing(editing === connection.id ? undefined : connection.id)}
                          >
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

/** Add Google Calendar through Google's consent screen, or say which variables the server needs first. */
function GoogleConsent() {
  const status = useResource(() => api.request(GoogleStatus, "/admin/api/connections/google/oauth"), []);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const { url } = await api.request(
        z.object({ url: z.string() }),
        "/admin/api/connections/google/oauth",
        {
          method: "POST",
          body: name.trim() ? { name: name.trim() } : {},
        },
      );
      window.location.assign(url);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <Loaded resource={status}>
      {(google: GoogleStatus) =>
        google.configured ? (
          <form className="panel" aria-label="Connect Google Calendar with Google" onSubmit={start}>
            <h3>Connect Google Calendar with Google</h3>
            <p className="muted">{google.help}</p>
            <div className="field">
              <label htmlFor="google-connection-name">Connection name</label>
              <input
                id="google-connection-name"
                type="text"
                value={name}
                placeholder="Google Calendar"
                onChange={(event) => setName(event.target.value)}
              />
            </div>
            <ErrorNote error={error} />
            <div className="buttons">
              <button type="submit" disabled={busy}>
                {busy ? "Opening Google…" : "Continue to Google"}
              </button>
            </div>
          </form>
        ) : (
          <div className="panel" role="note" aria-label="Google is not configured">
            <h3>Google sign-in is not configured</h3>
            <p>{google.help}</p>
          </div>
        )
      }
    </Loaded>
  );
}
