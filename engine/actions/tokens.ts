import { z } from "zod";
import { ApiToken, findApiToken, listApiTokens, revokeApiToken } from "../db/repositories/api-tokens.ts";
import { recordAudit } from "../db/repositories/event-log.ts";
import { findPersonByEmail } from "../db/repositories/workspaces.ts";
import { forbidden, notFound } from "../errors.ts";
import type { ActionContext } from "./define.ts";
import { defineAction } from "./define.ts";

/** A member acts on their own tokens only; an admin on every token in the workspace. */
const ownerFilter = (ctx: ActionContext): string | undefined =>
  ctx.person.isAdmin ? undefined : ctx.person.id;

export const listTokens = defineAction({
  name: "list_tokens",
  title: "List API tokens",
  description:
    "Lists API tokens with their id, name, prefix, person, when each was created, last used and revoked. A member sees their own tokens; an admin sees every token in the workspace (or one person's with `person`). The tokens themselves are never shown.",
  input: z.object({
    person: z.email().optional().describe("Admins: only this person's tokens."),
  }),
  output: z.object({ tokens: z.array(ApiToken) }),
  annotations: { readOnlyHint: true },
  async run(ctx, input) {
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      let personId = ownerFilter(ctx);
      if (input.person && input.person.toLowerCase() !== ctx.person.email.toLowerCase()) {
        if (!ctx.person.isAdmin)
          throw forbidden(`Only an admin can list another person's tokens; leave out "person" to see yours.`);
        const person = await findPersonByEmail(tx, ctx.workspace.id, input.person);
        if (!person) throw notFound(`No person ${input.person} in workspace ${ctx.workspace.slug}.`);
        personId = person.id;
      } else if (input.person) {
        personId = ctx.person.id;
      }
      return { tokens: await listApiTokens(tx, personId) };
    });
  },
});

export const revokeToken = defineAction({
  name: "revoke_token",
  title: "Revoke an API token",
  description:
    "Revokes an API token by its id (from list_tokens): from then on it is refused with 401 on the HTTP API and MCP, and MCP sessions opened with it end. A member can revoke their own tokens; an admin any token in the workspace. Revoking a revoked token changes nothing. Cannot be undone: make a new token with `cairn token create`.",
  input: z.object({ id: z.uuid().describe("The token's id, as list_tokens shows it.") }),
  output: ApiToken,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  async run(ctx, input) {
    const token = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const found = await findApiToken(tx, input.id, ownerFilter(ctx));
      if (!found) {
        throw notFound(
          `No token ${input.id}${ctx.person.isAdmin ? "" : " of yours"} in workspace ${ctx.workspace.slug}; list_tokens shows the ids.`,
        );
      }
      if (await revokeApiToken(tx, input.id)) {
        await recordAudit(tx, {
          workspaceId: ctx.workspace.id,
          actorPersonId: ctx.person.id,
          actor: ctx.person.email,
          action: "token_revoke",
          target: found.person.email,
          details: { tokenId: found.id, prefix: found.prefix },
        });
      }
      return (await findApiToken(tx, input.id)) ?? found;
    });
    ctx.services.changes.notify({ kind: "tokens", workspaceId: ctx.workspace.id, ids: [token.id] });
    return token;
  },
});

export const tokenActions = [listTokens, revokeToken];
