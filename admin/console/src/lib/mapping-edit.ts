/**
 * The mapping editor's form → update_connection's settings: a Notion connection's property map and estimate
 * unit, a Jira connection's JQL. Only what the form changes is sent; the credentials are never part of it.
 */
import type { Connection } from "./actions.ts";
import { FormInputError, mapText, parseMap } from "./schema-form.ts";

export const EDITABLE_KINDS = new Set(["notion", "jira"]);
export type EstimateUnitChoice = "" | "minutes" | "hours";

export interface MappingForm {
  /** Notion: one "field = Property" per line; empty goes back to detection. */
  propertyMap: string;
  /** Notion: "" detects the unit from the property's name or description. */
  estimateUnit: EstimateUnitChoice;
  /** Jira: empty keeps the stored JQL. */
  jql: string;
}

const PROPERTY_MAP = { name: "propertyMap", label: "Property map" };

/** The form as it opens: the mapping the last sync used, the unit only when the connection sets it. */
export function initialMappingForm(connection: Connection): MappingForm {
  const first = connection.mapping[0];
  const estimate = first?.estimate;
  const unitSetHere = !!estimate && /set on the connection/i.test(estimate.reason);
  const unit = estimate?.unit === "minutes" || estimate?.unit === "hours" ? estimate.unit : "";
  return {
    propertyMap: first ? mapText(first.fields) : "",
    estimateUnit: unitSetHere ? unit : "",
    jql: "",
  };
}

/** update_connection's settings for this form; throws FormInputError naming the field. */
export function mappingSettings(kind: string, form: MappingForm): Record<string, unknown> {
  if (kind === "notion") {
    const map = parseMap(PROPERTY_MAP, form.propertyMap);
    return {
      propertyMap: Object.keys(map).length > 0 ? map : null,
      estimateUnit: form.estimateUnit === "" ? null : form.estimateUnit,
    };
  }
  if (kind === "jira") {
    const jql = form.jql.trim();
    if (!jql) throw new FormInputError("jql", "JQL: write the query that selects the issues to sync.");
    return { jql };
  }
  throw new FormInputError("kind", `A ${kind} connection has no field mapping to edit.`);
}
