/**
 * The console's live updates: a plan stored for a person reaches their open event stream (and an
 * admin's) as `event: change`; another member never sees it; signing out ends the stream, and so does
 * the server's shutdown, which open streams do not hold up. Runs on every backend.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

interface ChangeEvent {
  kind: string;
  workspaceId: string;
  personId?: string;
}

/** An open /admin/api/events stream, read event by event. */
class EventStream {
  #buffer = "";
  constructor(
    readonly status: number,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
  ) {}

  static async open(client: ConsoleClient): Promise<EventStream> {
    const response = await fetch(`${client.url}/admin/api/events`, {
      headers: { cookie: `cairn_session=${client.cookie}`, accept: "text/event-stream" },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const stream = new EventStream(
      response.status,
      (response.body as ReadableStream<Uint8Array>).getReader(),
    );
    await stream.#until((frame) => frame.includes(": connected"));
    return stream;
  }

  async #until(match: (frame: string) => boolean): Promise<string | undefined> {
    const decoder = new TextDecoder();
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        if (match(frame)) return frame;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.#buffer += decoder.decode(value, { stream: true });
    }
  }

  /** The next change event (heartbeats skipped); undefined when the server ended the stream. */
  async nextChange(): Promise<ChangeEvent | undefined> {
    const frame = await this.#until((f) => f.startsWith("event: change"));
    if (!frame) return undefined;
    const data = frame.split("\n").find((line) => line.startsWith("data: ")) ?? "";
    return JSON.parse(data.slice("data: ".length)) as ChangeEvent;
  }

  /** Resolves when the server ends the stream. */
  async ended(): Promise<void> {
    while ((await this.#until(() => true)) !== undefined) {}
  }
}

for (const backend of backends()) {
  describe(`Console live events (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let owner: ConsoleClient;
    let alice: ConsoleClient;
    let bob: ConsoleClient;
    let aliceId: string;
    let workspaceId: string;

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        startWorkers: false,
        console: { heartbeatMs: 50 },
      });
      const workspace = `live-${randomUUID().slice(0, 6)}`;
      const ownerEmail = `owner-${randomUUID().slice(0, 6)}@example.com`;
      workspaceId = (
        await createOrResetOwner(cairn.engine.services.db, {
          workspace,
          email: ownerEmail,
          password: "owner password 1",
        })
      ).workspace.id;
      owner = new ConsoleClient(cairn.url);
      await owner.signIn(ownerEmail, "owner password 1");
      const members: ConsoleClient[] = [];
      for (const name of ["alice", "bob"]) {
        const email = `${name}-${randomUUID().slice(0, 6)}@example.com`;
        const { person } = await issueApiToken(cairn.engine.services.db, { workspace, email });
        if (name === "alice") aliceId = person.id;
        assert.equal(
          (
            await owner.request("POST", `/admin/api/people/${person.id}/password`, {
              password: `${name} password 1`,
            })
          ).status,
          204,
        );
        const client = new ConsoleClient(cairn.url);
        await client.signIn(email, `${name} password 1`);
        members.push(client);
      }
      [alice, bob] = members as [ConsoleClient, ConsoleClient];
    });
    after(() => cairn?.close());

    it("delivers a person's plan change to them and to admins, not to another member", async () => {
      const [ownerStream, aliceStream, bobStream] = (await Promise.all(
        [owner, alice, bob].map((c) => EventStream.open(c)),
      )) as [EventStream, EventStream, EventStream];

      const planned = await alice.request("POST", "/api/actions/plan_day", {});
      assert.equal(planned.status, 200, JSON.stringify(planned.body));

      assert.deepEqual(await aliceStream.nextChange(), { kind: "plan", workspaceId, personId: aliceId });
      assert.deepEqual(await ownerStream.nextChange(), { kind: "plan", workspaceId, personId: aliceId });
      // A workspace-wide change after it: bob's first event is that one, so alice's plan never reached him.
      cairn.engine.services.changes.notify({ kind: "connections", workspaceId });
      assert.deepEqual(await bobStream.nextChange(), { kind: "connections", workspaceId });
      // Another workspace's changes reach nobody here.
      cairn.engine.services.changes.notify({ kind: "tasks", workspaceId: randomUUID(), personId: aliceId });
      cairn.engine.services.changes.notify({ kind: "tasks", workspaceId, personId: aliceId });
      assert.deepEqual(await aliceStream.nextChange(), { kind: "connections", workspaceId });
      assert.deepEqual(await aliceStream.nextChange(), { kind: "tasks", workspaceId, personId: aliceId });

      const signedOut = await bob.request("DELETE", "/admin/api/session");
      assert.equal(signedOut.status, 204);
      await bobStream.ended();
      await Promise.all(
        [ownerStream, aliceStream].map((s) => s.ended().catch(() => {})).concat(cairn.server.close(60_000)),
      );
      assert.equal(cairn.server.console?.events.size, 0, "shutdown ended every open stream");
    });
  });
}
