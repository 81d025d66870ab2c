/**
 * botbuilder's CloudAdapter with ConfigurationBotFrameworkAuthentication, configured by the SDK's own setting
 * names (MicrosoftAppId, ToBotFromChannelOpenIdMetadataUrl, ...). Incoming activities are authenticated before
 * the turn runs, so every token problem (missing, forged, expired, wrong audience or issuer) is a 401, where the
 * stock `process()` answers some of them with 500.
 *
 * Outgoing tokens: against Microsoft's login hosts the SDK's MSAL credentials are used; against any other login
 * URL (a local fake, a proxy) the bot asks `<ToChannelFromBotLoginUrl>/oauth2/v2.0/token` with the AAD v2
 * client-credentials grant itself, because MSAL insists on https authorities it can discover on the internet.
 */
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type InvokeResponse,
  type TurnContext,
} from "botbuilder";

/** The settings botbuilder reads, under its own names. Unset ones take the SDK's public-cloud values. */
export interface TeamsSettings {
  MicrosoftAppId: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppType?: string;
  MicrosoftAppTenantId?: string;
  ToBotFromChannelOpenIdMetadataUrl?: string;
  ToBotFromChannelTokenIssuer?: string;
  ToBotFromEmulatorOpenIdMetadataUrl?: string;
  ToChannelFromBotLoginUrl?: string;
  ToChannelFromBotOAuthScope?: string;
  BotOpenIdMetadata?: string;
  OAuthApiEndpoint?: string;
  ChannelService?: string;
}

/** Public Azure values (botframework-connector's AuthenticationConstants), used to fill a partial override. */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: "https://login.microsoftonline.com/botframework.com",
  ToChannelFromBotOAuthScope: "https://api.botframework.com",
  ToBotFromChannelTokenIssuer: "https://api.botframework.com",
  OAuthUrl: "https://api.botframework.com",
  ToBotFromChannelOpenIdMetadataUrl: "https://login.botframework.com/v1/.well-known/openidconfiguration",
  ToBotFromEmulatorOpenIdMetadataUrl:
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
  CallerId: "urn:botframework:azure",
};
const MICROSOFT_LOGIN_PREFIXES = ["https://login.microsoftonline.com/", "https://login.microsoftonline.us/"];
const OVERRIDES = [
  "ToChannelFromBotLoginUrl",
  "ToChannelFromBotOAuthScope",
  "ToBotFromChannelTokenIssuer",
  "OAuthApiEndpoint",
  "ToBotFromChannelOpenIdMetadataUrl",
  "BotOpenIdMetadata",
  "ToBotFromEmulatorOpenIdMetadataUrl",
] as const;

/**
 * The options object for ConfigurationBotFrameworkAuthentication. The SDK treats any one endpoint override as
 * "all are given"; a partial override is completed here with the public-cloud values.
 */
export function authenticationOptions(settings: TeamsSettings): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings))
    if (typeof value === "string" && value) options[key] = value;
  const overridden = OVERRIDES.some((key) => options[key]);
  if (overridden && !settings.ChannelService) {
    options.ToChannelFromBotLoginUrl ??= PUBLIC_CLOUD.ToChannelFromBotLoginUrl;
    options.ToChannelFromBotOAuthScope ??= PUBLIC_CLOUD.ToChannelFromBotOAuthScope;
    options.ToBotFromChannelTokenIssuer ??= PUBLIC_CLOUD.ToBotFromChannelTokenIssuer;
    options.OAuthApiEndpoint ??= PUBLIC_CLOUD.OAuthUrl;
    options.ToBotFromChannelOpenIdMetadataUrl ??=
      options.BotOpenIdMetadata ?? PUBLIC_CLOUD.ToBotFromChannelOpenIdMetadataUrl;
    options.ToBotFromEmulatorOpenIdMetadataUrl ??= PUBLIC_CLOUD.ToBotFromEmulatorOpenIdMetadataUrl;
    options.CallerId ??= PUBLIC_CLOUD.CallerId;
  }
  return options;
}

interface WebResourceLike {
  headers: { set(name: string, value: string): void };
}

/** Client-credentials tokens from a login URL that is not Microsoft's (AAD v2 token endpoint shape). */
class LoginUrlCredentials {
  private cached?: { token: string; renewAt: number };
  private pending?: Promise<string>;

  constructor(
    readonly appId: string,
    private readonly password: string,
    private readonly loginUrl: string,
    private readonly scope: string,
  ) {}

  async getToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.cached && this.cached.renewAt > Date.now()) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async signRequest<T extends WebResourceLike>(webResource: T): Promise<T> {
    webResource.headers.set("Authorization", `Bearer ${await this.getToken()}`);
    return webResource;
  }

  private async fetchToken(): Promise<string> {
    const scope = this.scope.endsWith("/.default") ? this.scope : `${this.scope.replace(/\/$/, "")}/.default`;
    const response = await fetch(`${this.loginUrl.replace(/\/$/, "")}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: this.appId,
        client_secret: this.password,
        scope,
      }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error_description?: unknown;
    };
    if (!response.ok || typeof body.access_token !== "string")
      throw new Error(
        `Teams: the login URL refused the bot's credentials (${response.status}${typeof body.error_description === "string" ? `: ${body.error_description}` : ""})`,
      );
    const seconds = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in ?? 3600);
    this.cached = { token: body.access_token, renewAt: Date.now() + Math.max(60, seconds - 300) * 1000 };
    return body.access_token;
  }
}

class CairnCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  private readonly custom = new Map<string, LoginUrlCredentials>();

  constructor(private readonly settings: TeamsSettings) {
    super({
      MicrosoftAppId: settings.MicrosoftAppId,
      MicrosoftAppPassword: settings.MicrosoftAppPassword,
      MicrosoftAppType: settings.MicrosoftAppType,
      MicrosoftAppTenantId: settings.MicrosoftAppTenantId,
    });
  }

  override async createCredentials(
    appId: string,
    audience: string,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): ReturnType<ConfigurationServiceClientCredentialFactory["createCredentials"]> {
    const login = loginEndpoint?.toLowerCase() ?? "";
    const password = this.settings.MicrosoftAppPassword;
    if (!login || MICROSOFT_LOGIN_PREFIXES.some((prefix) => login.startsWith(prefix)) || !password)
      return super.createCredentials(appId, audience, loginEndpoint, validateAuthority);
    if (!(await this.isValidAppId(appId))) throw new Error("Invalid appId.");
    const scope =
      audience || this.settings.ToChannelFromBotOAuthScope || PUBLIC_CLOUD.ToChannelFromBotOAuthScope;
    const key = `${loginEndpoint}|${scope}`;
    let credentials = this.custom.get(key);
    if (!credentials) {
      credentials = new LoginUrlCredentials(appId, password, loginEndpoint, scope);
      this.custom.set(key, credentials);
    }
    return credentials as unknown as Awaited<
      ReturnType<ConfigurationServiceClientCredentialFactory["createCredentials"]>
    >;
  }
}

/** Why an incoming request was refused: always a 401 for the channel, the reason for the log. */
/** What authenticating an activity yields (botframework-connector's AuthenticateRequestResult). */
export type AuthenticateRequestResult = Awaited<
  ReturnType<ConfigurationBotFrameworkAuthentication["authenticateRequest"]>
>;

export class TeamsUnauthorized extends Error {}

export class TeamsAdapter extends CloudAdapter {
  readonly auth: ConfigurationBotFrameworkAuthentication;

  constructor(readonly settings: TeamsSettings) {
    const auth = new ConfigurationBotFrameworkAuthentication(
      authenticationOptions(settings),
      new CairnCredentialFactory(settings),
    );
    super(auth);
    this.auth = auth;
  }

  /** Checks the channel's JWT (signature via the OpenID metadata's keys, issuer, audience, expiry, serviceUrl). */
  async authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    if (!authHeader.trim()) throw new TeamsUnauthorized("no Authorization header");
    // Refuse plainly expired tokens before the SDK, which prints each one to the console (botbuilder allows
    // 5 minutes of clock skew; so does this check).
    const payload = /^Bearer [\w-]+\.([\w-]+)\.[\w-]+$/.exec(authHeader.trim())?.[1];
    if (!payload) throw new TeamsUnauthorized("the Authorization header is not a bearer JWT");
    try {
      const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
      if (typeof exp === "number" && exp * 1000 + 300_000 < Date.now())
        throw new TeamsUnauthorized("token expired");
    } catch (error) {
      if (error instanceof TeamsUnauthorized) throw error;
      throw new TeamsUnauthorized("the token's claims are not JSON");
    }
    try {
      return await this.auth.authenticateRequest(activity, authHeader);
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      // The OpenID metadata or its keys could not be loaded: our problem (or the network's), not the caller's.
      if (status === 500) throw error;
      throw new TeamsUnauthorized((error as Error).message ?? String(error));
    }
  }

  /** Runs one authenticated activity through the bot. */
  run(
    auth: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}
