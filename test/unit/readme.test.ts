import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { readmePath, renderReadme } from "../../bin/docs.ts";

it("README's configuration table matches engine/config.ts (regenerate: node --import tsx bin/docs.ts --write)", () => {
  const readme = readFileSync(readmePath, "utf8");
  assert.equal(readme, renderReadme(readme));
  for (const command of ["npm install && npm start", "npm test"])
    assert.ok(readme.includes(command), command);
});
