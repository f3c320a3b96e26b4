import { assert, describe, it } from "@effect/vitest"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

/** An active member (invited, then accepted), for grants whose effect `why` shows. */
const activeMember = async (temp: Parameters<typeof usher>[0], email: string) => {
  const invited = await usher(temp, ["users", "invite", email, "--first-name", "Bo", "--last-name", "B", "--link", "--json"])
  assert.strictEqual(invited.code, 0, invited.stderr)
  const accepted = await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin"], {}, "a perfectly fine passphrase\n")
  assert.strictEqual(accepted.code, 0, accepted.stderr)
}

describe("usher CLI: time-bound grants and policies run", () => {
  it("roles grant --for 8h grants until then; bad durations, and --for with --expires, are refused", async () => {
    const temp = await directory()
    await activeMember(temp, "bo@acme.test")
    const before = Date.now()
    const grant = await usher(temp, ["roles", "grant", "auditor", "--user", "bo@acme.test", "--for", "8h", "--json"])
    assert.strictEqual(grant.code, 0, grant.stderr)
    const ends = Date.parse(grant.json.expiresAt) - before
    assert.isTrue(ends >= 8 * 3_600_000 && ends < 8 * 3_600_000 + 60_000, `expires ${grant.json.expiresAt}`)
    const text = await usher(temp, ["roles", "grant", "approver", "--user", "bo@acme.test", "--for", "3d"])
    assert.match(text.stdout, /^Granted approver@org:acme to bo@acme\.test until \d{4}-\d\d-\d\d \d\d:\d\d\.$/m)

    for (const bad of ["400d", "8", "8 hours", "0m", "1y"]) {
      const refused = await usher(temp, ["roles", "grant", "auditor", "--user", "bo@acme.test", "--for", bad, "--json"])
      assert.strictEqual(refused.code, 1, bad)
      assert.strictEqual(refused.json.error._tag, "InvalidInput")
      assert.include(refused.json.error.message, "from 1m to 365d")
    }
    const both = await usher(temp, ["roles", "grant", "auditor", "--user", "bo@acme.test", "--for", "8h", "--expires", "2099-01-01"])
    assert.strictEqual(both.code, 1)
    assert.include(both.stderr, "not both")
    assert.include((await usher(temp, ["roles", "grant", "--help"])).stdout, "--for DURATION")
  })

  it("policies run --json: a grant past its expiry revoked (why no longer shows it), audit verify clean; text, settings and a quiet second pass", async () => {
    const temp = await directory()
    await activeMember(temp, "bo@acme.test")
    const expires = new Date(Date.now() + 1_000).toISOString()
    assert.strictEqual((await usher(temp, ["roles", "grant", "auditor", "--user", "bo@acme.test", "--expires", expires])).code, 0)
    assert.isTrue((await usher(temp, ["why", "bo@acme.test", "audit.read", "--json"])).json.allowed)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expires) - Date.now() + 20)))

    const run = await usher(temp, ["policies", "run", "--json"])
    assert.strictEqual(run.code, 0, run.stderr)
    assert.strictEqual(run.json._tag, "PolicyPass")
    assert.deepStrictEqual(run.json.counts, { grantsExpired: 1, invitationsExpired: 0, approvalsExpired: 0, dormantNotified: 0, dormantSuspended: 0, dormantSkipped: 0 })
    assert.deepInclude(run.json.grants.expired[0], { role: "auditor", scope: "org:acme", principalType: "user", principal: "bo@acme.test", expiresAt: expires })
    assert.isFalse(run.json.dormant.enabled)
    const why = await usher(temp, ["why", "bo@acme.test", "audit.read", "--json"])
    assert.deepStrictEqual([why.json.allowed, why.json.paths], [false, []])
    const verify = await usher(temp, ["audit", "verify", "--json"])
    assert.strictEqual(verify.code, 0, verify.stdout)
    assert.isTrue(verify.json.ok)
    const audit = await usher(temp, ["audit", "list", "--json"])
    assert.include(audit.json.map((e: { action: string }) => e.action), "grant.expire")

    assert.strictEqual((await usher(temp, ["settings", "set", "dormant.notify-days", "0"])).code, 1)
    assert.strictEqual((await usher(temp, ["settings", "set", "dormant.notify-days", "90"])).code, 0)
    const text = await usher(temp, ["policies", "run"])
    assert.strictEqual(text.code, 0, text.stderr)
    assert.match(text.stdout, /^Policy pass \d{4}-\d\d-\d\d \d\d:\d\d by .+:\n {2}grants expired: 0\n/)
    assert.include(text.stdout, "dormant accounts notified: 0")
    assert.include((await usher(temp, ["--help"])).stdout, "usher policies run")
  })
})
