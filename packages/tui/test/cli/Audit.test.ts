import { assert, describe, it } from "@effect/vitest"
import { databaseUrl, makeTempDirectory } from "@usher/testkit"
import { execFileSync } from "node:child_process"
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { initializedDirectory, spawnUsher, tempDirectories, usher } from "../support.js"

const { initialized: migrated } = tempDirectories()

describe("usher audit verify", () => {
  it("the binary signs the head when it exits; verify reports the checkpoints, JSON and text, and exits 1 on a problem", async () => {
    const temp = makeTempDirectory()
    try {
      const keyFile = join(temp.dir, "keys", "audit.key")
      const checkpoints = join(temp.dir, "signed", "checkpoints.jsonl")
      const env = { USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir, USHER_AUDIT_KEY_FILE: keyFile, USHER_AUDIT_CHECKPOINTS: checkpoints }
      assert.strictEqual((await spawnUsher(["init", "--admin", "root@acme.test", "--org", "acme"], env)).code, 0)
      assert.strictEqual(statSync(keyFile).mode & 0o777, 0o600, "init made the key, the owner's alone")
      assert.strictEqual((await spawnUsher(["groups", "create", "finance"], env)).code, 0)
      assert.lengthOf(readFileSync(checkpoints, "utf8").trim().split("\n"), 2, "each process that wrote events signed the head at exit")
      assert.isFalse(existsSync(join(temp.dir, "audit-checkpoints.jsonl")), "USHER_AUDIT_CHECKPOINTS moves the file")

      const verified = await spawnUsher(["audit", "verify", "--json"], env)
      assert.strictEqual(verified.code, 0, verified.stdout)
      assert.deepStrictEqual([verified.json.ok, verified.json.events, verified.json.problems], [true, 2, []])
      assert.deepStrictEqual([verified.json.checkpoints.count, verified.json.checkpoints.valid, verified.json.checkpoints.newerEvents], [2, 2, 0])
      const text = await spawnUsher(["audit", "verify"], env)
      assert.include(text.stdout, "Audit log verified: 2 events")
      assert.include(text.stdout, "2 of 2 checkpoints valid")

      appendFileSync(checkpoints, "{\"seq\":2,\"hash\":\"00\",\"at\":\"2020-01-01T00:00:00.000Z\",\"sig\":\"AAAA\"}\n")
      const broken = await spawnUsher(["audit", "verify", "--json"], env)
      assert.strictEqual(broken.code, 1)
      assert.strictEqual(broken.json.ok, false)
      assert.strictEqual(broken.json.problems[0].kind, "checkpoint")
      const brokenText = await spawnUsher(["audit", "verify"], env)
      assert.strictEqual(brokenText.code, 1)
      assert.include(brokenText.stdout, "AUDIT LOG NOT VERIFIED: 1 problem")
    } finally {
      temp.cleanup()
    }
  }, 30_000)
})

describe("usher db migrate", () => {
  it("brings the schema up to date and lists the migrations, in words and as JSON", async () => {
    const temp = await migrated()
    const text = await usher(temp, ["db", "migrate"])
    assert.strictEqual(text.code, 0, text.stderr)
    assert.match(text.stdout, /^Database schema up to date: \d+ migrations applied\./)
    assert.include(text.stdout, "0001 directory")
    const json = await usher(temp, ["db", "migrate", "--json"])
    assert.deepStrictEqual(json.json.slice(0, 2).map((m: { id: number; name: string }) => [m.id, m.name]), [[1, "directory"], [2, "access"]])
  })
})

describe("usher db copy", () => {
  it("copies an embedded directory into an empty PostgreSQL database, verifies both sides, and refuses to copy twice", async () => {
    // the source is an embedded (SQLite) directory whichever engine the other tests run on
    const temp = await initializedDirectory("sqlite")
    const server = process.env["USHER_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
    const name = `usher_cli_copy_${process.pid}_${Date.now()}`
    const admin = (sql: string) => execFileSync("psql", [server, "-q", "-c", sql], { stdio: "pipe" })
    admin(`CREATE DATABASE ${name}`)
    try {
      const target = new URL(server)
      target.pathname = `/${name}`
      // one data directory for both (its key signs for both), so that nothing lands in the home folder
      const env = { USHER_DATA_DIR: temp.dir }
      const copied = await usher(temp, ["db", "copy", "--from", `sqlite:${temp.path}`, "--to", target.toString(), "--json"], env)
      assert.strictEqual(copied.code, 0, copied.stderr)
      assert.deepStrictEqual([copied.json.source.ok, copied.json.target.ok], [true, true])
      assert.strictEqual(copied.json.rows.users, 1)
      const listed = await usher(temp, ["--db", target.toString(), "users", "list", "--json"], env)
      assert.deepStrictEqual(listed.json.map((u: { email: string }) => u.email), ["admin@acme.test"])
      const again = await usher(temp, ["db", "copy", "--from", `sqlite:${temp.path}`, "--to", target.toString()], env)
      assert.strictEqual(again.code, 1)
      assert.include(again.stderr, "holds a directory already")
      const usage = await usher(temp, ["db", "copy", "--to", target.toString()], env)
      assert.strictEqual(usage.code, 2)
    } finally {
      admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      temp.cleanup()
    }
  })
})
