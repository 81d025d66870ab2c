import { z } from "zod";
import { recordAudit } from "../db/repositories/event-log.ts";
import {
  ensurePerson,
  listPeopleByName,
  updatePersonNameAndTimezone,
} from "../db/repositories/workspaces.ts";
import { Person, Workspace } from "../domain.ts";
import { invalidInput } from "../errors.ts";
import { keepAnswerInTransaction } from "./answer-in-transaction.ts";
import { defineAction } from "./define.ts";

const timezone = z
  .string()
  .refine((value) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, "expected an IANA time zone such as Europe/Berlin")
  .describe("IANA time zone, e.g. Europe/Berlin");

export const whoami = defineAction({
  name: "whoami",
  title: "Who am I",
  description:
    "Returns the calling person and their workspace: useful to check which account a token or chat user maps to.",
  input: z.object({}),
  output: z.object({ person: Person, workspace: Workspace }),
  annotations: { readOnlyHint: true },
  async run(ctx) {
    return { person: ctx.person, workspace: ctx.workspace };
  },
});

export const listPeople = defineAction({
  name: "list_people",
  title: "List people",
  description: "Lists the people in the workspace with their time zones and whether they are admins.",
  input: z.object({}),
  output: z.object({ people: z.array(Person) }),
  annotations: { readOnlyHint: true },
  async run(ctx) {
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => ({ people: await listPeopleByName(tx) }));
  },
});

export const addPerson = defineAction({
  name: "add_person",
  title: "Add a person",
  description:
    "Admin only. Adds a person to the workspace (or updates their name and time zone when the email exists). Give them a token with `cairn token create` to let them in.",
  input: z.object({
    email: z.email(),
    name: z.string().trim().min(1).max(200).optional(),
    timezone: timezone.default("UTC"),
    admin: z.boolean().default(false),
  }),
  output: Person,
  scope: "admin",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async run(ctx, input) {
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const person = await ensurePerson(tx, ctx.workspace.id, {
        email: input.email,
        name: input.name,
        timezone: input.timezone,
        isAdmin: input.admin,
      });
      const updated = await updatePersonNameAndTimezone(tx, person.id, input.name ?? null, input.timezone);
      if (!updated) throw invalidInput(`Could not store ${input.email}`);
      await recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "add_person",
        target: input.email,
      });
      await keepAnswerInTransaction("add_person", tx, updated);
      return updated;
    });
  },
});

export const peopleActions = [whoami, listPeople, addPerson];
