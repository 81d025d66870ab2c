import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { say } from "../../bots/conversation/message.ts";
import { Message } from "../../engine/messaging/message.ts";
import { silentMessenger } from "../../engine/messaging/messenger.ts";
import { RecordingMessenger } from "../support/recording-messenger.ts";

const pia = { workspaceId: "w-1", personId: "p-1" };

describe("the Messenger port", () => {
  it("the silent messenger delivers nothing and says so", async () => {
    assert.deepEqual(await silentMessenger.send(pia, say("Time to focus")), {
      delivered: false,
      channel: null,
    });
  });

  it("the recording messenger keeps what was sent, in order, and wakes a test waiting for it", async () => {
    const messenger = new RecordingMessenger("slack");
    const next = messenger.next();
    const focus = say("Time to focus on **Q3 report**");
    assert.deepEqual(await messenger.send(pia, focus), { delivered: true, channel: "slack" });
    assert.deepEqual(await next, { to: pia, message: focus });
    const later = messenger.nth(1);
    await messenger.send({ workspaceId: "w-1", personId: "p-2" }, say("Done?"));
    assert.equal((await later).to.personId, "p-2");
    assert.deepEqual(
      messenger.sent.map((sent) => sent.message.text),
      ["Time to focus on Q3 report", "Done?"],
    );
  });

  it("the bots' message model is the engine's: a reply built in bots/ parses as the port's Message", () => {
    const reply = say("Planned 3 blocks", { type: "divider" });
    assert.deepEqual(Message.parse(reply), reply);
  });
});
