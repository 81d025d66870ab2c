import { CopyButton, Empty, formatTime, Loaded } from "../components/common.tsx";
import { api } from "../context.tsx";
import { useResource } from "../hooks.ts";
import { Bots as BotsSchema } from "../lib/contract.ts";

const CLIENTS = [
  { key: "claudeDesktop", name: "Claude Desktop", where: "claude_desktop_config.json" },
  { key: "claudeCode", name: "Claude Code", where: "a terminal" },
  { key: "cursor", name: "Cursor", where: ".cursor/mcp.json" },
  { key: "vscode", name: "VS Code", where: ".vscode/mcp.json" },
] as const;

export default function Bots() {
  const bots = useResource(() => api.request(BotsSchema, "/admin/api/bots"), []);
  return (
    <section aria-labelledby="bots-title">
      <h1 id="bots-title">Bots and MCP</h1>
      <Loaded resource={bots}>
        {(data) => (
          <>
            <h2>Slack</h2>
            {data.slack.configured ? (
              <>
                {data.slack.installUrl && (
                  <p>
                    <a className="button" href={data.slack.installUrl}>
                      Add to Slack
                    </a>
                  </p>
                )}
                {data.slack.installations.length === 0 ? (
                  <Empty>Not installed in any Slack workspace yet: use Add to Slack.</Empty>
                ) : (
                  <ul className="rows">
                    {data.slack.installations.map((installation) => (
                      <li key={installation.team}>
                        {installation.team}{" "}
                        <span className="muted">installed {formatTime(installation.installedAt)}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </>
            ) : (
              <Empty>
                Slack is not configured. Set SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN (one workspace) or
                SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (install link), then restart Cairn.
              </Empty>
            )}
            <h2>Microsoft Teams</h2>
            {data.teams.configured && data.teams.packageUrl ? (
              <p>
                <a className="button" href={data.teams.packageUrl} download>
                  Download the Teams app package
                </a>{" "}
                and upload it in Teams (Apps → Manage your apps → Upload an app).
              </p>
            ) : (
              <Empty>
                Teams is not configured. Set MicrosoftAppId and MicrosoftAppPassword, then restart Cairn; the
                package can also be made with <code>npx cairn teams-package --out cairn-teams.zip</code>.
              </Empty>
            )}
            <h2>MCP</h2>
            <p>
              Cairn's MCP server is at <code>{data.mcp.url}</code>. Create an API token under People, then
              paste one of these where your client expects it; replace the token placeholder with yours.
            </p>
            {CLIENTS.map((client) => {
              const text = data.mcp.snippets[client.key];
              return (
                <div className="snippet" key={client.key}>
                  <h3>
                    {client.name} <span className="muted">({client.where})</span>
                  </h3>
                  <pre>{text}</pre>
                  <CopyButton text={text} label={`Copy the ${client.name} snippet`} />
                </div>
              );
            })}
          </>
        )}
      </Loaded>
    </section>
  );
}
