/**
 * `cairn chat`: the conversation in a terminal. Each line is a message; a number picks one of the previous
 * reply's buttons. The same core as Slack and Teams, drawn as text.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { type ConversationPort, respond, respondToClick } from "../conversation/conversation.ts";
import type { Button, Message } from "../conversation/message.ts";
import { type TerminalStyle, toTerminalText } from "./render.ts";

export interface TerminalSession {
  input: Readable;
  output: Writable;
  style: TerminalStyle;
  /** Shown once before the first prompt. */
  greeting: string;
  prompt?: string;
  /** Messages Cairn sends the person while the session is open (the terminal Messenger): printed as they come. */
  subscribe?(deliver: (message: Message) => void): () => void;
}

const QUIT = new Set(["exit", "quit", "bye", ":q", "/quit", "/exit"]);

/** Runs until the input ends or the person says exit. Errors in one message do not end the session. */
export async function runTerminalChat(
  port: ConversationPort,
  session: TerminalSession,
  onError: (error: unknown) => string,
): Promise<void> {
  const lines = createInterface({
    input: session.input,
    terminal: false,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const write = (text: string) => session.output.write(`${text}\n`);
  const prompt = session.prompt ?? "you> ";
  let choices: Button[] = [];
  const show = (message: Message) => {
    const rendered = toTerminalText(message, session.style);
    choices = rendered.choices;
    write(rendered.text);
  };
  write(session.greeting);
  const unsubscribe = session.subscribe?.((message) => {
    // A message Cairn sends (a nudge) is the latest reply: its numbered buttons are the ones a number picks.
    const rendered = toTerminalText(message, session.style);
    choices = rendered.choices;
    write(`\n${rendered.text}`);
    session.output.write(prompt);
  });
  session.output.write(prompt);
  for await (const raw of lines) {
    const text = raw.trim();
    if (QUIT.has(text.toLowerCase())) break;
    if (text) {
      try {
        const picked = /^\d+$/.test(text) ? choices[Number(text) - 1] : undefined;
        show(picked ? await respondToClick(port, picked.call) : await respond(port, text));
      } catch (error) {
        write(onError(error));
      }
    }
    session.output.write(prompt);
  }
  unsubscribe?.();
  lines.close();
  write("");
}
