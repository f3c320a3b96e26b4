import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, failsWithNothingWritten, initialized, system, withDatabase } from "./support.js"

/** acme with the provider admin, an org admin, a user manager (mallory) and a plain member. */
const directory = Effect.gen(function*() {
  yield* initialized
  yield* activeUser({ email: "oadm@acme.test", roles: ["org-admin"] })
  yield* activeUser({ email: "mallory@acme.test", roles: ["user-manager"] })
  yield* activeUser({ email: "grace@acme.test" })
})

const MALLORY = "mallory@acme.test"

/** The message a missing account gives, with its e-mail replaced, to compare with a hidden one. */
const sameAsMissing = (hidden: { readonly message: string }, email: string) =>
  assert.strictEqual(hidden.message, new Core.UserNotFound({ user: email }).message)

describe("Reach: nobody acts on an account stronger than their own", () => {
  it.live("item 1: a user manager cannot change an admin's e-mail, reset their password or suspend them; it answers as a missing account", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      for (const target of [ADMIN, "oadm@acme.test"]) {
        sameAsMissing(yield* failsWithNothingWritten(Core.updateUser(target, { email: "attacker@evil.test" }).pipe(asUser(MALLORY)), "UserNotFound"), target)
        sameAsMissing(yield* failsWithNothingWritten(Core.requestPasswordReset(target).pipe(asUser(MALLORY)), "UserNotFound"), target)
        sameAsMissing(yield* failsWithNothingWritten(Core.suspendUser(target).pipe(asUser(MALLORY)), "UserNotFound"), target)
        sameAsMissing(yield* failsWithNothingWritten(Core.revokeSessions(target).pipe(asUser(MALLORY)), "UserNotFound"), target)
      }
      // within reach, the same actions still work
      const updated = yield* Core.updateUser("grace@acme.test", { position: "Engineer" }).pipe(asUser(MALLORY))
      assert.strictEqual(updated.position, "Engineer")
      yield* Core.suspendUser("grace@acme.test").pipe(asUser(MALLORY))
    })))

  it.live("item 2: a user manager cannot resend (or take the link of) an invitation carrying provider-admin, nor cancel it", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.inviteUser({ email: "boss@acme.test", roles: ["provider-admin"], scope: "provider" }).pipe(asUser(ADMIN))
      sameAsMissing(yield* failsWithNothingWritten(Core.resendInvitation("boss@acme.test", { link: true }).pipe(asUser(MALLORY)), "UserNotFound"), "boss@acme.test")
      sameAsMissing(yield* failsWithNothingWritten(Core.cancelInvitation("boss@acme.test").pipe(asUser(MALLORY)), "UserNotFound"), "boss@acme.test")
      // an invitation she could have made herself stays hers to resend
      yield* Core.inviteUser({ email: "new@acme.test" }).pipe(asUser(ADMIN))
      yield* Core.resendInvitation("new@acme.test", { link: true }).pipe(asUser(MALLORY))
    })))

  it.live("item 3: revoking needs what granting needs, and a user manager cannot suspend a provider admin", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "second@acme.test", roles: ["provider-admin"], scope: "provider" })
      yield* failsWithNothingWritten(Core.revokeRole({ role: "org-admin", from: { user: "oadm@acme.test" } }).pipe(asUser(MALLORY)), "EscalationDenied")
      sameAsMissing(yield* failsWithNothingWritten(Core.suspendUser("second@acme.test").pipe(asUser(MALLORY)), "UserNotFound"), "second@acme.test")
      // the org admin may still revoke what it could grant
      yield* Core.revokeRole({ role: "user-manager", from: { user: MALLORY } }).pipe(asUser("oadm@acme.test"))
    })))

  it.live("item 6: a member of another organization cannot join an acme group", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      yield* activeUser({ email: "carol@beta.test", org: "beta" })
      yield* Core.createGroup({ name: "helpers" }).pipe(system)
      const refused = yield* failsWithNothingWritten(Core.addGroupMembers("helpers", ["carol@beta.test"]).pipe(asUser(ADMIN)), "NotAMember")
      assert.deepStrictEqual([refused.user, refused.org], ["carol@beta.test", "acme"])
    })))

  it.live("item 7: an account outside what the reader may see answers exactly as a missing one", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      yield* activeUser({ email: "bea@beta.test", org: "beta", roles: ["user-manager"] })
      const hidden = yield* failsWithNothingWritten(Core.showUser(ADMIN).pipe(asUser("bea@beta.test")), "UserNotFound")
      const missing = yield* failsWithNothingWritten(Core.showUser("ghost@acme.test").pipe(asUser("bea@beta.test")), "UserNotFound")
      assert.strictEqual(hidden.message.replace(ADMIN, "X"), missing.message.replace("ghost@acme.test", "X"))
    })))

  it.live("B: changing an e-mail mails the old address, naming who changed it to what", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.updateUser("grace@acme.test", { email: "grace.new@acme.test" }).pipe(asUser(MALLORY))
      const [notice] = yield* Core.listOutbox().pipe(asUser(ADMIN))
      assert.deepStrictEqual([notice?.to, notice?.kind, notice?.status], ["grace@acme.test", "email-change", "sent"])
      const shown = yield* Core.showOutbox(notice!.id).pipe(asUser(ADMIN))
      assert.include(shown.text, "(mallory@acme.test) changed the e-mail of your account from grace@acme.test to grace.new@acme.test")
      // a profile change without a new e-mail mails nobody
      yield* Core.updateUser("grace.new@acme.test", { position: "Lead" }).pipe(asUser(MALLORY))
      assert.lengthOf(yield* Core.listOutbox().pipe(asUser(ADMIN)), 1)
    })))
})
