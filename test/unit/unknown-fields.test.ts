import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { findUnknownField } from "../../engine/unknown-fields.ts";

const Item = z.object({ id: z.string(), dueAt: z.string().nullish() });
const Settings = z
  .object({ maxMinutes: z.number().nullish() })
  .nullish()
  .transform((s) => s ?? { maxMinutes: 60 });
const Schema = z.object({
  owner: z.object({ name: z.string(), settings: Settings }),
  items: z.array(Item).default([]),
  either: z.union([z.object({ a: z.number() }), z.object({ b: z.number() })]).optional(),
  free: z.record(z.string(), z.number()).optional(),
});

describe("findUnknownField", () => {
  it("accepts input that uses only known fields, at every depth", () => {
    const input = { owner: { name: "a", settings: { maxMinutes: 5 } }, items: [{ id: "1", dueAt: null }] };
    assert.equal(findUnknownField(Schema, input), null);
    assert.equal(findUnknownField(Schema, { owner: { name: "a", settings: null } }), null);
  });

  it("names an unknown field inside an array item, through defaults and transforms", () => {
    const inItem = findUnknownField(Schema, {
      owner: { name: "a" },
      items: [{ id: "1" }, { id: "2", due: "x" }],
    });
    assert.deepEqual(inItem?.path, "items[1].due");
    assert.match(inItem?.message ?? "", /known fields here: id, dueAt/);
    const inTransformed = findUnknownField(Schema, { owner: { name: "a", settings: { max_minutes: 5 } } });
    assert.equal(inTransformed?.path, "owner.settings.max_minutes");
    assert.match(inTransformed?.message ?? "", /did you mean "maxMinutes"\?/);
  });

  it("points a field given one level too high to where it belongs", () => {
    const found = findUnknownField(Schema, { owner: { name: "a" }, settings: { maxMinutes: 5 } });
    assert.equal(found?.path, "settings");
    assert.match(found?.message ?? "", /it belongs inside "owner": move it to owner\.settings/);
  });

  it("leaves unions, records and values of the wrong type to the schema itself", () => {
    const input = { owner: { name: "a" }, either: { a: 1, c: 2 }, free: { anything: 1 }, items: "nope" };
    assert.equal(findUnknownField(Schema, input), null);
  });
});
