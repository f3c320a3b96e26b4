import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

const PASSWORD = "a perfectly fine passphrase\n"

/**
 * An approver whose right to decide the admin's requests counts (four eyes): invited, with the
 * role, by a second admin rather than by the admin who will file the requests.
 */
const independentApprover = async (temp: Parameters<typeof usher>[0], email: string) => {
  const second = await usher(temp, ["users", "invite", "second@acme.test", "--role", "org-admin", "--link", "--json"])
  await usher(temp, ["invites", "accept", second.json.link, "--password-stdin", "--first-name", "Sec", "--last-name", "Ond"], {}, PASSWORD)
  const approver = await usher(temp, ["--as", "second@acme.test", "users", "invite", email, "--role", "approver", "--link", "--json"])
  assert.strictEqual(approver.code, 0, approver.stderr)
  const accepted = await usher(temp, ["invites", "accept", approver.json.link, "--password-stdin", "--first-name", "A", "--last-name", "P"], {}, PASSWORD)
  assert.strictEqual(accepted.code, 0, accepted.stderr)
}

describe("usher CLI: invitations, approvals, sessions, settings", () => {
  it("invite --link prints the link; the invitee accepts with --password-stdin; a used link fails with exit 1", async () => {
    const temp = await directory()
    const invited = await usher(temp, ["users", "invite", "grace@acme.test", "--first-name", "Grace", "--last-name", "Hopper", "--role", "auditor", "--link", "--json"])
    assert.strictEqual(invited.code, 0, invited.stderr)
    assert.match(invited.json.link, /^http:\/\/localhost:8080\/invite\/[\w-]{43}$/)
    assert.strictEqual(invited.json.invitation.status, "pending")
    assert.notProperty(invited.json, "mail")

    const noStdin = await usher(temp, ["invites", "accept", invited.json.link])
    assert.strictEqual(noStdin.code, 2)
    assert.include(noStdin.stderr, "--password-stdin")
    const accepted = await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin"], {}, PASSWORD)
    assert.strictEqual(accepted.code, 0, accepted.stderr)
    assert.include(accepted.stdout, "grace@acme.test is active")
    const again = await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin", "--json"], {}, PASSWORD)
    assert.strictEqual(again.code, 1)
    assert.strictEqual(again.json.error._tag, "InvitationInvalid")
    const list = await usher(temp, ["invites", "list", "--status", "accepted", "--json"])
    assert.deepStrictEqual(list.json.map((i: { email: string }) => i.email), ["grace@acme.test"])
    const badStatus = await usher(temp, ["invites", "list", "--status", "lost"])
    assert.strictEqual(badStatus.code, 2)
  })

  it("a mailed invitation lands in the outbox as an .eml file; resend and cancel", async () => {
    const temp = await directory()
    const invited = await usher(temp, ["users", "invite", "ken@acme.test", "--json"], { USHER_PUBLIC_URL: "https://dir.acme.test/" })
    assert.strictEqual(invited.code, 0, invited.stderr)
    assert.strictEqual(invited.json.mail.status, "sent")
    assert.include(readFileSync(invited.json.mail.file, "utf8"), "https://dir.acme.test/invite/")
    const outbox = await usher(temp, ["outbox", "list"])
    assert.include(outbox.stdout, "ken@acme.test")
    assert.include(outbox.stdout, "Ada Admin invited you to Acme")
    const shown = await usher(temp, ["outbox", "show", invited.json.mail.id])
    assert.include(shown.stdout, "Ada Admin (admin@acme.test) invited you (ken@acme.test)")
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(readFileSync(invited.json.mail.file, "utf8"))![1]!
    assert.include(shown.stdout, "https://dir.acme.test/invite/[link withheld]")
    assert.notInclude(shown.stdout, token, "reading the outbox does not hand out the invitee's link")
    const resent = await usher(temp, ["invites", "resend", "ken@acme.test"])
    assert.strictEqual(resent.code, 0, resent.stderr)
    assert.include(resent.stdout, "Re-invited ken@acme.test")
    const cancelled = await usher(temp, ["invites", "cancel", invited.json.invitation.id])
    assert.include(cancelled.stdout, "Cancelled the invitation of ken@acme.test")
    const gone = await usher(temp, ["users", "show", "ken@acme.test"])
    assert.strictEqual(gone.code, 1)
  })

  it("users delete files an approval request; the requester cannot approve it, an approver can", async () => {
    const temp = await directory()
    await usher(temp, ["users", "invite", "bob@acme.test", "--link"])
    const noApprover = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "left", "--json"])
    assert.strictEqual(noApprover.json.error._tag, "NoEligibleApprover")
    // an approver the requester invited does not count for the requester's requests (four eyes)
    const puppet = await usher(temp, ["users", "invite", "puppet@acme.test", "--role", "approver", "--link", "--json"])
    await usher(temp, ["invites", "accept", puppet.json.link, "--password-stdin", "--first-name", "Pup", "--last-name", "Pet"], {}, PASSWORD)
    const stillNobody = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "left", "--json"])
    assert.strictEqual(stillNobody.json.error._tag, "NoEligibleApprover")
    await independentApprover(temp, "apo@acme.test")
    const noReason = await usher(temp, ["users", "delete", "bob@acme.test", "--json"])
    assert.strictEqual(noReason.json.error._tag, "ReasonRequired")

    const requested = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "left the company", "--json"])
    assert.strictEqual(requested.code, 0, requested.stderr)
    assert.deepStrictEqual(Object.keys(requested.json), ["_tag", "approval"])
    assert.strictEqual(requested.json.approval.status, "pending")
    const id: string = requested.json.approval.id
    const twice = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "twice"])
    assert.strictEqual(twice.code, 1)
    assert.include(twice.stderr, `Request ${id} (Delete the account bob@acme.test, filed by admin@acme.test) is already waiting`)
    const puppetVote = await usher(temp, ["--as", "puppet@acme.test", "approvals", "approve", id, "--json"])
    assert.deepStrictEqual([puppetVote.code, puppetVote.json.error._tag], [1, "DeciderNotEligible"])

    const self = await usher(temp, ["approvals", "approve", id, "--json"])
    assert.strictEqual(self.code, 1)
    assert.strictEqual(self.json.error._tag, "SelfApproval")
    const pending = await usher(temp, ["approvals", "list", "--status", "pending"], { USHER_ACTOR: "apo@acme.test" })
    assert.include(pending.stdout, "Delete the account bob@acme.test")
    const approved = await usher(temp, ["--as", "apo@acme.test", "approvals", "approve", id, "--note", "ok"])
    assert.strictEqual(approved.code, 0, approved.stderr)
    assert.include(approved.stdout, "Approved and done: Delete the account bob@acme.test.")
    const shown = await usher(temp, ["approvals", "show", id, "--json"])
    assert.deepStrictEqual([shown.json.status, shown.json.decidedBy], ["executed", "apo@acme.test"])
    assert.strictEqual((await usher(temp, ["users", "show", "bob@acme.test"])).code, 1)
    const text = await usher(temp, ["users", "delete", "puppet@acme.test", "--reason", "not needed"])
    assert.include(text.stdout, "Approval requested")
    const other = (await usher(temp, ["approvals", "list", "--status", "pending", "--json"])).json[0].id
    const denied = await usher(temp, ["--as", "apo@acme.test", "approvals", "deny", other, "--reason", "already gone"])
    assert.include(denied.stdout, "Denied")
    const verify = await usher(temp, ["audit", "verify"])
    assert.strictEqual(verify.code, 0)
  })

  it("sessions, password reset, unlock, settings and bulk suspension from the command line", async () => {
    const temp = await directory()
    const invited = await usher(temp, ["users", "invite", "lee@acme.test", "--first-name", "Lee", "--last-name", "Ng", "--link", "--json"])
    await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin"], {}, PASSWORD)
    const sessions = await usher(temp, ["sessions", "list", "lee@acme.test"])
    assert.include(sessions.stdout, "no live sessions")
    const revoke = await usher(temp, ["sessions", "revoke", "lee@acme.test", "--json"])
    assert.deepStrictEqual(revoke.json, { user: "lee@acme.test", revoked: 0 })
    const reset = await usher(temp, ["users", "reset-password", "lee@acme.test", "--json"])
    assert.strictEqual(reset.code, 0, reset.stderr)
    assert.notInclude(reset.stdout, "/reset/", "the admin never sees the link")
    const link = /http:\/\/localhost:8080\/reset\/[\w-]{43}/.exec(readFileSync(reset.json.mail.file, "utf8").replace(/=\r?\n/g, ""))![0]
    const done = await usher(temp, ["passwords", "reset", link, "--password-stdin"], {}, "my new passphrase!\n")
    assert.strictEqual(done.code, 0, done.stderr)
    const unlock = await usher(temp, ["users", "unlock", "lee@acme.test"])
    assert.include(unlock.stdout, "was not locked")

    const settings = await usher(temp, ["settings", "set", "approval.gates", "bulk-suspend", "--json"])
    assert.deepStrictEqual(settings.json["approval.gates"], ["bulk-suspend"])
    const bad = await usher(temp, ["settings", "set", "session.ttl-hours", "0"])
    assert.strictEqual(bad.code, 1)
    assert.include(bad.stderr, "a whole number from 1 to 2160")
    await usher(temp, ["users", "invite", "kim@acme.test", "--link"])
    await independentApprover(temp, "apo@acme.test")
    const bulk = await usher(temp, ["users", "suspend", "lee@acme.test", "apo@acme.test", "--reason", "incident", "--json"])
    assert.strictEqual(bulk.json.approval.action, "users.suspend")
    await usher(temp, ["settings", "set", "approval.gates", "none"])
    const perUser = await usher(temp, ["users", "suspend", "lee@acme.test", "kim@acme.test"])
    assert.strictEqual(perUser.code, 1, "one of them could not be suspended")
    assert.include(perUser.stdout, "Suspended lee@acme.test.")
    assert.include(perUser.stdout, "kim@acme.test: Cannot suspend a user who is invited.")
  })
})

describe("usher CLI: the flags of invite, sessions revoke --session, orgs remove", () => {
  it("invite takes profile flags, --scope and --group; revoke --session ends one session; removing two members waits for approval", async () => {
    const temp = await directory()
    await usher(temp, ["groups", "create", "ops"])
    await usher(temp, ["apps", "create", "acme/crm"])
    const invited = await usher(temp, [
      "users", "invite", "lee@acme.test", "--first-name", "Lee", "--last-name", "Ng", "--phone", "+44 20 7946 0958", "--org-unit", "Research",
      "--position", "Lead", "--role", "auditor", "--scope", "app:acme/crm", "--group", "ops", "--link", "--json"
    ])
    assert.strictEqual(invited.code, 0, invited.stdout + invited.stderr)
    const shown = await usher(temp, ["users", "show", "lee@acme.test", "--json"])
    assert.deepInclude(shown.json.user, { status: "invited", phone: "+442079460958", orgUnit: "Research", position: "Lead" })
    assert.deepStrictEqual(shown.json.grants.map((g: { role: string; scope: string }) => `${g.role}@${g.scope}`), ["auditor@app:acme/crm"])
    assert.deepStrictEqual(shown.json.groups.map((g: { qualified?: string; name: string }) => g.name), ["ops"])
    await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin"], {}, PASSWORD)

    // two sign-ins (the HTTP front-end's use case, run here directly) give two sessions
    const runtime = Core.makeCoreRuntime(temp.location, temp.config)
    const opened = await runtime.runPromise(Effect.all([1, 2].map((n) =>
      Core.signIn({ email: "lee@acme.test", password: PASSWORD.trim(), userAgent: `browser ${n}` }).pipe(Core.as("system", "api")))))
    await runtime.dispose()
    const listed = await usher(temp, ["sessions", "list", "lee@acme.test", "--json"])
    assert.lengthOf(listed.json.sessions, 2)
    const one = opened[0]!.session.id
    const revoked = await usher(temp, ["sessions", "revoke", "lee@acme.test", "--session", one, "--json"])
    assert.deepStrictEqual(revoked.json, { user: "lee@acme.test", revoked: 1 })
    const left = await usher(temp, ["sessions", "list", "lee@acme.test", "--json"])
    assert.deepStrictEqual(left.json.sessions.map((x: { id: string }) => x.id), [opened[1]!.session.id])
    const unknown = await usher(temp, ["sessions", "revoke", "lee@acme.test", "--session", one, "--json"])
    assert.deepStrictEqual([unknown.code, unknown.json.error._tag], [1, "SessionNotFound"])

    await usher(temp, ["users", "invite", "kim@acme.test", "--link"])
    await independentApprover(temp, "apo@acme.test")
    const noReason = await usher(temp, ["orgs", "remove", "acme", "lee@acme.test", "kim@acme.test", "--json"])
    assert.deepStrictEqual([noReason.code, noReason.json.error._tag], [1, "ReasonRequired"])
    const bulk = await usher(temp, ["orgs", "remove", "acme", "lee@acme.test", "kim@acme.test", "--reason", "team moved", "--json"])
    assert.deepInclude(bulk.json.approval, { action: "org.members.remove", status: "pending", reason: "team moved" })
    assert.strictEqual((await usher(temp, ["users", "show", "kim@acme.test", "--json"])).json.organizations.length, 1, "nobody removed yet")
  })
})

describe("usher slack link", () => {
  it("links a Slack user id to a directory user, lists and unlinks it; a deleted account loses its link", async () => {
    const temp = await directory()
    const linked = await usher(temp, ["slack", "link", "U0123ABCD", "admin@acme.test"])
    assert.strictEqual(linked.code, 0, linked.stderr)
    assert.include(linked.stdout, "Linked Slack user U0123ABCD to admin@acme.test")
    const bad = await usher(temp, ["slack", "link", "not-an-id", "admin@acme.test", "--json"])
    assert.strictEqual(bad.json.error._tag, "InvalidSlackUserId")
    const invited = await usher(temp, ["users", "invite", "bob@acme.test", "--link", "--json"])
    await usher(temp, ["invites", "accept", invited.json.link, "--password-stdin", "--first-name", "Bob", "--last-name", "B"], {}, PASSWORD)
    await usher(temp, ["slack", "link", "U0BOB", "bob@acme.test"])
    const links = await usher(temp, ["slack", "links", "--json"])
    assert.deepStrictEqual(links.json.map((l: { slackUserId: string; email: string }) => [l.slackUserId, l.email]).sort(), [["U0123ABCD", "admin@acme.test"], ["U0BOB", "bob@acme.test"]])
    const unlinked = await usher(temp, ["slack", "unlink", "U0123ABCD"])
    assert.include(unlinked.stdout, "Unlinked Slack user U0123ABCD (was admin@acme.test).")
    await independentApprover(temp, "apo@acme.test")
    const request = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "left", "--json"])
    await usher(temp, ["--as", "apo@acme.test", "approvals", "approve", request.json.approval.id])
    const after = await usher(temp, ["slack", "links", "--json"])
    assert.deepStrictEqual(after.json, [], "erasing an account removes its Slack link")
  })
})
