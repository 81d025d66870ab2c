/** `cairn admin create`: creates or resets a workspace owner who signs in to the console with a password. */
import { z } from "zod";
import type { Actor } from "../../engine/actions/define.ts";
import { zodIssues } from "../../engine/actions/registry.ts";
import type { Db } from "../../engine/db/port.ts";
import { deletePersonSessions } from "../../engine/db/repositories/console-sessions.ts";
import { saveConsolePassword, setConsoleRole } from "../../engine/db/repositories/console-users.ts";
import { recordAudit } from "../../engine/db/repositories/event-log.ts";
import { ensurePerson, ensureWorkspace, findPersonByEmail } from "../../engine/db/repositories/workspaces.ts";
import { invalidInput } from "../../engine/errors.ts";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./passwords.ts";

export const OwnerRequest = z.object({
  workspace: z.string().min(1),
  email: z.email("give an email address, e.g. --email you@example.com"),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH),
  name: z.string().trim().min(1).max(200).optional(),
});
export type OwnerRequest = z.infer<typeof OwnerRequest>;

/** Creates the workspace and person when missing, sets the password and the owner role, ends old sessions. */
export async function createOrResetOwner(db: Db, request: unknown): Promise<Actor & { created: boolean }> {
  const parsed = OwnerRequest.safeParse(request);
  if (!parsed.success) throw invalidInput("Invalid owner", zodIssues(parsed.error));
  const input = parsed.data;
  const passwordHash = await hashPassword(input.password);
  return db.system(async (tx) => {
    const workspace = await ensureWorkspace(tx, input.workspace);
    const existing = await findPersonByEmail(tx, workspace.id, input.email);
    const person = await ensurePerson(tx, workspace.id, {
      email: input.email,
      name: input.name,
      isAdmin: true,
    });
    await saveConsolePassword(tx, {
      workspaceId: workspace.id,
      personId: person.id,
      passwordHash,
      owner: true,
    });
    const promoted = (await setConsoleRole(tx, workspace.id, person.id, "owner")) ?? person;
    await deletePersonSessions(tx, person.id);
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actorPersonId: null,
      actor: "cli",
      action: "console_owner_set",
      target: person.email,
    });
    return { workspace, person: promoted, created: existing === undefined };
  });
}
