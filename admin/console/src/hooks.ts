import { useCallback, useEffect, useRef, useState } from "react";
import { ChangeEvent } from "./lib/contract.ts";

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/** Loads on mount and when `deps` change; reload() loads again and keeps the old data on screen meanwhile. */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's, like useEffect's
  useEffect(() => {
    let current = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload };
}

type ChangeListener = (change: ChangeEvent) => void;
const listeners = new Set<ChangeListener>();
let source: EventSource | undefined;

/** One EventSource on /admin/api/events for the whole console; pages subscribe to its `change` events. */
function ensureSource() {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource("/admin/api/events");
  source.addEventListener("change", (event) => {
    try {
      const parsed = ChangeEvent.safeParse(JSON.parse((event as MessageEvent<string>).data));
      if (parsed.success) for (const listener of listeners) listener(parsed.data);
    } catch {
      // A malformed event is skipped; the next one still arrives.
    }
  });
}

export function closeChanges() {
  source?.close();
  source = undefined;
}

export function useChanges(listener: ChangeListener) {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    ensureSource();
    const forward: ChangeListener = (change) => ref.current(change);
    listeners.add(forward);
    return () => {
      listeners.delete(forward);
    };
  }, []);
}
