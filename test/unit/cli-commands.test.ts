/** bin/commands.ts (what `cairn --help` prints without loading anything) agrees with the face modules. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commands, findCommand } from "../../bin/commands.ts";
import { extraCommands } from "../../bin/modules/index.ts";

describe("the command table", () => {
  it("lists every face module command with its usage and summary, and loads it", async () => {
    for (const command of extraCommands) {
      const spec = findCommand(command.name);
      assert.ok(spec, `bin/commands.ts is missing "${command.name}"`);
      assert.equal(spec.usage, command.usage, command.name);
      assert.equal(spec.summary, command.summary, command.name);
      assert.equal(await spec.load?.(), command, `${command.name} loads the face module's command`);
    }
  });

  it("lists cairn admin create with its flags, and its help", async () => {
    const admin = findCommand("admin");
    assert.ok(admin, "bin/commands.ts lists admin");
    assert.equal(admin.usage, "admin create --email <email> [--password <pw>]");
    const help = typeof admin.help === "function" ? await admin.help() : admin.help;
    assert.match(help ?? "", /cairn admin create --email <email> \[--password <password>\]/);
    assert.match(help ?? "", /--workspace <slug>/);
  });

  it("has one entry per name", () => {
    assert.equal(new Set(commands.map((c) => c.name)).size, commands.length);
  });
});
