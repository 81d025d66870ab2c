/**
 * The chat directory on the engine's identity mapping (engine/auth/identities.ts): the linked person, else the
 * person with the same email, else (when auto-provisioning is on) a new member; refusals worded for chat.
 */
import { personForChatUser, personForIdentity } from "../../engine/auth/identities.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ChatPeople } from "./people.ts";

export function enginePeople(
  engine: Engine,
  options: { autoProvision: boolean; adminContact?: string },
): ChatPeople {
  const admin = options.adminContact ?? "your Cairn admin";
  return {
    linked: (user, workspace) =>
      personForIdentity(engine.services.db, workspace, {
        provider: user.provider,
        tenant: user.tenant,
        externalId: user.userId,
      }),
    async resolve(user, workspace) {
      const outcome = await personForChatUser(
        engine.services.db,
        workspace,
        {
          provider: user.provider,
          tenant: user.tenant,
          externalId: user.userId,
          email: user.email,
          name: user.name,
          timezone: user.timezone,
        },
        { autoProvision: options.autoProvision },
      );
      if ("actor" in outcome) return outcome;
      switch (outcome.refused) {
        case "no_workspace":
          return {
            refused: `Cairn has no workspace "${workspace}" for this ${user.provider} team yet. Ask ${admin}.`,
          };
        case "no_email":
          return {
            refused: `I can't see your email address, so I can't tell who you are in Cairn. Ask ${admin}.`,
          };
        case "not_a_member":
          return { refused: `You're not set up in Cairn yet. Ask ${admin} to add ${user.email ?? "you"}.` };
      }
    },
  };
}
