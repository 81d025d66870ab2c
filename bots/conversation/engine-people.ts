/**
 * The chat directory on the engine: an existing link first, else the person with the same email in the workspace,
 * else (when auto-provisioning is on) a new member with the platform's time zone.
 */
import { ensurePerson, findPersonByEmail, findWorkspace } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ChatPeople } from "./people.ts";

export function enginePeople(
  engine: Engine,
  options: { autoProvision: boolean; adminContact?: string },
): ChatPeople {
  return {
    async resolve(user, slug) {
      return engine.services.db.system(async (tx) => {
        const workspace = await findWorkspace(tx, slug);
        if (!workspace)
          return { refused: `Cairn has no workspace "${slug}" for this ${user.provider} team yet.` };
        if (!user.email)
          return {
            refused:
              "I can't see your email address, so I can't tell who you are in Cairn. Ask your Cairn admin.",
          };
        const existing = await findPersonByEmail(tx, workspace.id, user.email);
        if (existing) return { actor: { workspace, person: existing } };
        if (!options.autoProvision)
          return {
            refused: `You're not set up in Cairn yet. Ask ${options.adminContact ?? "your Cairn admin"} to add ${user.email}.`,
          };
        const person = await ensurePerson(tx, workspace.id, {
          email: user.email,
          name: user.name,
          timezone: user.timezone,
          isAdmin: false,
        });
        return { actor: { workspace, person } };
      });
    },
  };
}
