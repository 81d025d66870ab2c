import { z } from "zod";
import { newApiToken } from "../auth/api-tokens.ts";
import {
  ApiToken,
  findApiToken,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
} from "../db/repositories/api-tokens.ts";
import { recordAudit } from "../db/repositories/event-log.ts";
import { findPersonByEmail } from "../db/repositories/workspaces.ts";
import { forbidden, invalidInput, notFound } from "../errors.ts";
import { keepAnswerInTransaction } from "./answer-in-transaction.ts";
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

export const createToken = defineAction({
  name: "create_token",
  title: "Create an API token",
  description:
    "Creates an API token for yourself, for scripts, the HTTP API and AI assistants over MCP (Authorization: Bearer <token>). The token acts as you, with your role. It is returned once, in `token`: store it now; Cairn keeps only its hash, and list_tokens shows just its first characters. Give it a name that says where it is used; set `expiresAt` to have it refused after that time (leave it out for a token that lasts until revoked).",
  input: z.object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .describe('Where the token is used, e.g. "laptop script" or "Claude Desktop".'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        "ISO 8601 time after which the token is refused, e.g. 2027-01-01T00:00:00Z. Leave out: no expiry.",
      ),
  }),
  output: ApiToken.extend({
    token: z.string().describe("The token itself, shown this once."),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["create an API token called laptop"],
  async run(ctx, input) {
    const expiresAt = input.expiresAt === undefined ? undefined : new Date(input.expiresAt);
    if (expiresAt && expiresAt.getTime() <= ctx.services.now().getTime()) {
      throw invalidInput("expiresAt is in the past", [
        { path: "expiresAt", message: "give a time in the future, or leave it out for no expiry" },
      ]);
    }
    const fresh = newApiToken();
    const created = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const id = await insertApiToken(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        name: input.name,
        tokenHash: fresh.tokenHash,
        prefix: fresh.prefix,
        expiresAt,
      });
      await recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "token_create",
        target: ctx.person.email,
        details: { tokenId: id, prefix: fresh.prefix, name: input.name, via: ctx.via },
      });
      const stored = await findApiToken(tx, id);
      if (!stored) throw new Error("The token just stored could not be read back");
      const output = { ...stored, token: fresh.token };
      // A retried create_token would mint a second token: its (sealed) answer commits with the first one.
      await keepAnswerInTransaction("create_token", tx, output);
      return output;
    });
    return created;
  },
});

export const tokenActions = [listTokens, createToken, revokeToken];
