import { assert, describe, it } from "@effect/vitest"
import type { TempDirectory } from "@usher/testkit"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { spawnUsher, tempDirectories, USHER_BIN, usher } from "../support.js"

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

  it("usher import users killed with SIGKILL mid-import: usher audit verify passes, whole batches are in, and the same command finishes the rest", async () => {
    const temp = await directory()
    const ROWS = 8_000
    const BATCH = 500
    const path = file(temp, "many.csv", [HEADER, ...Array.from({ length: ROWS }, (_, i) => `p${i}@acme.test,P,N${i},,,,,,${i % 5 === 0 ? "auditor" : ""},`)])
    const args = ["--db", temp.path, "import", "users", path, "--batch-size", String(BATCH), "--hold-mail"]
    const killed = await new Promise<{ signal: NodeJS.Signals | null; progress: ReadonlyArray<string> }>((resolve, reject) => {
      const child = spawn(process.execPath, [USHER_BIN, ...args], { env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", USHER_DATA_DIR: temp.dir }, stdio: ["ignore", "ignore", "pipe"] })
      const progress: Array<string> = []
      createInterface({ input: child.stderr }).on("line", (line) => {
        progress.push(line)
        // the progress line comes right after a batch committed: the kill lands in the work on the next one
        if (/^batch 3 committed: through line 1501 /.test(line)) setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 40))
      })
      child.on("error", reject)
      child.on("close", (_code, signal) => resolve({ signal, progress }))
    })
    assert.strictEqual(killed.signal, "SIGKILL", `the import finished before the kill: ${killed.progress.join("; ")}`)
    const verify = await spawnUsher(["--db", temp.path, "audit", "verify"], { USHER_DATA_DIR: temp.dir })
    assert.strictEqual(verify.code, 0, verify.stdout + verify.stderr)
    const rerun = await spawnUsher([...args, "--json"], { USHER_DATA_DIR: temp.dir })
    assert.strictEqual(rerun.code, 0, rerun.stderr)
    const { created, skipped, failed } = rerun.json as { created: number; skipped: number; failed: number }
    assert.strictEqual(failed, 0)
    assert.strictEqual(created + skipped, ROWS)
    assert.isAtLeast(skipped, 3 * BATCH, "the batches committed before the kill stay")
    assert.strictEqual(skipped % BATCH, 0, "whole batches, never part of one")
    assert.strictEqual((await spawnUsher(["--db", temp.path, "audit", "verify"], { USHER_DATA_DIR: temp.dir })).code, 0)
  }, 60_000)
})
