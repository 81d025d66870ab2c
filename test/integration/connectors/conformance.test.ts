/**
 * The connector conformance suite (./conformance.ts) on every connector bin/ registers, each against its local
 * provider (./subjects.ts). A registered connector without a subject fails here rather than going unchecked.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { connectorConformance } from "./conformance.ts";
import { registeredConnectors, subjects } from "./subjects.ts";

test("every registered connector has a conformance subject", () => {
  assert.deepEqual(
    subjects.map((subject) => subject.connector.kind).sort(),
    registeredConnectors.map((connector) => connector.kind).sort(),
  );
});

for (const subject of subjects) connectorConformance(subject);
