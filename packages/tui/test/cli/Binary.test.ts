import { assert, describe, it } from "@effect/vitest"
import { databaseUrl, makeTempDirectory } from "@usher/testkit"
import { spawnUsher } from "../support.js"

describe("the usher binary", () => {
  it("runs as a real process: exit codes, JSON on stdout, USHER_DATABASE_URL and USHER_DATA_DIR", async () => {
    const temp = makeTempDirectory()
    try {
      const env = { USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir }
      const init = await spawnUsher(["init", "--admin", "root@acme.test", "--org", "acme", "--json"], env)
      assert.strictEqual(init.code, 0, init.stderr)
      assert.strictEqual(init.json.admin.email, "root@acme.test")

      const created = await spawnUsher(["users", "create", "ken@acme.test", "--first-name", "Ken", "--last-name", "Thompson", "--json"], env)
      assert.strictEqual(created.code, 0, created.stderr)

      const suspended = await spawnUsher(["users", "suspend", "ken@acme.test", "--json"], env)
      assert.strictEqual(suspended.json.status, "suspended")

      const refused = await spawnUsher(["users", "suspend", "root@acme.test", "--json"], env)
      assert.strictEqual(refused.code, 1)
      assert.deepStrictEqual(refused.json.error._tag, "LastProviderAdmin")

      const usage = await spawnUsher(["users", "list", "--bogus", "--json"], env)
      assert.strictEqual(usage.code, 2)
      assert.strictEqual(usage.json.error._tag, "UsageError")

      // without USHER_DATABASE_URL the directory is the SQLite file in USHER_DATA_DIR; on PostgreSQL that is another (empty) directory
      const viaDataDir = await spawnUsher(["users", "list", "--json"], { USHER_DATA_DIR: temp.dir })
      if (temp.location.engine === "sqlite") {
        assert.strictEqual(viaDataDir.code, 0, viaDataDir.stderr)
        assert.sameMembers(viaDataDir.json.map((u: { email: string }) => u.email), ["root@acme.test", "ken@acme.test"])
      } else {
        assert.strictEqual(viaDataDir.code, 1)
        assert.include(viaDataDir.json.error.message, "usher init")
      }

      const help = await spawnUsher([], env)
      assert.strictEqual(help.code, 0)
      assert.include(help.stdout, "usher users list")
    } finally {
      temp.cleanup()
    }
  })
})
