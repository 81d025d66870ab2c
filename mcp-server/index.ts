/** Cairn's MCP face: every action as a tool, plus resources and prompts, over stdio and Streamable HTTP. */
export {
  createMcpAuthenticator,
  type McpAuthenticator,
  mcpResourceUrl,
  PROTECTED_RESOURCE_PATH,
  protectedResourceMetadata,
  resourceMetadataUrl,
  WORKSPACE_CLAIM,
} from "./auth.ts";
export { createMcpHttp, MCP_PATH, type McpHttp, type McpHttpOptions } from "./http.ts";
export { createOriginPolicy } from "./origin.ts";
export { INSIGHTS_URI, PLAN_TODAY_URI, TASK_URI_TEMPLATE, taskUri } from "./resources.ts";
export {
  type CairnMcpServer,
  createCairnMcpServer,
  type McpSessionOptions,
  SERVER_NAME,
  SERVER_VERSION,
} from "./server.ts";
export { bridgeStdioToHttp, mcpEndpoint, serveStdio } from "./stdio.ts";
export { ERROR_META_KEY, listTools, toolEntry } from "./tools.ts";
