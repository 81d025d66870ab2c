/** Paging for long lists: server cursors (a stack to go back) and slices of lists the client already has. */

export interface CursorPages {
  /** The cursor of each page visited; the first page has none. */
  cursors: (string | null)[];
}

export const firstPage = (): CursorPages => ({ cursors: [null] });

export const currentCursor = (pages: CursorPages): string | null => pages.cursors.at(-1) ?? null;

export const pageNumber = (pages: CursorPages): number => pages.cursors.length;

export function nextPage(pages: CursorPages, nextCursor: string | null | undefined): CursorPages {
  return nextCursor ? { cursors: [...pages.cursors, nextCursor] } : pages;
}

export function previousPage(pages: CursorPages): CursorPages {
  return pages.cursors.length > 1 ? { cursors: pages.cursors.slice(0, -1) } : pages;
}

export interface Slice<T> {
  items: T[];
  /** 1-based, clamped to the pages there are. */
  page: number;
  pages: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

export function slicePage<T>(items: readonly T[], page: number, size: number): Slice<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return {
    items: items.slice((current - 1) * size, current * size),
    page: current,
    pages,
    hasPrevious: current > 1,
    hasNext: current < pages,
  };
}
