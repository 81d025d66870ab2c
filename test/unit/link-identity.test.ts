/** Cross-source links compare by the source's own identity rule (a connector's), else by a cleaned-up URL. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { notionPageIdentity } from "../../connectors/notion/index.ts";
import { canonicalUrl } from "../../engine/sync/dedupe.ts";

const id = "0123456789abcdef0123456789abcdef";

describe("link identity", () => {
  it("a Notion page is its id, whatever its title slug or host, through the connector's rule", () => {
    const before = `https://www.notion.so/acme/Write-the-plan-${id}?pvs=4`;
    const renamed = `https://acme.notion.site/Write-the-final-plan-${id}`;
    assert.equal(canonicalUrl(before, [notionPageIdentity]), `notion:${id}`);
    assert.equal(canonicalUrl(renamed, [notionPageIdentity]), `notion:${id}`);
    assert.notEqual(canonicalUrl(before), canonicalUrl(renamed), "engine alone knows no source's rule");
  });

  it("other URLs drop case, www, trailing slashes and tracking parameters; non-web links are not links", () => {
    assert.equal(
      canonicalUrl("https://WWW.Example.com/browse/ABC-1/?utm_source=x&ref=y&keep=1", [notionPageIdentity]),
      "example.com/browse/ABC-1?keep=1",
    );
    assert.equal(canonicalUrl("mailto:someone@example.com"), null);
    assert.equal(canonicalUrl("not a url"), null);
  });
});
