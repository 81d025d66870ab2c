import { type FormEvent, useState } from "react";
import { z } from "zod";
import {
  CursorPager,
  Empty,
  ErrorNote,
  formatTime,
  Loaded,
  Scroll,
  SlicePager,
} from "../components/common.tsx";
import { api, useSession } from "../context.tsx";
import { useChanges, useResource } from "../hooks.ts";
import { CreatedToken, TokenList } from "../lib/actions.ts";
import { query } from "../lib/api.ts";
import { PeoplePage, type PersonRow, Role } from "../lib/contract.ts";
import { isAdminRole, refreshesOn } from "../lib/navigation.ts";
import { currentCursor, firstPage, slicePage } from "../lib/pagination.ts";
import { formatWorkingHours, parseWorkingHours, WorkingHoursError } from "../lib/working-hours.ts";

export default function People() {
  const { session } = useSession();
  const admin = isAdminRole(session.user.role);
  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">{admin ? "People" : "You"}</h1>
      {admin ? <PeopleList /> : <OwnPreferences />}
      <Tokens />
    </section>
  );
}

function PeopleList() {
  const [pages, setPages] = useState(firstPage);
  const [editing, setEditing] = useState<string>();
  const people = useResource(
    () => api.request(PeoplePage, `/admin/api/people${query({ cursor: currentCursor(pages), limit: 20 })}`),
    [pages],
  );
  useChanges((change) => {
    if (refreshesOn("people", change.kind)) people.reload();
  });
  return (
    <>
      <AddPerson onAdded={() => people.reload()} />
      <h2>Everyone in the workspace</h2>
      <Loaded resource={people}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>
              Nobody here yet. People join when they first message the Slack or Teams bot, or add one with{" "}
              <code>cairn person add</code>.
            </Empty>
          ) : (
            <>
              <ul className="rows">
                {data.items.map((person) => (
                  <li key={person.id}>
                    <h3>
                      {person.name || person.email} <span className="tag">{person.role ?? "member"}</span>
                    </h3>
                    <p className="muted">
                      {person.email} · {person.timezone}
                      {person.identities.length > 0
                        ? ` · ${person.identities.map((i) => `${i.provider}: ${i.displayName ?? i.externalId}`).join(", ")}`
                        : " · no chat identity linked"}
                    </p>
                    {person.workingHours && (
                      <pre className="hours">{formatWorkingHours(person.workingHours)}</pre>
                    )}
                    {editing === person.id ? (
                      <PersonForm
                        person={person}
                        onDone={() => {
                          setEditing(undefined);
                          people.reload();
                        }}
                      />
                    ) : (
                      <button type="button" className="secondary" onClick={() => setEditing(person.id)}>
                        Edit {person.name || person.email}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              <CursorPager label="People" pages={pages} setPages={setPages} nextCursor={data.nextCursor} />
            </>
          )
        }
      </Loaded>
    </>
  );
}

/** add_person: a person Cairn plans for; an owner then gives them a console password to invite them. */
function AddPerson({ onAdded }: { onAdded(): void }) {
  const [error, setError] = useState<unknown>();
  const [added, setAdded] = useState<string>();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(undefined);
    setAdded(undefined);
    try {
      const input: Record<string, unknown> = { email: String(data.get("email") ?? "").trim() };
      const name = String(data.get("name") ?? "").trim();
      if (name) input.name = name;
      const timezone = String(data.get("timezone") ?? "").trim();
      if (timezone) input.timezone = timezone;
      const person = await api.action(z.looseObject({ email: z.string() }), "add_person", input);
      setAdded(`Added ${person.email}. Edit them below to set a console password.`);
      form.reset();
      onAdded();
    } catch (failure) {
      setError(failure);
    }
  }
  return (
    <form className="panel inline" onSubmit={submit} aria-label="Add a person">
      <label htmlFor="add-person-email">Email</label>
      <input id="add-person-email" name="email" type="email" required />
      <label htmlFor="add-person-name">Name</label>
      <input id="add-person-name" name="name" />
      <label htmlFor="add-person-tz">Time zone</label>
      <input id="add-person-tz" name="timezone" placeholder="Europe/Berlin" />
      <button type="submit">Add person</button>
      <ErrorNote error={error} />
      {added && <p role="status">{added}</p>}
    </form>
  );
}

function PersonForm({ person, onDone }: { person: PersonRow; onDone(): void }) {
  const { session } = useSession();
  const owner = session.user.role === "owner";
  const [error, setError] = useState<unknown>();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError(undefined);
    try {
      const body: Record<string, unknown> = {
        role: Role.parse(data.get("role")),
        timezone: String(data.get("timezone") ?? "").trim(),
      };
      const hours = String(data.get("workingHours") ?? "").trim();
      if (hours) body.workingHours = parseWorkingHours(hours);
      await api.request(z.unknown(), `/admin/api/people/${encodeURIComponent(person.id)}`, {
        method: "PATCH",
        body,
      });
      const password = String(data.get("password") ?? "");
      if (owner && password) {
        await api.request(z.unknown(), `/admin/api/people/${encodeURIComponent(person.id)}/password`, {
          method: "POST",
          body: { password },
        });
      }
      onDone();
    } catch (failure) {
      setError(failure instanceof WorkingHoursError ? new Error(failure.message) : failure);
    }
  }
  const id = `person-${person.id}`;
  return (
    <form className="panel" onSubmit={submit} aria-label={`Edit ${person.name || person.email}`}>
      <label htmlFor={`${id}-role`}>Role</label>
      <select id={`${id}-role`} name="role" defaultValue={person.role ?? "member"}>
        <option value="member">member</option>
        <option value="admin">admin</option>
        <option value="owner">owner</option>
      </select>
      <label htmlFor={`${id}-tz`}>Time zone</label>
      <input id={`${id}-tz`} name="timezone" defaultValue={person.timezone} required />
      <label htmlFor={`${id}-hours`}>Working hours</label>
      <textarea
        id={`${id}-hours`}
        name="workingHours"
        rows={7}
        defaultValue={person.workingHours ? formatWorkingHours(person.workingHours) : ""}
        aria-describedby={`${id}-hours-help`}
      />
      <small id={`${id}-hours-help`} className="muted">
        One weekday per line, e.g. “mon 09:00-12:30, 13:30-17:30” or “sat off”.
      </small>
      {owner && (
        <>
          <label htmlFor={`${id}-password`}>Console password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={10}
            aria-describedby={`${id}-password-help`}
          />
          <small id={`${id}-password-help`} className="muted">
            Leave empty to keep it. Setting one lets this person sign in to the console (at least 10
            characters).
          </small>
        </>
      )}
      <ErrorNote error={error} />
      <div className="buttons">
        <button type="submit">Save</button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A member's own time zone and working hours, through set_preferences. */
function OwnPreferences() {
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError(undefined);
    setSaved(false);
    try {
      const input: Record<string, unknown> = {};
      const timezone = String(data.get("timezone") ?? "").trim();
      if (timezone) input.timezone = timezone;
      const hours = String(data.get("workingHours") ?? "").trim();
      if (hours) input.workingHours = parseWorkingHours(hours);
      await api.action(z.unknown(), "set_preferences", input);
      setSaved(true);
    } catch (failure) {
      setError(failure instanceof WorkingHoursError ? new Error(failure.message) : failure);
    }
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="Your preferences">
      <h2>Your preferences</h2>
      <label htmlFor="own-tz">Time zone</label>
      <input id="own-tz" name="timezone" placeholder="Europe/Berlin" />
      <label htmlFor="own-hours">Working hours</label>
      <textarea id="own-hours" name="workingHours" rows={7} placeholder="mon 09:00-17:00" />
      <ErrorNote error={error} />
      {saved && <p role="status">Saved. Cairn replans with the new hours.</p>}
      <button type="submit">Save preferences</button>
    </form>
  );
}

function Tokens() {
  const tokens = useResource(() => api.action(TokenList, "list_tokens"), []);
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [page, setPage] = useState(1);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(undefined);
    try {
      const input: Record<string, unknown> = { name: String(data.get("name") ?? "").trim() };
      const days = Number(data.get("expires"));
      if (days > 0) input.expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
      const result = await api.action(CreatedToken, "create_token", input);
      setCreated(result.token);
      form.reset();
      tokens.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  async function revoke(id: string) {
    setError(undefined);
    try {
      await api.action(z.unknown(), "revoke_token", { id });
      tokens.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <>
      <h2>API tokens</h2>
      <p className="muted">
        For scripts, the HTTP API and MCP clients. A token acts as the person who made it.
      </p>
      <form className="panel inline" onSubmit={create} aria-label="Create an API token">
        <label htmlFor="token-name">Token name</label>
        <input id="token-name" name="name" required maxLength={100} placeholder="laptop MCP" />
        <label htmlFor="token-expires">Expires</label>
        <select id="token-expires" name="expires" defaultValue="0">
          <option value="0">never</option>
          <option value="30">in 30 days</option>
          <option value="90">in 90 days</option>
          <option value="365">in a year</option>
        </select>
        <button type="submit">Create token</button>
      </form>
      <ErrorNote error={error} />
      {created && (
        <div className="panel" role="status">
          <p>
            <strong>Copy this token now: it is shown only once.</strong>
          </p>
          <label htmlFor="new-token">New token</label>
          <input id="new-token" readOnly value={created} onFocus={(event) => event.currentTarget.select()} />
          <button type="button" className="secondary" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      <Loaded resource={tokens}>
        {(data) => {
          if (data.tokens.length === 0)
            return <Empty>No tokens yet. Create one above to use the API or MCP.</Empty>;
          const slice = slicePage(data.tokens, page, 10);
          return (
            <>
              <Scroll label="API tokens">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Prefix</th>
                      <th scope="col">Person</th>
                      <th scope="col">Last used</th>
                      <th scope="col">State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {slice.items.map((token) => (
                      <tr key={token.id}>
                        <td>{token.name}</td>
                        <td>
                          <code>{token.prefix}</code>
                        </td>
                        <td>{token.person.email}</td>
                        <td>{formatTime(token.lastUsedAt)}</td>
                        <td>
                          {token.revokedAt ? (
                            `revoked ${formatTime(token.revokedAt)}`
                          ) : (
                            <button type="button" className="danger" onClick={() => void revoke(token.id)}>
                              Revoke {token.name}
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
              <SlicePager label="Tokens" slice={slice} onPage={setPage} />
            </>
          );
        }}
      </Loaded>
    </>
  );
}
