import { assert, describe, it } from "@effect/vitest"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

describe("usher who-can", () => {
  it("lists who holds a permission at a scope with each path, in words and as JSON; a bad permission is exit 1", async () => {
    const temp = await directory()
    for (const args of [["groups", "create", "ops"], ["roles", "grant", "approver", "--group", "ops"]]) {
      const run = await usher(temp, args)
      assert.strictEqual(run.code, 0, `${args.join(" ")}: ${run.stderr}`)
    }
    // invited people hold nothing until they accept: only the admin so far
    const ann = await usher(temp, ["users", "invite", "ann@acme.test", "--role", "auditor", "--link", "--json"])
    const cy = await usher(temp, ["users", "invite", "cy@acme.test", "--group", "ops", "--link", "--json"])
    assert.strictEqual(ann.code + cy.code, 0, ann.stderr + cy.stderr)
    const before = await usher(temp, ["who-can", "audit.read", "--json"])
    assert.deepStrictEqual(before.json.holders.map((h: { user: string }) => h.user), ["admin@acme.test"])
    for (const invited of [ann, cy]) {
      const accepted = await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin", "--first-name", "X", "--last-name", "Y"], {}, "a password long enough to pass\n")
      assert.strictEqual(accepted.code, 0, accepted.stderr)
    }
    const text = await usher(temp, ["who-can", "audit.read", "--scope", "org:acme"])
    assert.strictEqual(text.code, 0, text.stderr)
    assert.include(text.stdout, "3 users have audit.read at org:acme:")
    assert.include(text.stdout, "  ann@acme.test\n    direct auditor@org:acme")
    assert.include(text.stdout, "  cy@acme.test\n    group acme/ops → approver@org:acme")
    // the provider's admin role holds everything, everywhere below the provider
    const deleters = await usher(temp, ["who-can", "users.delete", "--scope", "org:acme", "--as", "ann@acme.test"])
    assert.strictEqual(deleters.stdout, "1 user has users.delete at org:acme:\n  admin@acme.test\n    direct provider-admin@provider\n")
    const bad = await usher(temp, ["who-can", "not a permission", "--json"])
    assert.deepStrictEqual([bad.code, bad.json.error._tag], [1, "InvalidPermission"])
    assert.strictEqual((await usher(temp, ["who-can"])).code, 2)
  })
})
