import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FormInputError,
  formFields,
  formInput,
  labelOf,
  mapText,
} from "../../../admin/console/src/lib/schema-form.ts";
import {
  formatWorkingHours,
  parseWorkingHours,
  WorkingHoursError,
} from "../../../admin/console/src/lib/working-hours.ts";

const notionSchema = {
  type: "object",
  properties: {
    name: { type: "string", description: "A name" },
    syncEveryMinutes: { type: "integer", default: 10 },
    credentials: { type: "object", additionalProperties: {} },
    settings: { type: "object", additionalProperties: {} },
    token: { type: "string", minLength: 1 },
    apiUrl: { type: "string", format: "uri" },
    dataSourceIds: { type: "array", items: { type: "string" } },
    propertyMap: { type: "object", additionalProperties: { type: "string" } },
    estimateUnit: { type: "string", enum: ["minutes", "hours"] },
    nested: { type: "object", properties: {} },
  },
  required: ["token"],
};

describe("connect forms from an action's JSON Schema", () => {
  it("turns each flat property into a labelled field and leaves out the raw objects", () => {
    const fields = formFields(notionSchema);
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind, f.required]),
      [
        ["name", "text", false],
        ["syncEveryMinutes", "number", false],
        ["token", "secret", true],
        ["apiUrl", "url", false],
        ["dataSourceIds", "list", false],
        ["propertyMap", "map", false],
        ["estimateUnit", "choice", false],
      ],
    );
    assert.deepEqual(fields.find((f) => f.name === "estimateUnit")?.options, ["minutes", "hours"]);
    assert.equal(fields.find((f) => f.name === "syncEveryMinutes")?.defaultValue, 10);
    assert.deepEqual(
      [labelOf("apiUrl"), labelOf("dataSourceIds"), labelOf("syncEveryMinutes")],
      ["API URL", "Data source IDs", "Sync every minutes"],
    );
  });

  it("builds the action's input, leaving empty fields to the action's defaults", () => {
    const fields = formFields(notionSchema);
    const input = formInput(fields, {
      name: " Team board ",
      syncEveryMinutes: "0",
      token: "ntn_secret",
      apiUrl: "",
      dataSourceIds: "ds1\nds2, ds3",
      propertyMap: "estimate = Hours\n\ntitle=Name",
      estimateUnit: "hours",
    });
    assert.deepEqual(input, {
      name: "Team board",
      syncEveryMinutes: 0,
      token: "ntn_secret",
      dataSourceIds: ["ds1", "ds2", "ds3"],
      propertyMap: { estimate: "Hours", title: "Name" },
      estimateUnit: "hours",
    });
    assert.equal(mapText({ estimate: "Hours", title: "Name" }), "estimate = Hours\ntitle = Name");
  });

  it("names the field and the fix when a value cannot be used", () => {
    const fields = formFields(notionSchema);
    assert.throws(
      () => formInput(fields, {}),
      (error: unknown) => {
        assert.ok(error instanceof FormInputError);
        assert.equal(error.field, "token");
        return true;
      },
    );
    assert.throws(
      () => formInput(fields, { token: "t", propertyMap: "estimate" }),
      /line 1: write one "field = Property"/,
    );
    assert.throws(() => formInput(fields, { token: "t", syncEveryMinutes: "ten" }), /must be a number/);
  });
});

describe("working hours as typed", () => {
  it("reads one weekday a line, with several ranges and days off", () => {
    assert.deepEqual(parseWorkingHours("mon 9:00-12:30, 13:30-17:30\nTuesday 08:00-16:00\nsat off\n\n"), {
      mon: [
        { start: "09:00", end: "12:30" },
        { start: "13:30", end: "17:30" },
      ],
      tue: [{ start: "08:00", end: "16:00" }],
      sat: [],
    });
  });

  it("writes them back in the same form", () => {
    const text = formatWorkingHours({ mon: [{ start: "09:00", end: "17:00" }], sun: [] });
    assert.equal(text.split("\n")[0], "mon 09:00-17:00");
    assert.equal(text.split("\n")[6], "sun off");
    assert.deepEqual(parseWorkingHours(text).mon, [{ start: "09:00", end: "17:00" }]);
  });

  it("says which line is wrong and how to write it", () => {
    assert.throws(() => parseWorkingHours("someday 09:00-10:00"), WorkingHoursError);
    assert.throws(() => parseWorkingHours("mon 17:00-09:00"), /Line 1: "17:00-09:00" is not a time range/);
  });
});
