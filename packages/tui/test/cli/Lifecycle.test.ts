import { assert, describe, it } from "@effect/vitest"
import type { TempDirectory } from "@usher/testkit"
import { readFileSync } from "node:fs"
import { afterEach } from "vitest"
import { initializedDirectory, usher } from "../support.js"

const temps: Array<TempDirectory> = []
const directory = async () => {
  const temp = await initializedDirectory()
  temps.push(temp)
  return temp
}
afterEach(() => {
  for (const t of temps.splice(0)) t.cleanup()
})

const PASSWORD = "a perfectly fine passphrase\n"

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
    const approver = await usher(temp, ["users", "invite", "apo@acme.test", "--role", "approver", "--link", "--json"])
    await usher(temp, ["invites", "accept", approver.json.link, "--password-stdin", "--first-name", "Apo", "--last-name", "Prover"], {}, PASSWORD)
    const noReason = await usher(temp, ["users", "delete", "bob@acme.test", "--json"])
    assert.strictEqual(noReason.json.error._tag, "ReasonRequired")

    const requested = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "left the company", "--json"])
    assert.strictEqual(requested.code, 0, requested.stderr)
    assert.deepStrictEqual(Object.keys(requested.json), ["approval"])
    assert.strictEqual(requested.json.approval.status, "pending")
    const id: string = requested.json.approval.id
    const text = await usher(temp, ["users", "delete", "bob@acme.test", "--reason", "twice"])
    assert.include(text.stdout, "Approval requested")

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
    const approver = await usher(temp, ["users", "invite", "apo@acme.test", "--role", "approver", "--link", "--json"])
    await usher(temp, ["invites", "accept", approver.json.link, "--password-stdin", "--first-name", "A", "--last-name", "P"], {}, PASSWORD)
    const bulk = await usher(temp, ["users", "suspend", "lee@acme.test", "apo@acme.test", "--reason", "incident", "--json"])
    assert.strictEqual(bulk.json.approval.action, "users.suspend")
    await usher(temp, ["settings", "set", "approval.gates", "none"])
    const perUser = await usher(temp, ["users", "suspend", "lee@acme.test", "kim@acme.test"])
    assert.strictEqual(perUser.code, 1, "one of them could not be suspended")
    assert.include(perUser.stdout, "Suspended lee@acme.test.")
    assert.include(perUser.stdout, "kim@acme.test: Cannot suspend a user who is invited.")
  })
})
