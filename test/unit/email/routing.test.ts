/**
 * Chat first, email last, whatever order the faces were added in; email first when a send prefers it; a
 * channel's refusal for good lets the next one try and is the answer when none delivers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message } from "../../../engine/messaging/message.ts";
import {
  type MessageDelivery,
  type Messenger,
  silentMessenger,
} from "../../../engine/messaging/messenger.ts";
import { firstReachable } from "../../../engine/messaging/route.ts";

const hello: Message = { text: "Weekly review", parts: [] };
const ada = { workspaceId: "w1", personId: "ada" };

function face(
  name: string,
  answer: MessageDelivery | "throw",
  medium?: "chat" | "email",
  calls: string[] = [],
) {
  const messenger: Messenger = {
    ...(medium ? { medium } : {}),
    async send() {
      calls.push(name);
      if (answer === "throw") throw new Error(`${name} is down`);
      return answer;
    },
  };
  return messenger;
}

const reached = (channel: string): MessageDelivery => ({ delivered: true, channel });
const unreachable: MessageDelivery = { delivered: false, channel: null };

describe("routing by medium", () => {
  it("tries email after every chat face even when email was added first, and first when the send prefers email", async () => {
    const calls: string[] = [];
    // As bin/ composes: email in prepare (every role), then each chat face wraps what is there.
    let messenger: Messenger = firstReachable([
      silentMessenger,
      face("email", reached("email"), "email", calls),
    ]);
    messenger = firstReachable([messenger, face("slack", unreachable, "chat", calls)]);
    messenger = firstReachable([messenger, face("teams", reached("teams"), undefined, calls)]);

    assert.deepEqual(await messenger.send(ada, hello), reached("teams"));
    assert.deepEqual(calls, ["slack", "teams"]);
    calls.length = 0;
    assert.deepEqual(await messenger.send(ada, hello, { prefer: "email" }), reached("email"));
    assert.deepEqual(calls, ["email"]);
    calls.length = 0;
    assert.deepEqual(await messenger.send(ada, hello, { prefer: "chat" }), reached("teams"));
  });

  it("falls back to email when no chat reaches the person, and to chat when email cannot", async () => {
    const chatless = firstReachable([face("slack", unreachable), face("email", reached("email"), "email")]);
    assert.deepEqual(await chatless.send(ada, hello), reached("email"));
    const noAddress = firstReachable([face("email", unreachable, "email"), face("slack", reached("slack"))]);
    assert.deepEqual(await noAddress.send(ada, hello, { prefer: "email" }), reached("slack"));
  });

  it("returns a refusal when nothing delivers, lets chat deliver after one, and passes a thrown error on", async () => {
    const refused: MessageDelivery = {
      delivered: false,
      channel: "email",
      reason: "550 mailbox unavailable",
    };
    assert.deepEqual(
      await firstReachable([face("slack", unreachable), face("email", refused, "email")]).send(ada, hello),
      refused,
    );
    assert.deepEqual(
      await firstReachable([face("email", refused, "email"), face("slack", reached("slack"))]).send(
        ada,
        hello,
        {
          prefer: "email",
        },
      ),
      reached("slack"),
    );
    await assert.rejects(
      firstReachable([face("slack", unreachable), face("email", "throw", "email")]).send(ada, hello),
      /email is down/,
    );
  });
});
