/** The text a person pastes into an AI assistant to reach this Cairn over MCP, with the server's real URL. */

const TOKEN = "cairn_…";
const json = (value: unknown): string => JSON.stringify(value, null, 2);

export interface McpSnippets {
  claudeDesktop: string;
  claudeCode: string;
  cursor: string;
  vscode: string;
}

/** `base` is the public base URL without a trailing slash; MCP is at `${base}/mcp`. */
export function mcpSnippets(base: string): McpSnippets {
  const url = `${base}/mcp`;
  return {
    // Claude Desktop's config speaks stdio: `cairn mcp --url` relays it to this server with the token.
    claudeDesktop: json({
      mcpServers: {
        cairn: { command: "npx", args: ["cairn", "mcp", "--url", base], env: { CAIRN_TOKEN: TOKEN } },
      },
    }),
    claudeCode: `claude mcp add --transport http cairn ${url} --header "Authorization: Bearer ${TOKEN}"`,
    cursor: json({ mcpServers: { cairn: { url, headers: { Authorization: `Bearer ${TOKEN}` } } } }),
    vscode: json({
      inputs: [{ type: "promptString", id: "cairn-token", description: "Cairn API token", password: true }],
      servers: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own input placeholder, kept literally
        cairn: { type: "http", url, headers: { Authorization: "Bearer ${input:cairn-token}" } },
      },
    }),
  };
}
