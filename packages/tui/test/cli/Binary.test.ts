import { assert, describe, it } from "@effect/vitest"
import { makeTempDirectory } from "@usher/testkit"
import { spawnUsher } from "../support.js"

describe("the usher binary", () => {
  it("runs as a real process: exit codes, JSON on stdout, USHER_DATABASE_URL and USHER_DATA_DIR", async () => {
    const temp = makeTempDirectory()
    try {
      const env = { USHER_DATABASE_URL: `sqlite:${temp.path}` }
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

      const viaDataDir = await spawnUsher(["users", "list", "--json"], { USHER_DATA_DIR: temp.dir })
      assert.strictEqual(viaDataDir.code, 0, viaDataDir.stderr)
      assert.sameMembers(viaDataDir.json.map((u: { email: string }) => u.email), ["root@acme.test", "ken@acme.test"])

      const help = await spawnUsher([], env)
      assert.strictEqual(help.code, 0)
      assert.include(help.stdout, "usher users list")
    } finally {
      temp.cleanup()
    }
  })
})
