/** The terminal Messenger delivers only into an open session of that person; routing picks the first face that reaches them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { terminalMessenger } from "../../bots/terminal/messenger.ts";
import type { Message } from "../../engine/messaging/message.ts";
import { type Messenger, silentMessenger } from "../../engine/messaging/messenger.ts";
import { firstReachable } from "../../engine/messaging/route.ts";

const hello: Message = {
  text: "Time to start the Q3 report",
  parts: [{ type: "text", text: "Time to start" }],
};
const ada = { workspaceId: "w1", personId: "ada" };

describe("messenger routing", () => {
  it("prints into the person's open terminal session, and only theirs, until it closes", async () => {
    const terminal = terminalMessenger();
    const printed: string[] = [];
    const close = terminal.attach("ada", (message) => printed.push(message.text));
    assert.deepEqual(await terminal.send(ada, hello), { delivered: true, channel: "terminal" });
    assert.deepEqual(await terminal.send({ workspaceId: "w1", personId: "bo" }, hello), {
      delivered: false,
      channel: null,
    });
    close();
    assert.equal((await terminal.send(ada, hello)).delivered, false);
    assert.deepEqual(printed, ["Time to start the Q3 report"]);
  });

  it("tries faces in order and stops at the first that delivers; a failing face's error reaches the caller", async () => {
    const calls: string[] = [];
    const face = (name: string, delivered: boolean): Messenger => ({
      async send() {
        calls.push(name);
        return delivered ? { delivered, channel: name } : { delivered, channel: null };
      },
    });
    const routed = firstReachable([
      silentMessenger,
      face("slack", false),
      face("teams", true),
      face("terminal", true),
    ]);
    assert.deepEqual(await routed.send(ada, hello), { delivered: true, channel: "teams" });
    assert.deepEqual(calls, ["slack", "teams"]);
    assert.deepEqual(await firstReachable([]).send(ada, hello), { delivered: false, channel: null });
    const broken: Messenger = {
      async send() {
        throw new Error("slack is down");
      },
    };
    await assert.rejects(firstReachable([broken, face("teams", true)]).send(ada, hello), /slack is down/);
  });
});
