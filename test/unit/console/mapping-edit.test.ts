import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Connection } from "../../../admin/console/src/lib/actions.ts";
import { initialMappingForm, mappingSettings } from "../../../admin/console/src/lib/mapping-edit.ts";
import { FormInputError } from "../../../admin/console/src/lib/schema-form.ts";

function notionConnection(reason: string): Connection {
  return {
    id: "5d3c6c1e-8a43-4c55-9d8a-2f0d8c4f1a01",
    kind: "notion",
    name: "Work",
    status: "active",
    mapping: [
      {
        scope: "ds",
        label: "Work",
        fields: { title: "Name", estimate: "Effort" },
        estimate: { property: "Effort", unit: "minutes", reason },
        ignored: [],
      },
    ],
  } as unknown as Connection;
}

describe("mapping editor", () => {
  it("opens with the mapping the last sync used, and the unit only when the connection sets it", () => {
    const set = initialMappingForm(notionConnection("set on the connection (estimateUnit)"));
    assert.equal(set.propertyMap, "title = Name\nestimate = Effort");
    assert.equal(set.estimateUnit, "minutes");
    const detected = initialMappingForm(notionConnection('the property\'s name "Effort (m)" says minutes'));
    assert.equal(detected.estimateUnit, "", "a detected unit stays detected unless changed");
  });

  it("sends a Notion property map and unit, and null to go back to detection", () => {
    assert.deepEqual(
      mappingSettings("notion", {
        propertyMap: "estimate = Effort\n\ntitle = Name",
        estimateUnit: "hours",
        jql: "",
      }),
      { propertyMap: { estimate: "Effort", title: "Name" }, estimateUnit: "hours" },
    );
    assert.deepEqual(mappingSettings("notion", { propertyMap: " ", estimateUnit: "", jql: "" }), {
      propertyMap: null,
      estimateUnit: null,
    });
  });

  it("names the field of a malformed line, an empty JQL and a kind without mapping", () => {
    assert.throws(
      () => mappingSettings("notion", { propertyMap: "estimate Effort", estimateUnit: "", jql: "" }),
      (error: unknown) =>
        error instanceof FormInputError && error.field === "propertyMap" && /line 1/.test(error.message),
    );
    assert.throws(
      () => mappingSettings("jira", { propertyMap: "", estimateUnit: "", jql: "  " }),
      (error: unknown) => error instanceof FormInputError && error.field === "jql",
    );
    assert.deepEqual(mappingSettings("jira", { propertyMap: "", estimateUnit: "", jql: "project = OPS" }), {
      jql: "project = OPS",
    });
    assert.throws(
      () => mappingSettings("ics", { propertyMap: "", estimateUnit: "", jql: "" }),
      FormInputError,
    );
  });
});
