import { z } from "zod";
import { recordAudit } from "../db/repositories/event-log.ts";
import { ensurePerson, PERSON_COLUMNS, personFromRow } from "../db/repositories/workspaces.ts";
import { Person, Workspace } from "../domain.ts";
import { invalidInput } from "../errors.ts";
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
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const result = await tx.query<Parameters<typeof personFromRow>[0]>(
        `SELECT ${PERSON_COLUMNS} FROM people ORDER BY lower(name), lower(email)`,
      );
      return { people: result.rows.map(personFromRow) };
    });
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
      const updated = await tx.query<Parameters<typeof personFromRow>[0]>(
        `UPDATE people SET name = coalesce($2, name), timezone = $3 WHERE id = $1 RETURNING ${PERSON_COLUMNS}`,
        [person.id, input.name ?? null, input.timezone],
      );
      const row = updated.rows[0];
      if (!row) throw invalidInput(`Could not store ${input.email}`);
      await recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "add_person",
        target: input.email,
      });
      return personFromRow(row);
    });
  },
});

export const peopleActions = [whoami, listPeople, addPerson];
