/** In-process notifications of what changed, so planning can replan and MCP can tell subscribers. */
/** `tokens`: API tokens were revoked (`ids` are the token ids), so open sessions on them must end. */
export type ChangeKind = "tasks" | "calendar" | "preferences" | "plan" | "connections" | "tokens";

export interface Change {
  kind: ChangeKind;
  workspaceId: string;
  personId?: string | null;
  ids?: string[];
}

export type ChangeListener = (change: Change) => void | Promise<void>;

export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listeners run after the caller's transaction; a failing listener never fails the change itself. */
  notify(change: Change): void {
    for (const listener of this.#listeners) {
      Promise.resolve()
        .then(() => listener(change))
        .catch(() => {});
    }
  }
}
