/**
 * Debian's Chromium driven by playwright-core for the console's browser tests (never a downloaded browser),
 * each context on a fresh temporary profile that close() removes; and the watchers every test applies:
 * JavaScript errors, failed requests, axe-core and screenshots.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Request as BrowserRequest, chromium, type Page } from "playwright-core";
import { requireServices } from "../../support/services.ts";

export const CHROMIUM = "/usr/bin/chromium";
const root = new URL("../../../", import.meta.url).pathname;
export const ARTIFACTS = join(root, "test/artifacts/console");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** node:test `skip`: why the browser tests cannot run here (never when CAIRN_REQUIRE_SERVICES=1). */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (requireServices)
    throw new Error(`${CHROMIUM} is missing but CAIRN_REQUIRE_SERVICES=1: run .ci/install-chromium.sh`);
  return `${CHROMIUM} is missing (install Debian's chromium: .ci/install-chromium.sh)`;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "cairn-console-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Problems the page reported; expected refusals (by status and path) are named by the test. */
export interface PageProblems {
  errors: string[];
  /** Lets a test say a 4xx on this path is what it asked for. */
  expect(status: number, path: RegExp): void;
}

export function watchPage(page: Page): PageProblems {
  const errors: string[] = [];
  const expected: { status: number; path: RegExp }[] = [];
  const isExpected = (status: number, url: string) =>
    expected.some((e) => e.status === status && e.path.test(new URL(url).pathname));
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // Chromium logs every 4xx fetch as a console error; those are checked through the responses below.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    errors.push(`console error: ${message.text()}`);
  });
  // A document that navigates away (sign-out, Google's consent screen) aborts what it still had in flight, even
  // a request it issued while unloading: that is the browser's doing, not a failure. An abort is held until the
  // next document commits; one from a document that was left is dropped, any other is reported.
  let commits = 0;
  const commitsAtIssue = new WeakMap<BrowserRequest, number>();
  const heldAborts: { commits: number; text: string }[] = [];
  page.on("request", (request) => commitsAtIssue.set(request, commits));
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    commits += 1;
    for (let i = heldAborts.length - 1; i >= 0; i--) {
      if ((heldAborts[i]?.commits ?? commits) < commits) heldAborts.splice(i, 1);
    }
  });
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "";
    const text = `request failed: ${request.method()} ${request.url()} ${failure}`;
    // The change feed's stream is cut when the page navigates away or signs out.
    if (failure.includes("ERR_ABORTED") && request.url().includes("/admin/api/events")) return;
    if (failure.includes("ERR_ABORTED") && !request.isNavigationRequest()) {
      heldAborts.push({ commits: commitsAtIssue.get(request) ?? commits, text });
      return;
    }
    errors.push(text);
  });
  page.on("response", (response) => {
    const status = response.status();
    if (status < 400 || isExpected(status, response.url())) return;
    errors.push(`HTTP ${status}: ${response.request().method()} ${response.url()}`);
  });
  return {
    get errors() {
      return [...errors, ...heldAborts.map((abort) => abort.text)];
    },
    expect(status, path) {
      expected.push({ status, path });
    },
  };
}

const axeSource = () => readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core in the page: fails on serious or critical violations, naming the rule and the elements. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  // Evaluated rather than added as a <script>: the console's Content-Security-Policy refuses inline scripts.
  await page.evaluate(axeSource());
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })),
    }));
  });
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    [],
    `axe-core on ${label}`,
  );
}

/** A full-page screenshot under test/artifacts/console/<name>-<width>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
}
