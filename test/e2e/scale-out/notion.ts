/**
 * Notion webhook traffic of the scale-out run: pages of a fake Notion data source are renamed (and now and then
 * created) and each change is announced to Cairn as Notion does, a signed event POSTed through the load
 * balancer to /webhooks/notion/<connection> and retried until acknowledged. Afterwards every page whose last
 * event was acknowledged must show that change in Cairn.
 */
import {
  buildNotionWebhookEvent,
  type FakeNotion,
  type NotionWebhookEventType,
  signNotionWebhook,
} from "../../fakes/notion.ts";
import type { ApiClient } from "./client.ts";
import type { RowQuery } from "./nudges.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface NotionFigures {
  /** Events acknowledged by Cairn (2xx). */
  acknowledged: number;
  /** Events that were never acknowledged (the client gave up). */
  unacknowledged: number;
  created: number;
  renamed: number;
}

export interface NotionTraffic {
  run(stopped: () => boolean): Promise<void>;
  check(query: RowQuery, violations: string[]): Promise<NotionFigures>;
}

export function notionTraffic(options: {
  api: ApiClient;
  notion: FakeNotion;
  dataSourceId: string;
  connectionId: string;
  secret: string;
}): NotionTraffic {
  const { api, notion, dataSourceId, connectionId, secret } = options;
  /** Page id → the title its last acknowledged event announced (absent when that event is in doubt). */
  const expected = new Map<string, string>();
  const figures: NotionFigures = { acknowledged: 0, unacknowledged: 0, created: 0, renamed: 0 };

  async function announce(type: NotionWebhookEventType, pageId: string, title: string): Promise<void> {
    const body = JSON.stringify(
      buildNotionWebhookEvent(type, {
        pageId,
        dataSourceId,
        ...(type === "page.properties_updated" ? { updatedProperties: ["title"] } : {}),
      }),
    );
    const answer = await api.post(
      `/webhooks/notion/${connectionId}`,
      body,
      {
        "content-type": "application/json",
        "user-agent": "notion-api",
        "x-notion-signature": signNotionWebhook(body, secret),
      },
      "notion webhook",
    );
    if (answer.ok) {
      figures.acknowledged++;
      expected.set(pageId, title);
    } else {
      figures.unacknowledged++;
      expected.delete(pageId);
    }
  }

  return {
    async run(stopped) {
      const pages = [...notion.state.pages.keys()].sort();
      for (let n = 0; !stopped(); n++) {
        if (n % 4 === 3) {
          const title = `Notion page created ${n}`;
          const page = notion.state.addPage(dataSourceId, { properties: { Name: title } });
          figures.created++;
          await announce("page.created", page.id, title);
        } else {
          const pageId = pages[n % pages.length] as string;
          const title = `Notion page ${pageId.slice(0, 8)} rev ${n}`;
          notion.state.editPage(pageId, { Name: title });
          figures.renamed++;
          await announce("page.properties_updated", pageId, title);
        }
        await sleep(800);
      }
    },
    async check(query, violations) {
      const rows = await query<{ external_id: string; title: string }>(
        `SELECT s.external_id, t.title FROM task_sources s JOIN tasks t ON t.id = s.task_id
          WHERE s.connection_id = $1`,
        [connectionId],
      );
      const titles = new Map(rows.map((row) => [row.external_id, row.title]));
      for (const [pageId, title] of expected) {
        const stored = titles.get(pageId);
        if (stored !== title)
          violations.push(
            `Notion page ${pageId}: the last acknowledged webhook announced "${title}", the task says "${stored}"`,
          );
      }
      return figures;
    },
  };
}
