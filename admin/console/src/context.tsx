import { createContext, useContext } from "react";
import { ApiClient } from "./lib/api.ts";
import type { Session } from "./lib/contract.ts";

export const api = new ApiClient((input, init) => fetch(input, init));

export interface SessionState {
  session: Session;
  signOut(): Promise<void>;
  navigate(path: string): void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside a signed-in console");
  return state;
}
