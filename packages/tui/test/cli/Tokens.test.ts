import { assert, describe, it } from "@effect/vitest"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

describe("usher tokens", () => {
  it("creates a token shown once (text and JSON), lists without secrets, revokes; bad input is a domain error with exit 1", async () => {
    const temp = await directory()
    const created = await usher(temp, ["tokens", "create", "--name", "ci deploys", "--only", "check", "--org", "acme", "--expires", "2099-01-01", "--json"])
    assert.strictEqual(created.code, 0, created.stderr)
    const { token, secret } = created.json as { token: { id: string; name: string; only: string; org: string; state: string; expiresAt: string }; secret: string }
    assert.match(secret, /^usher_pat_[A-Za-z0-9_-]{43}$/)
    assert.deepStrictEqual([token.name, token.only, token.org, token.state, token.expiresAt], ["ci deploys", "check", "acme", "active", "2099-01-01T00:00:00.000Z"])

    const text = await usher(temp, ["tokens", "create", "--name", "laptop"])
    assert.strictEqual(text.code, 0, text.stderr)
    assert.match(text.stdout, /^Created API token \S+ "laptop" for admin@acme\.test \(any API\)\.\nToken \(shown once, keep it secret\): usher_pat_[A-Za-z0-9_-]{43}\n$/)
    const second = /usher_pat_\S+/.exec(text.stdout)![0]

    const listed = await usher(temp, ["tokens", "list"])
    assert.match(listed.stdout, /^ID\s+NAME\s+FOR\s+STATE\s+CREATED\s+EXPIRES\s+LAST USED\n/)
    assert.include(listed.stdout, "check, org:acme")
    assert.notInclude(listed.stdout, secret)
    assert.notInclude(listed.stdout, second)
    const json = await usher(temp, ["tokens", "list", "--json"])
    assert.lengthOf(json.json, 2)
    assert.notInclude(JSON.stringify(json.json), "usher_pat_")

    const revoked = await usher(temp, ["tokens", "revoke", token.id])
    assert.deepStrictEqual([revoked.code, revoked.stdout], [0, `Revoked API token ${token.id} "ci deploys" of admin@acme.test.\n`])
    const states = await usher(temp, ["tokens", "list", "--json"])
    assert.deepStrictEqual(states.json.map((t: { name: string; state: string }) => `${t.name}:${t.state}`).sort(), ["ci deploys:revoked", "laptop:active"])

    const bad = await usher(temp, ["tokens", "create", "--name", "x", "--only", "everything", "--json"])
    assert.deepStrictEqual([bad.code, bad.json.error._tag], [1, "InvalidInput"])
    const missing = await usher(temp, ["tokens", "revoke", "nope"])
    assert.deepStrictEqual([missing.code, missing.stderr.includes("usher tokens list shows the ids.")], [1, true])
    const usage = await usher(temp, ["tokens", "create", "extra", "--name", "x"])
    assert.strictEqual(usage.code, 2)
    // the audit trail names the tokens, never their secrets
    const audit = await usher(temp, ["audit", "list", "--json"])
    assert.include(JSON.stringify(audit.json), "token.create")
    assert.notInclude(JSON.stringify(audit.json), secret.slice("usher_pat_".length))
  })
})
