import { type FormEvent, useState } from "react";
import { z } from "zod";
import { api } from "../context.tsx";
import { type Connection, SyncOutcome } from "../lib/actions.ts";
import {
  type EstimateUnitChoice,
  initialMappingForm,
  type MappingForm,
  mappingSettings,
} from "../lib/mapping-edit.ts";
import { FormInputError } from "../lib/schema-form.ts";
import { ErrorNote } from "./common.tsx";

const Updated = z.looseObject({ changed: z.array(z.string()) });

interface Props {
  connection: Connection;
  title: string;
  /** After the change is saved and the connection synced again with it. */
  onSaved(summary: string): void;
  onCancel(): void;
}

/** Edits a Notion or Jira connection's mapping through update_connection: no secret is asked again. */
export function MappingEditor({ connection, title, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<MappingForm>(() => initialMappingForm(connection));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const id = (name: string) => `mapping-${connection.id}-${name}`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(undefined);
    try {
      const settings = mappingSettings(connection.kind, form);
      setBusy("Saving…");
      const updated = await api.action(Updated, "update_connection", {
        connection: connection.id,
        settings,
      });
      setBusy("Syncing with the new mapping…");
      const outcome = await api.action(SyncOutcome, "sync_now", {
        connection: connection.id,
        full: true,
        wait: true,
      });
      const changed = updated.changed.length > 0 ? updated.changed.join(", ") : "nothing";
      onSaved(`Saved (changed: ${changed}); synced again: ${outcome.totals.updated} tasks updated.`);
    } catch (failure) {
      setError(failure instanceof FormInputError ? new Error(failure.message) : failure);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      <p className="muted">The stored token stays as it is; only the mapping changes.</p>
      {connection.kind === "notion" ? (
        <>
          <div className="field">
            <label htmlFor={id("propertyMap")}>Property map</label>
            <textarea
              id={id("propertyMap")}
              rows={5}
              value={form.propertyMap}
              placeholder="estimate = Hours"
              aria-describedby={`${id("propertyMap")}-help`}
              onChange={(event) => setForm({ ...form, propertyMap: event.target.value })}
            />
            <small id={`${id("propertyMap")}-help`} className="muted">
              One “task field = Notion property” per line (title, status, due, priority, estimate…). Empty:
              detect the properties.
            </small>
          </div>
          <div className="field">
            <label htmlFor={id("estimateUnit")}>Estimate unit</label>
            <select
              id={id("estimateUnit")}
              value={form.estimateUnit}
              onChange={(event) =>
                setForm({ ...form, estimateUnit: event.target.value as EstimateUnitChoice })
              }
            >
              <option value="">Detect from the property</option>
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
            </select>
          </div>
        </>
      ) : (
        <div className="field">
          <label htmlFor={id("jql")}>JQL (required)</label>
          <input
            id={id("jql")}
            type="text"
            value={form.jql}
            placeholder="assignee = currentUser() AND resolution = Unresolved"
            onChange={(event) => setForm({ ...form, jql: event.target.value })}
          />
        </div>
      )}
      <ErrorNote error={error} />
      <div className="buttons">
        <button type="submit" disabled={busy !== undefined}>
          {busy ?? "Save mapping"}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
