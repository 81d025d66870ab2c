/** The console's pages, their paths and who may open them. Labels are kept exactly (tests find them). */
import type { Role } from "./contract.ts";

export type PageId =
  | "overview"
  | "connections"
  | "people"
  | "plans"
  | "insights"
  | "nudges"
  | "audit"
  | "bots";

export interface PageEntry {
  id: PageId;
  label: string;
  path: string;
  /** Members see only the pages about themselves. */
  members: boolean;
}

export const PAGES: readonly PageEntry[] = [
  { id: "overview", label: "Overview", path: "/admin/", members: false },
  { id: "connections", label: "Connections", path: "/admin/connections", members: false },
  { id: "people", label: "People", path: "/admin/people", members: true },
  { id: "plans", label: "Plans", path: "/admin/plans", members: true },
  { id: "insights", label: "Insights", path: "/admin/insights", members: true },
  { id: "nudges", label: "Nudges", path: "/admin/nudges", members: true },
  { id: "audit", label: "Audit log", path: "/admin/audit", members: false },
  { id: "bots", label: "Bots and MCP", path: "/admin/bots", members: false },
];

export const isAdminRole = (role: Role): boolean => role === "owner" || role === "admin";

export const visiblePages = (role: Role): PageEntry[] =>
  PAGES.filter((page) => page.members || isAdminRole(role));

/** The page a path shows; unknown paths show the role's first page. */
export function pageForPath(pathname: string, role: Role): { page: PageEntry; allowed: boolean } {
  const trimmed = pathname.replace(/\/+$/, "") || "/admin";
  const found = PAGES.find((page) => page.path.replace(/\/+$/, "") === trimmed);
  const home = visiblePages(role)[0] as PageEntry;
  if (!found) return { page: home, allowed: true };
  return { page: found, allowed: found.members || isAdminRole(role) };
}

/** The change-feed kinds that make a page read its data again. */
export const LIVE_KINDS: Partial<Record<PageId, readonly string[]>> = {
  overview: ["connections"],
  connections: ["connections", "tasks", "calendar"],
  plans: ["plan", "tasks", "calendar"],
  people: ["tokens", "preferences"],
};

export const refreshesOn = (page: PageId, kind: string): boolean => LIVE_KINDS[page]?.includes(kind) ?? false;
