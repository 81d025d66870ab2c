/**
 * The Teams bot: a TeamsActivityHandler that hands personal-chat messages and channel mentions to the
 * conversation core as the person who wrote (linked by their AAD email), and answers with an Adaptive Card.
 * A button on a card comes back either as a message activity whose `value` carries `{cairn: ButtonCall}`
 * (Action.Submit) or as an `adaptiveCard/action` invoke (Action.Execute); both run the call as the clicker.
 */
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Attachment,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
} from "botbuilder";
import type { Actor } from "../../engine/actions/define.ts";
import { type ConversationPort, respond, respondToClick } from "../conversation/conversation.ts";
import { ButtonCall, type Message, say } from "../conversation/message.ts";
import type { ChatPeople, ChatUser } from "../conversation/people.ts";
import { toAdaptiveCard } from "./adaptive-card.ts";

export interface TeamsBotLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TeamsBotOptions {
  people: ChatPeople;
  /** Workspace slug the Teams tenant maps to (CAIRN_WORKSPACE). */
  workspace: string;
  /** The conversation core's port for this person in this conversation. */
  portFor(actor: Actor, conversationKey: string): ConversationPort;
  /** Keeps where the person can be reached proactively (their personal chat). */
  rememberConversation(actor: Actor, tenant: string, reference: Record<string, unknown>): Promise<void>;
  log: TeamsBotLog;
}

/** The Adaptive Card attachment for a reply, with the plain text as the notification summary. */
export function cardAttachment(message: Message): Attachment {
  return CardFactory.adaptiveCard(toAdaptiveCard(message));
}

export function conversationKey(tenant: string, conversationId: string): string {
  return `teams:${tenant}:${conversationId}`;
}

/** Text addressed to the bot: its own @mention and any leftover <at> tags removed, entities decoded. */
export function messageText(context: TurnContext): string {
  const activity = context.activity;
  if (activity.recipient?.id) TurnContext.removeRecipientMention(activity);
  return (activity.text ?? "")
    .replace(/<at>[^<]*<\/at>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * botbuilder's connector client hands back the HTTP answer (`_response`) instead of throwing on some error
 * statuses (a 429 after its own retries, a 403): this turns those into an error carrying the status and headers.
 */
export function throwIfRefused(result: unknown): void {
  const raw = (result as { _response?: { status?: unknown; headers?: unknown } } | undefined)?._response;
  if (typeof raw?.status === "number" && raw.status >= 400)
    throw Object.assign(new Error(`the Bot Connector answered ${raw.status}`), {
      statusCode: raw.status,
      response: { status: raw.status, headers: raw.headers },
    });
}

function clickOf(value: unknown): ButtonCall | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const parsed = ButtonCall.safeParse((value as { cairn?: unknown }).cairn);
  return parsed.success ? parsed.data : undefined;
}

export class CairnTeamsBot extends TeamsActivityHandler {
  constructor(private readonly options: TeamsBotOptions) {
    super();
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    // Installed in a personal scope: keep the conversation (proactive messages work from now on) and greet.
    this.onMembersAdded(async (context, next) => {
      const activity = context.activity;
      const botAdded = (activity.membersAdded ?? []).some((m) => m.id === activity.recipient?.id);
      if (botAdded && activity.conversation?.conversationType === "personal") await this.welcome(context);
      await next();
    });
  }

  private async welcome(context: TurnContext): Promise<void> {
    const person = await this.personOf(context);
    if ("refused" in person) {
      await context.sendActivity(MessageFactory.text(person.refused));
      return;
    }
    const tenant = this.tenantOf(context);
    await this.remember(person.actor, tenant, context);
    const port = this.options.portFor(
      person.actor,
      conversationKey(tenant, context.activity.conversation.id),
    );
    const help = await respond(port, "help");
    const greeting = say(`Hi ${person.actor.person.name || "there"}, I'm Cairn.`, ...help.parts);
    const answer = MessageFactory.attachment(cardAttachment(greeting));
    answer.summary = greeting.text.slice(0, 200);
    throwIfRefused(await context.sendActivity(answer));
  }

  private async remember(actor: Actor, tenant: string, context: TurnContext): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown>;
    await this.options
      .rememberConversation(actor, tenant, reference)
      .catch((error) => this.options.log.warn({ err: error }, "Teams: could not store the conversation"));
  }

  private tenantOf(context: TurnContext): string {
    const activity = context.activity;
    const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
    return activity.conversation?.tenantId ?? channelData?.tenant?.id ?? "unknown";
  }

  /** Who wrote, as a Cairn person: the AAD email from the roster (TeamsInfo.getMember), then the directory. */
  private async personOf(context: TurnContext): Promise<{ actor: Actor } | { refused: string }> {
    const activity = context.activity;
    const tenant = this.tenantOf(context);
    const from = activity.from;
    let email: string | undefined;
    let name = from?.name;
    let userId = from?.aadObjectId ?? from?.id ?? "";
    // A linked account needs no roster lookup (a round trip to the Bot Connector) on every message.
    const known = userId
      ? await this.options.people.linked({ provider: "teams", tenant, userId }, this.options.workspace)
      : undefined;
    if (known) return { actor: known };
    try {
      const member = await TeamsInfo.getMember(context, from.id);
      email = member.email ?? member.userPrincipalName ?? undefined;
      name = member.name ?? name;
      userId = member.aadObjectId ?? userId;
    } catch (error) {
      this.options.log.warn({ err: error, tenant }, "Teams: could not read the member's profile");
    }
    const user: ChatUser = { provider: "teams", tenant, userId, email, name };
    const zone = (activity as { localTimezone?: string }).localTimezone;
    if (zone) user.timezone = zone;
    return this.options.people.resolve(user, this.options.workspace);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const click = clickOf(activity.value);
    const text = click ? "" : messageText(context);
    if (!click && !text) return;
    const person = await this.personOf(context);
    if ("refused" in person) {
      await context.sendActivity(MessageFactory.text(person.refused));
      return;
    }
    const tenant = this.tenantOf(context);
    if (activity.conversation?.conversationType === "personal" || !activity.conversation?.conversationType)
      await this.remember(person.actor, tenant, context);
    const port = this.options.portFor(person.actor, conversationKey(tenant, activity.conversation.id));
    const reply = click ? await respondToClick(port, click) : await respond(port, text);
    const answer = MessageFactory.attachment(cardAttachment(reply));
    answer.summary = reply.text.slice(0, 200);
    throwIfRefused(await context.sendActivity(answer));
  }

  /** Action.Execute: the card is refreshed in place with the reply. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const click = clickOf(invokeValue.action?.data);
    if (!click)
      return {
        statusCode: 400,
        type: "application/vnd.microsoft.error",
        value: { code: "BadRequest", message: "This button carries no Cairn action." } as never,
      };
    const person = await this.personOf(context);
    if ("refused" in person)
      return {
        statusCode: 200,
        type: "application/vnd.microsoft.activity.message",
        value: person.refused as never,
      };
    const tenant = this.tenantOf(context);
    const port = this.options.portFor(
      person.actor,
      conversationKey(tenant, context.activity.conversation.id),
    );
    const reply = await respondToClick(port, click);
    return {
      statusCode: 200,
      type: "application/vnd.microsoft.card.adaptive",
      value: toAdaptiveCard(reply) as never,
    };
  }
}
