import { type FormEvent, useState } from "react";
import { CursorPager, Empty, formatTime, Loaded, Scroll } from "../components/common.tsx";
import { api } from "../context.tsx";
import { useResource } from "../hooks.ts";
import { query } from "../lib/api.ts";
import { AuditPage } from "../lib/contract.ts";
import { currentCursor, firstPage } from "../lib/pagination.ts";

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { actor: "", action: "", from: "", to: "" };
/** A date input's day as the start (or the end) of that day in UTC. */
const dayBound = (day: string, end: boolean) =>
  day ? `${day}T${end ? "23:59:59.999" : "00:00:00.000"}Z` : "";

const detailText = (detail: unknown): string =>
  detail === undefined || detail === null ? "" : typeof detail === "string" ? detail : JSON.stringify(detail);

export default function Audit() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [pages, setPages] = useState(firstPage);
  const entries = useResource(
    () =>
      api.request(
        AuditPage,
        `/admin/api/audit${query({
          actor: filters.actor,
          action: filters.action,
          from: dayBound(filters.from, false),
          to: dayBound(filters.to, true),
          cursor: currentCursor(pages),
          limit: 25,
        })}`,
      ),
    [filters, pages],
  );

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setFilters({
      actor: String(data.get("actor") ?? "").trim(),
      action: String(data.get("action") ?? "").trim(),
      from: String(data.get("from") ?? ""),
      to: String(data.get("to") ?? ""),
    });
    setPages(firstPage());
  }

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="panel inline" onSubmit={apply} aria-label="Filter the audit log">
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" name="actor" placeholder="ada@example.com" />
        <label htmlFor="audit-action">Action</label>
        <input id="audit-action" name="action" placeholder="token_revoke" />
        <label htmlFor="audit-from">From</label>
        <input id="audit-from" name="from" type="date" />
        <label htmlFor="audit-to">To</label>
        <input id="audit-to" name="to" type="date" />
        <button type="submit">Filter</button>
      </form>
      <Loaded resource={entries}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>
              {filters === NO_FILTERS
                ? "Nothing recorded yet: sign-ins, connections, role and token changes appear here."
                : "No entries match these filters; clear a field and filter again."}
            </Empty>
          ) : (
            <>
              <Scroll label="Audit entries">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Actor</th>
                      <th scope="col">Action</th>
                      <th scope="col">Target</th>
                      <th scope="col">Detail</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((entry) => (
                      <tr key={String(entry.id)}>
                        <td>{formatTime(entry.at)}</td>
                        <td>{entry.actor ?? "system"}</td>
                        <td>
                          <code>{entry.action}</code>
                        </td>
                        <td>{entry.target ?? ""}</td>
                        <td className="detail">{detailText(entry.detail)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
              <CursorPager label="Audit log" pages={pages} setPages={setPages} nextCursor={data.nextCursor} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
