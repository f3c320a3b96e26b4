import { assert, describe, it } from "@effect/vitest"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()
const PASSWORD = "a perfectly fine passphrase\n"

describe("usher CLI: nobody acts on an account stronger than their own (issue item 1)", () => {
  it("a user manager cannot take over the admin: e-mail change, reset and suspension answer as for a missing account", async () => {
    const temp = await directory()
    const invited = await usher(temp, ["users", "invite", "mallory@acme.test", "--role", "user-manager", "--link", "--json"])
    await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin", "--first-name", "Mal", "--last-name", "Lory"], {}, PASSWORD)
    const missing = await usher(temp, ["--as", "mallory@acme.test", "users", "update", "ghost@acme.test", "--email", "attacker@evil.test", "--json"])
    for (const args of [
      ["users", "update", "admin@acme.test", "--email", "attacker@evil.test"],
      ["users", "reset-password", "admin@acme.test"],
      ["users", "suspend", "admin@acme.test"]
    ]) {
      const refused = await usher(temp, ["--as", "mallory@acme.test", ...args, "--json"])
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.strictEqual(refused.json.error._tag, "UserNotFound")
      assert.strictEqual(refused.json.error.message.replace("admin@acme.test", "X"), missing.json.error.message.replace("ghost@acme.test", "X"))
    }
    const shown = await usher(temp, ["users", "show", "admin@acme.test", "--json"])
    assert.strictEqual(shown.json.user.email, "admin@acme.test")
    assert.strictEqual(shown.json.user.status, "active")
    const outbox = await usher(temp, ["outbox", "list", "--json"])
    assert.deepStrictEqual(outbox.json, [], "no reset link was mailed anywhere")
  })
})
