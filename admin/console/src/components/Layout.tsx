import type { MouseEvent, ReactNode } from "react";
import { useSession } from "../context.tsx";
import { type PageId, visiblePages } from "../lib/navigation.ts";

export function Layout({ current, children }: { current: PageId; children: ReactNode }) {
  const { session, navigate, signOut } = useSession();
  const { user } = session;
  const follow = (path: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(path);
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Cairn</span>
        <span className="who">
          {user.name || user.email} · {user.role} · {user.workspace.name}
        </span>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {visiblePages(user.role).map((page) => (
            <li key={page.id}>
              <a
                href={page.path}
                aria-current={page.id === current ? "page" : undefined}
                onClick={follow(page.path)}
              >
                {page.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
