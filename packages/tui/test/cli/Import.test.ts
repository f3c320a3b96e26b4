import { assert, describe, it } from "@effect/vitest"
import type { TempDirectory } from "@usher/testkit"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

const HEADER = "email,firstName,lastName,phone,gender,birthday,orgUnit,position,roles,groups"

/** Runs `usher NAME ARGS`: its text (without the final newline) and whether it failed (exit code not 0). */
const run = async (temp: TempDirectory, name: string, args: ReadonlyArray<string>) => {
  const result = await usher(temp, [...name.split(" "), ...args])
  return { text: result.stdout.replace(/\n$/, ""), failed: result.code !== 0, stderr: result.stderr }
}

/** The typed error a `--json` run of `usher NAME ARGS` reports. */
const errorOf = async (temp: TempDirectory, name: string, args: ReadonlyArray<string>) =>
  (await usher(temp, [...name.split(" "), ...args, "--json"])).json.error as { _tag: string; message: string }

const file = (temp: TempDirectory, name: string, lines: ReadonlyArray<string>) => {
  const path = join(temp.dir, name)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

describe("usher import users / export users", () => {
  it("a dry run prints the counts, then each bad line as `line N: reason`, and writes nothing", async () => {
    const temp = await directory()
    const path = file(temp, "people.csv", [HEADER, "grace@acme.test,Grace,Hopper,,,,,,auditor,", "bad-email,X,Y,,,,,,,", "admin@acme.test,Ada,Lovelace,,,,,,,", "grace@acme.test,G,H,,,,,,,"])
    const dry = await run(temp, "import users", [path, "--dry-run"])
    assert.strictEqual(dry.text, [
      `${path} → acme (new accounts invited): dry run, nothing was written.`,
      "4 rows: 1 to create, 1 to update, 0 unchanged, 2 bad.",
      "Mail: 1 mail would be queued.",
      "Updates:",
      "  line 4: admin@acme.test: lastName",
      "Bad rows (not imported):",
      "  line 3: \"bad-email\" is not a valid e-mail address.",
      "  line 5: grace@acme.test appears already on line 2; only that first row is imported."
    ].join("\n"))
    assert.isTrue(dry.failed, "bad rows make the exit code 1")
    const listed = await usher(temp, ["users", "list", "--json"])
    assert.deepStrictEqual(listed.json.map((u: { email: string }) => u.email), ["admin@acme.test"])

    const real = await run(temp, "import users", [path, "--hold-mail", "--batch-size", "2"])
    assert.strictEqual(real.text.split("\n").slice(0, 3).join("\n"), [
      `${path} → acme (new accounts invited): 2 batches committed.`,
      "4 rows: 1 created, 1 updated, 0 unchanged, 2 bad.",
      "Mail: 1 mail queued; send them with usher outbox send."
    ].join("\n"))
    const again = await run(temp, "import users", [path])
    assert.include(again.text, "4 rows: 0 created, 0 updated, 2 unchanged, 2 bad.")
  })

  it("--create says that each account is mailed a link to choose its password; flags are checked", async () => {
    const temp = await directory()
    const path = file(temp, "staff.csv", ["email,first name,last name", "linus@acme.test,Linus,Torvalds"])
    const created = await run(temp, "import users", [path, "--create"])
    assert.isFalse(created.failed)
    assert.strictEqual(created.text.split("\n")[0], `${path} → acme (new accounts created, each mailed a link to choose a password): 1 batch committed.`)
    assert.include(created.text, "Mail: 1 queued, 1 sent, 0 failed.")
    assert.deepStrictEqual(await errorOf(temp, "import users", [path, "--create", "--invite"]), { _tag: "UsageError", message: "give --invite or --create, not both" })
    assert.strictEqual((await errorOf(temp, "import users", [join(temp.dir, "nope.csv")]))._tag, "FileUnreadable")
    assert.include((await usher(temp, ["import", "users", "--help"])).stdout, "no admin ever sees a")
  })

  it("export users writes CSV or JSON to standard output or to a file, and import reads it back", async () => {
    const temp = await directory()
    await run(temp, "import users", [file(temp, "in.csv", [HEADER, "grace@acme.test,Grace,=Hopper,+1 415 555 2671,,,,,auditor,"]), "--hold-mail"])
    const csv = await run(temp, "export users", [])
    assert.strictEqual(csv.text, [
      "email,firstName,lastName,phone,gender,birthday,orgUnit,position,orgs,roles,groups",
      "admin@acme.test,Ada,Admin,,,,,,acme,provider-admin@provider,",
      "grace@acme.test,Grace,'=Hopper,+14155552671,,,,,acme,auditor@org:acme,"
    ].join("\n"))
    const json = await run(temp, "export users", ["--format", "json", "--status", "invited"])
    assert.deepStrictEqual(JSON.parse(json.text), [{
      email: "grace@acme.test", firstName: "Grace", lastName: "=Hopper", phone: "+14155552671", gender: null, birthday: null, orgUnit: null,
      position: null, orgs: ["acme"], roles: ["auditor@org:acme"], groups: []
    }])
    const output = join(temp.dir, "out.csv")
    const written = await run(temp, "export users", ["--output", output])
    assert.strictEqual(written.text, `Exported 2 users to ${output} (csv).`)
    assert.strictEqual(readFileSync(output, "utf8"), `${csv.text}\n`)
    assert.strictEqual(statSync(output).mode & 0o777, 0o600)
    const back = await run(temp, "import users", [output])
    assert.include(back.text, "2 rows: 0 created, 0 updated, 2 unchanged, 0 bad.")
    assert.deepStrictEqual(await errorOf(temp, "export users", ["--format", "xml"]), { _tag: "UsageError", message: "--format must be csv or json" })
  })
})
