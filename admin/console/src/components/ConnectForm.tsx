import { type FormEvent, useState } from "react";
import { api } from "../context.tsx";
import { Connection } from "../lib/actions.ts";
import { type FormField, FormInputError, type FormValues, formInput } from "../lib/schema-form.ts";
import { ErrorNote } from "./common.tsx";

interface Props {
  kind: string;
  title: string;
  fields: FormField[];
  /** Pre-filled values, e.g. a connection's name and mapping when editing it. */
  initial?: FormValues;
  note?: string;
  onDone(connection: Connection): void;
  onCancel(): void;
}

/** One connect_<kind> form; submitting calls the action, which creates the connection or updates it by name. */
export function ConnectForm({ kind, title, fields, initial, note, onDone, onCancel }: Props) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values: FormValues = {};
    for (const field of fields) {
      values[field.name] =
        field.kind === "checkbox" ? data.get(field.name) === "on" : String(data.get(field.name) ?? "");
    }
    setError(undefined);
    try {
      const input = formInput(fields, values);
      setBusy(true);
      onDone(await api.action(Connection, `connect_${kind}`, input));
    } catch (failure) {
      setError(failure instanceof FormInputError ? new Error(failure.message) : failure);
    } finally {
      setBusy(false);
    }
  }

  const id = (name: string) => `connect-${kind}-${name}`;
  return (
    <form className="panel" onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      {note && <p className="muted">{note}</p>}
      {fields.map((field) => {
        const value = initial?.[field.name];
        const text =
          typeof value === "string"
            ? value
            : field.defaultValue !== undefined
              ? String(field.defaultValue)
              : "";
        const describedBy = field.description ? `${id(field.name)}-help` : undefined;
        return (
          <div className="field" key={field.name}>
            {field.kind === "checkbox" ? (
              <label>
                <input
                  id={id(field.name)}
                  name={field.name}
                  type="checkbox"
                  defaultChecked={value === true || field.defaultValue === true}
                  aria-describedby={describedBy}
                />{" "}
                {field.label}
              </label>
            ) : (
              <>
                <label htmlFor={id(field.name)}>
                  {field.label}
                  {field.required ? " (required)" : ""}
                </label>
                {field.kind === "choice" ? (
                  <select
                    id={id(field.name)}
                    name={field.name}
                    defaultValue={text}
                    aria-describedby={describedBy}
                  >
                    <option value="">(default)</option>
                    {field.options?.map((option) => (
                      <option key={option}>{option}</option>
                    ))}
                  </select>
                ) : field.kind === "list" || field.kind === "map" ? (
                  <textarea
                    id={id(field.name)}
                    name={field.name}
                    rows={3}
                    defaultValue={text}
                    aria-describedby={describedBy}
                    placeholder={field.kind === "map" ? "estimate = Hours" : "one per line"}
                  />
                ) : (
                  <input
                    id={id(field.name)}
                    name={field.name}
                    type={
                      field.kind === "secret"
                        ? "password"
                        : field.kind === "number"
                          ? "number"
                          : field.kind === "url"
                            ? "url"
                            : "text"
                    }
                    autoComplete={field.kind === "secret" ? "off" : undefined}
                    defaultValue={text}
                    required={field.required}
                    aria-describedby={describedBy}
                  />
                )}
              </>
            )}
            {field.description && (
              <small id={`${id(field.name)}-help`} className="muted">
                {field.description}
              </small>
            )}
          </div>
        );
      })}
      <ErrorNote error={error} />
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? "Connecting…" : "Connect"}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
