import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { Layout } from "./components/Layout.tsx";
import { SignIn } from "./components/SignIn.tsx";
import { api, SessionContext, type SessionState } from "./context.tsx";
import { closeChanges } from "./hooks.ts";
import { ApiError } from "./lib/api.ts";
import { Session } from "./lib/contract.ts";
import { type PageId, pageForPath } from "./lib/navigation.ts";

const loaders: Record<PageId, () => Promise<{ default: () => React.JSX.Element }>> = {
  overview: () => import("./pages/Overview.tsx"),
  connections: () => import("./pages/Connections.tsx"),
  people: () => import("./pages/People.tsx"),
  plans: () => import("./pages/Plans.tsx"),
  insights: () => import("./pages/Insights.tsx"),
  nudges: () => import("./pages/Nudges.tsx"),
  audit: () => import("./pages/Audit.tsx"),
  bots: () => import("./pages/Bots.tsx"),
};
type PageComponent = () => React.JSX.Element;
/** Pages whose chunk has arrived: rendered directly, without suspending. */
const loadedPages = new Map<PageId, PageComponent>();
const loadPage = (id: PageId) =>
  loaders[id]().then((module) => {
    loadedPages.set(id, module.default);
    return module;
  });
const lazyPages = Object.fromEntries(
  (Object.keys(loaders) as PageId[]).map((id) => [id, lazy(() => loadPage(id))]),
) as Record<PageId, React.LazyExoticComponent<PageComponent>>;

// The opened page's chunk loads while the session is checked, not after: one round trip less on first load.
// It is then rendered as a plain component: a lazy one suspends once even when its chunk is already here, and
// React holds a suspended boundary's content back for up to 300 ms (its fallback throttle) on every first load.
void loadPage(pageForPath(window.location.pathname, "owner").page.id).catch(() => undefined);

type Boot =
  | { state: "loading" }
  | { state: "signed-out"; setupAvailable: boolean; error?: string }
  | { state: "signed-in"; session: Session };

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: "loading" });
  const [path, setPath] = useState(() => window.location.pathname);

  const load = useCallback(async () => {
    try {
      const session = await api.request(Session, "/admin/api/session");
      api.csrfToken = session.csrfToken;
      setBoot({ state: "signed-in", session });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setBoot({ state: "signed-out", setupAvailable: error.problem?.setupAvailable === true });
      } else {
        setBoot({
          state: "signed-out",
          setupAvailable: false,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }, []);

  useEffect(() => {
    void load();
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [load]);

  const navigate = useCallback((to: string) => {
    if (to !== window.location.pathname) window.history.pushState(null, "", to);
    setPath(to);
    window.scrollTo(0, 0);
  }, []);

  const state = useMemo<SessionState | null>(() => {
    if (boot.state !== "signed-in") return null;
    return {
      session: boot.session,
      navigate,
      async signOut() {
        await api.request(z.unknown(), "/admin/api/session", { method: "DELETE" });
        closeChanges();
        api.csrfToken = undefined;
        setBoot({ state: "signed-out", setupAvailable: false });
      },
    };
  }, [boot, navigate]);

  if (boot.state === "loading") return <p className="boot">Loading the Cairn console…</p>;
  if (boot.state === "signed-out" || !state) {
    return (
      <SignIn
        setupAvailable={boot.state === "signed-out" && boot.setupAvailable}
        error={boot.state === "signed-out" ? boot.error : undefined}
        onSignedIn={(session) => {
          api.csrfToken = session.csrfToken;
          setBoot({ state: "signed-in", session });
        }}
      />
    );
  }
  const { page, allowed } = pageForPath(path, state.session.user.role);
  const Page = loadedPages.get(page.id) ?? lazyPages[page.id];
  return (
    <SessionContext.Provider value={state}>
      <Layout current={page.id}>
        {allowed ? (
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            <Page />
          </Suspense>
        ) : (
          <section aria-labelledby="denied-title">
            <h1 id="denied-title">Not available to your role</h1>
            <p>
              {page.label} is for workspace owners and admins. Ask an admin if you need it, or open one of the
              pages in the menu.
            </p>
          </section>
        )}
      </Layout>
    </SessionContext.Provider>
  );
}
