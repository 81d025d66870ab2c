import { type Dispatch, type ReactNode, type SetStateAction, useState } from "react";
import type { Resource } from "../hooks.ts";
import { type CursorPages, nextPage, pageNumber, previousPage, type Slice } from "../lib/pagination.ts";

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** Loading, error or the content, for one resource. */
export function Loaded<T>({ resource, children }: { resource: Resource<T>; children(data: T): ReactNode }) {
  if (resource.data !== undefined) {
    return (
      <>
        <ErrorNote error={resource.error} />
        {children(resource.data)}
      </>
    );
  }
  if (resource.error) return <ErrorNote error={resource.error} />;
  return <p aria-busy="true">Loading…</p>;
}

/** The pager of a list the server pages with cursors (people, audit log, nudges). */
export function CursorPager({
  label,
  pages,
  setPages,
  nextCursor,
}: {
  label: string;
  pages: CursorPages;
  setPages: Dispatch<SetStateAction<CursorPages>>;
  nextCursor: string | null | undefined;
}) {
  return (
    <Pager
      label={label}
      page={pageNumber(pages)}
      hasPrevious={pageNumber(pages) > 1}
      hasNext={Boolean(nextCursor)}
      onPrevious={() => setPages(previousPage)}
      onNext={() => setPages((current) => nextPage(current, nextCursor))}
    />
  );
}

export function Pager({
  label,
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  pages,
}: {
  label: string;
  page: number;
  pages?: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
}) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="secondary" disabled={!hasPrevious} onClick={onPrevious}>
        Previous page
      </button>
      <span>
        Page {page}
        {pages ? ` of ${pages}` : ""}
      </span>
      <button type="button" className="secondary" disabled={!hasNext} onClick={onNext}>
        Next page
      </button>
    </nav>
  );
}

export function SlicePager<T>({
  label,
  slice,
  onPage,
}: {
  label: string;
  slice: Slice<T>;
  onPage(page: number): void;
}) {
  return (
    <Pager
      label={label}
      page={slice.page}
      pages={slice.pages}
      hasPrevious={slice.hasPrevious}
      hasNext={slice.hasNext}
      onPrevious={() => onPage(slice.page - 1)}
      onNext={() => onPage(slice.page + 1)}
    />
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      aria-label={label}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export const formatTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "never";

/** A region that scrolls sideways on narrow screens; focusable so the keyboard can scroll it too. */
export function Scroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
