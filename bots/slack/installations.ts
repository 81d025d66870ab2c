/**
 * Multi-workspace Slack installs kept in the database, sealed with the engine's secret box (AES-256-GCM under
 * CAIRN_MASTER_KEY). @slack/oauth's InstallProvider reads them to authorize each request and, with token
 * rotation on, refreshes expiring tokens and stores the new ones here. Each installed team is mapped to a
 * Cairn workspace, created on install.
 */
import type { Installation, InstallationQuery, InstallationStore } from "@slack/bolt";
import {
  deleteChatInstallation,
  listChatInstallations,
  readChatInstallation,
  saveChatInstallation,
} from "../../engine/db/repositories/chat-installations.ts";
import { ensureWorkspace, findWorkspace } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";

const PROVIDER = "slack";

type AnyInstallation = Installation<"v1" | "v2", boolean>;

/** What is stored: Slack's installation and the Cairn workspace its team maps to. */
interface Stored {
  installation: AnyInstallation;
  workspace: string;
}

function keyOf(query: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): string {
  if (query.isEnterpriseInstall && query.enterpriseId) return `enterprise:${query.enterpriseId}`;
  if (query.teamId) return `team:${query.teamId}`;
  throw new Error("A Slack installation needs a team or an enterprise id");
}

/** A slug for a Slack team's workspace: its name, else its id. */
export function workspaceSlugFor(team: { id: string; name?: string }): string {
  const fromName = (team.name ?? "")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  return /^[a-z0-9]/.test(fromName) ? fromName : `slack-${team.id.toLowerCase()}`;
}

export interface SlackInstallations extends InstallationStore {
  /** The Cairn workspace slug of an installed team (or enterprise), if installed. */
  workspaceFor(query: {
    teamId?: string;
    enterpriseId?: string;
    isEnterpriseInstall?: boolean;
  }): Promise<string | undefined>;
  /** The installation serving a Cairn workspace (for messages Cairn starts), if any. */
  forWorkspace(slug: string): Promise<AnyInstallation | undefined>;
}

/** A "connect my Slack status" grant (user scopes only): a person's user token, for the focus status. */
export interface UserGrant {
  workspace: string;
  teamId: string;
  userId: string;
  token: string;
  scopes?: string[];
  /** With token rotation on: the refresh token and when the user token expires (epoch ms). */
  refreshToken?: string;
  expiresAt?: number;
}

export function slackInstallations(
  engine: Engine,
  hooks: {
    /** Grants whose OAuth metadata is `userGrantMetadata` go here instead of replacing the team's install. */
    userGrantMetadata?: string;
    onUserGrant?(grant: UserGrant): Promise<void>;
  } = {},
): SlackInstallations {
  const { db, secrets } = engine.services;
  const read = async (key: string): Promise<Stored | undefined> => {
    const sealed = await db.system((tx) => readChatInstallation(tx, PROVIDER, key));
    return sealed === undefined ? undefined : (JSON.parse(secrets.open(sealed)) as Stored);
  };
  return {
    async storeInstallation(installation) {
      if (hooks.onUserGrant && hooks.userGrantMetadata && installation.metadata === hooks.userGrantMetadata) {
        const teamId = installation.team?.id ?? installation.enterprise?.id;
        const stored = teamId
          ? await read(
              keyOf({
                isEnterpriseInstall: installation.isEnterpriseInstall,
                enterpriseId: installation.enterprise?.id,
                teamId: installation.team?.id,
              }),
            )
          : undefined;
        if (!teamId || !stored) throw new Error("Cairn is not installed in this Slack workspace yet");
        if (!installation.user.token) throw new Error("Slack granted no user token");
        await hooks.onUserGrant({
          workspace: stored.workspace,
          teamId,
          userId: installation.user.id,
          token: installation.user.token,
          ...(installation.user.scopes ? { scopes: installation.user.scopes } : {}),
          ...(installation.user.refreshToken ? { refreshToken: installation.user.refreshToken } : {}),
          // @slack/oauth gives seconds since the epoch.
          ...(installation.user.expiresAt ? { expiresAt: installation.user.expiresAt * 1000 } : {}),
        });
        return;
      }
      const key = keyOf({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      await db.system(async (tx) => {
        const previous = await readChatInstallation(tx, PROVIDER, key);
        const earlier = previous ? (JSON.parse(secrets.open(previous)) as Stored) : undefined;
        // A token refresh stores the installation again: keep the team's workspace and any user token.
        let workspace = earlier?.workspace;
        if (!workspace) {
          const team = installation.team ?? installation.enterprise;
          const slug = workspaceSlugFor({ id: team?.id ?? "unknown", name: team?.name });
          workspace =
            (await findWorkspace(tx, slug))?.slug ?? (await ensureWorkspace(tx, slug, team?.name)).slug;
        }
        const merged: AnyInstallation = {
          ...earlier?.installation,
          ...installation,
          user: { ...earlier?.installation.user, ...installation.user },
        } as AnyInstallation;
        const stored: Stored = { installation: merged, workspace };
        await saveChatInstallation(tx, {
          provider: PROVIDER,
          key,
          sealed: secrets.seal(JSON.stringify(stored)),
        });
      });
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const stored = await read(keyOf(query));
      if (!stored)
        throw new Error(`Cairn is not installed in Slack team ${query.teamId ?? query.enterpriseId}`);
      return stored.installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await db.system((tx) => deleteChatInstallation(tx, PROVIDER, keyOf(query)));
    },
    async forWorkspace(slug) {
      const all = await db.system((tx) => listChatInstallations(tx, PROVIDER));
      for (const sealed of all) {
        const stored = JSON.parse(secrets.open(sealed)) as Stored;
        if (stored.workspace === slug) return stored.installation;
      }
      return undefined;
    },
    async workspaceFor(query) {
      try {
        const byTeam = query.teamId ? await read(keyOf({ teamId: query.teamId })) : undefined;
        const stored =
          byTeam ??
          (query.enterpriseId
            ? await read(keyOf({ isEnterpriseInstall: true, enterpriseId: query.enterpriseId }))
            : undefined);
        return stored?.workspace;
      } catch {
        return undefined;
      }
    },
  };
}
