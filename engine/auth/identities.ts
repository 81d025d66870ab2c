/**
 * Who a person is at an identity provider, mapped to the person in Cairn. Every face that meets outside
 * users calls this: MCP for OAuth/JWT access tokens, and the Slack, Teams and console faces for their
 * users. Faces check the provider's proof (a JWT signature, a Slack signature) and word the refusal;
 * the mapping rules live here.
 */
import { IANAZone } from "luxon";
import type { Actor } from "../actions/define.ts";
import type { Db } from "../db/port.ts";
import {
  type ExternalAccount,
  findChatIdentity,
  linkChatIdentity,
} from "../db/repositories/chat-identities.ts";
import {
  ensurePerson,
  findPersonByEmail,
  findPersonById,
  findWorkspace,
} from "../db/repositories/workspaces.ts";

export interface ExternalIdentity extends ExternalAccount {
  /**
   * An email address the provider vouches for (a verified `email` claim, a Slack or Teams profile email).
   * When given it decides who the person is, as it always has for MCP's OAuth tokens.
   */
  email?: string;
}

/**
 * The person behind an external identity in a workspace (slug or id), or undefined when there is none.
 *
 * With an email: the workspace's person with that email, and the account is linked to them (created, or
 * moved from whoever had it); no such person means no one, whatever was linked before. Without an email:
 * the person the account was linked to. People are never created here: an admin adds them.
 */
export async function personForIdentity(
  db: Db,
  workspace: string,
  identity: ExternalIdentity,
): Promise<Actor | undefined> {
  const account: ExternalAccount = {
    provider: identity.provider,
    tenant: identity.tenant,
    externalId: identity.externalId,
  };
  return db.system(async (tx) => {
    const found = await findWorkspace(tx, workspace);
    if (!found) return undefined;
    const linked = await findChatIdentity(tx, found.id, account);
    if (identity.email === undefined) {
      const person = linked ? await findPersonById(tx, found.id, linked.personId) : undefined;
      return person ? { workspace: found, person } : undefined;
    }
    const person = await findPersonByEmail(tx, found.id, identity.email);
    if (!person) return undefined;
    if (linked?.personId !== person.id) await linkChatIdentity(tx, found.id, account, person.id);
    return { workspace: found, person };
  });
}

export interface ChatProfile extends ExternalIdentity {
  name?: string;
  /** IANA zone from the platform profile, for a person created here. */
  timezone?: string;
}

export type ChatPersonOutcome = { actor: Actor } | { refused: "no_workspace" | "no_email" | "not_a_member" };

/**
 * A chat user (Slack, Teams) as a person: the linked person first (a link survives an email change at the
 * platform), else the person with the profile's email (and the link is made), else, when the workspace lets
 * chat users join, a new member with the profile's name and time zone, linked.
 */
export async function personForChatUser(
  db: Db,
  workspace: string,
  profile: ChatProfile,
  options: { autoProvision: boolean },
): Promise<ChatPersonOutcome> {
  const account: ExternalAccount = {
    provider: profile.provider,
    tenant: profile.tenant,
    externalId: profile.externalId,
  };
  return db.system(async (tx) => {
    const found = await findWorkspace(tx, workspace);
    if (!found) return { refused: "no_workspace" };
    const linked = await findChatIdentity(tx, found.id, account);
    const linkedPerson = linked ? await findPersonById(tx, found.id, linked.personId) : undefined;
    if (linkedPerson) return { actor: { workspace: found, person: linkedPerson } };
    if (!profile.email) return { refused: "no_email" };
    let person = await findPersonByEmail(tx, found.id, profile.email);
    if (!person) {
      if (!options.autoProvision) return { refused: "not_a_member" };
      person = await ensurePerson(tx, found.id, {
        email: profile.email,
        name: profile.name,
        timezone: profile.timezone && IANAZone.isValidZone(profile.timezone) ? profile.timezone : undefined,
        isAdmin: false,
      });
    }
    await linkChatIdentity(tx, found.id, account, person.id);
    return { actor: { workspace: found, person } };
  });
}
