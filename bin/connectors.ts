/**
 * The connectors this build registers (the one list in connectors/index.ts) and what bin/ derives from it:
 * their env variables for config loading and `cairn config`, and the full action list for `cairn actions` and docs.
 */
import { connectors } from "../connectors/index.ts";
import { connectorActions } from "../engine/actions/connections.ts";
import type { AnyAction } from "../engine/actions/define.ts";
import { allActions } from "../engine/actions/index.ts";
import { type Config, loadConfig, type SettingSpec } from "../engine/config.ts";
import type { AnyConnector } from "../engine/sync/connector.ts";

export const registeredConnectors: readonly AnyConnector[] = connectors;

/** Every connector's env variables, in the list's order. */
export const connectorSettingsOf = (list: readonly AnyConnector[]): SettingSpec[] =>
  list.flatMap((connector) => connector.env);

export const connectorSettings: readonly SettingSpec[] = connectorSettingsOf(registeredConnectors);

/** Every action of this build: the engine's and the registered connectors'. */
export const everyAction: readonly AnyAction[] = [...allActions, ...connectorActions(registeredConnectors)];

/** loadConfig with this build's connector variables, as `cairn` itself loads it. */
export const loadCairnConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  loadConfig(env, connectorSettings);
