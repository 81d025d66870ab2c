import { type FormEvent, useState } from "react";
import { z } from "zod";
import { CursorPager, Empty, ErrorNote, formatTime, Loaded, Scroll } from "../components/common.tsx";
import { api } from "../context.tsx";
import { useResource } from "../hooks.ts";
import { ActionList } from "../lib/actions.ts";
import { ApiError, query } from "../lib/api.ts";
import { NudgesPage } from "../lib/contract.ts";
import { currentCursor, firstPage } from "../lib/pagination.ts";

const NudgePreferences = z.looseObject({
  preferences: z.looseObject({
    enabledKinds: z.array(z.string()),
    quietHours: z.looseObject({ start: z.string(), end: z.string() }).nullable(),
    dailyCap: z.number(),
    channel: z.string(),
  }),
});

/** The kinds set_nudge_preferences accepts, read from its input schema. */
function nudgeKinds(catalogue: ActionList): string[] | undefined {
  const action = catalogue.actions.find((a) => a.name === "set_nudge_preferences");
  if (!action) return undefined;
  const Schema = z.looseObject({
    properties: z.looseObject({
      enabledKinds: z.looseObject({ items: z.looseObject({ enum: z.array(z.string()) }) }).optional(),
    }),
  });
  const parsed = Schema.safeParse(action.inputSchema);
  return parsed.success ? (parsed.data.properties.enabledKinds?.items.enum ?? []) : [];
}

export default function Nudges() {
  const [pages, setPages] = useState(firstPage);
  const sent = useResource(async () => {
    try {
      return await api.request(
        NudgesPage,
        `/admin/api/nudges${query({ cursor: currentCursor(pages), limit: 25 })}`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return { items: [], nextCursor: null };
      throw error;
    }
  }, [pages]);
  return (
    <section aria-labelledby="nudges-title">
      <h1 id="nudges-title">Nudges</h1>
      <h2>Sent</h2>
      <Loaded resource={sent}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>
              No nudges sent yet. Cairn nudges people about overdue tasks and missed blocks inside their
              working hours once nudges are enabled below.
            </Empty>
          ) : (
            <>
              <Scroll label="Sent nudges">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Person</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Outcome</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((nudge) => (
                      <tr key={String(nudge.id)}>
                        <td>{formatTime(nudge.sentAt ?? nudge.sent_at)}</td>
                        <td>{nudge.person ?? ""}</td>
                        <td>{nudge.kind ?? ""}</td>
                        <td>{nudge.channel ?? ""}</td>
                        <td>{[nudge.status, nudge.answer].filter(Boolean).join(": ")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
              <CursorPager label="Nudges" pages={pages} setPages={setPages} nextCursor={data.nextCursor} />
            </>
          )
        }
      </Loaded>
      <Rules />
    </section>
  );
}

function Rules() {
  const catalogue = useResource(() => api.request(ActionList, "/api/actions?name=set_nudge_preferences"), []);
  const kinds = catalogue.data ? nudgeKinds(catalogue.data) : undefined;
  const current = useResource(
    () => (kinds ? api.action(NudgePreferences, "set_nudge_preferences", {}) : Promise.resolve(undefined)),
    [kinds?.join(",")],
  );
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const start = String(data.get("quietStart") ?? "");
    const end = String(data.get("quietEnd") ?? "");
    setError(undefined);
    setSaved(undefined);
    try {
      const result = await api.action(z.looseObject({ message: z.string() }), "set_nudge_preferences", {
        enabledKinds: (kinds ?? []).filter((kind) => data.get(`kind-${kind}`) === "on"),
        quietHours: start && end ? { start, end } : null,
        dailyCap: Number(data.get("dailyCap")),
        channel: String(data.get("channel")),
      });
      setSaved(result.message);
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <>
      <h2>Your rules and quiet hours</h2>
      <ErrorNote error={catalogue.error} />
      {catalogue.data && !kinds ? (
        <Empty>This Cairn has no nudge rules yet: nudges arrive with a newer version.</Empty>
      ) : (
        <Loaded resource={current}>
          {(data) =>
            data && (
              <form className="panel" onSubmit={save} aria-label="Nudge rules">
                <fieldset>
                  <legend>Nudge me about</legend>
                  {(kinds ?? []).map((kind) => (
                    <label key={kind} className="check">
                      <input
                        type="checkbox"
                        name={`kind-${kind}`}
                        defaultChecked={data.preferences.enabledKinds.includes(kind)}
                      />{" "}
                      {kind.replaceAll("_", " ")}
                    </label>
                  ))}
                </fieldset>
                <label htmlFor="quiet-start">Quiet hours start</label>
                <input
                  id="quiet-start"
                  name="quietStart"
                  type="time"
                  defaultValue={data.preferences.quietHours?.start ?? ""}
                />
                <label htmlFor="quiet-end">Quiet hours end</label>
                <input
                  id="quiet-end"
                  name="quietEnd"
                  type="time"
                  defaultValue={data.preferences.quietHours?.end ?? ""}
                />
                <label htmlFor="daily-cap">At most this many nudges a day</label>
                <input
                  id="daily-cap"
                  name="dailyCap"
                  type="number"
                  min={0}
                  max={20}
                  defaultValue={data.preferences.dailyCap}
                />
                <label htmlFor="nudge-channel">Channel</label>
                <select id="nudge-channel" name="channel" defaultValue={data.preferences.channel}>
                  <option value="chat">chat</option>
                  <option value="email">email</option>
                </select>
                <ErrorNote error={error} />
                {saved && <p role="status">{saved}</p>}
                <button type="submit">Save nudge rules</button>
              </form>
            )
          }
        </Loaded>
      )}
    </>
  );
}
