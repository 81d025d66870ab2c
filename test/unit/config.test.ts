import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectorSettings } from "../../bin/connectors.ts";
import {
  type Config,
  ConfigError,
  describeConfig,
  loadConfig as loadCoreConfig,
  redactUrl,
} from "../../engine/config.ts";

/** As `cairn` loads it: Cairn's settings and the registered connectors' variables. */
const loadConfig = (env: NodeJS.ProcessEnv): Config => loadCoreConfig(env, connectorSettings);

describe("config", () => {
  it("fills defaults when nothing is set", () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.HOST, "127.0.0.1");
    assert.equal(config.CAIRN_DATA_DIR, "./.cairn");
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.CAIRN_ALLOW_PRIVATE_URLS, false);
  });

  it("names every wrong variable with what it expects", () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: "99999",
          DATABASE_URL: "mysql://x",
          CAIRN_MASTER_KEY: "short",
          ICS_URLS: "https://ok.test/a.ics, not-a-url",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const variables = error.problems.map((p) => p.variable).sort();
        assert.deepEqual(variables, ["CAIRN_MASTER_KEY", "DATABASE_URL", "ICS_URLS", "PORT"]);
        assert.match(error.message, /DATABASE_URL: expected a postgres:\/\//);
        assert.match(error.message, /openssl rand -base64 32/);
        assert.doesNotMatch(error.message, /short/, "secret values are not echoed");
        return true;
      },
    );
  });

  it("parses lists and flags", () => {
    const config = loadConfig({
      ICS_URLS: "https://a.test/x.ics,https://b.test/y.ics",
      CAIRN_ALLOW_PRIVATE_URLS: "1",
    });
    assert.deepEqual(config.ICS_URLS, ["https://a.test/x.ics", "https://b.test/y.ics"]);
    assert.equal(config.CAIRN_ALLOW_PRIVATE_URLS, true);
  });

  it("masks secrets when describing itself", () => {
    const env = { JIRA_API_TOKEN: "tok-123", DATABASE_URL: "postgres://u:p@h/db" };
    const rows = describeConfig(loadConfig(env), env, connectorSettings);
    const text = JSON.stringify(rows);
    assert.doesNotMatch(text, /tok-123|u:p@/);
    assert.equal(rows.find((r) => r.variable === "JIRA_API_TOKEN")?.value, "•••••• (set)");
  });

  it("redacts passwords in URLs", () => {
    assert.equal(redactUrl("redis://:secret@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
  });
});
