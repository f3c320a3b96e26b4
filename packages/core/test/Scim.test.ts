/**
 * SCIM's use cases in core, below HTTP: what an identity provider provisions is an account like
 * any other (its audit rows replay, its rules are the person's rules), a provisioned person signs
 * in through that provider, and a token's organization bounds what it sees.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { ADMIN, asUser, failsWith, failsWithNothingWritten, twoOrganizations, withDatabase } from "./support.js"

const ISSUER = "https://idp.acme.test"

/** A SCIM token of an organization, authenticated as the server does, and the use case run through it. */
const scimToken = (owner: string, org: string) =>
  Effect.gen(function*() {
    const { secret } = yield* Core.createApiToken({ name: `${org} IdP`, only: "scim", org }).pipe(asUser(owner))
    return yield* Core.Jobs.authenticateApiToken(secret, "scim").pipe(Core.Jobs.asSystem("scim"))
  })

const resource = (userName: string, more: Record<string, unknown> = {}) => ({
  schemas: [Core.Scim.USER_SCHEMA], userName, name: { givenName: "Kim", familyName: "Scim" }, ...more
})

describe("SCIM in core", () => {
  it.live("a provisioned person's first sign-in through the identity provider activates and links the account; an account with a password still needs linking", () =>
    withDatabase(Effect.gen(function*() {
      yield* twoOrganizations
      const token = yield* scimToken(ADMIN, "acme")
      const created = yield* Core.Scim.scimCreateUser(resource("kim@acme.test")).pipe(Core.asToken(token, "scim"))
      assert.strictEqual((yield* Core.showUser("kim@acme.test").pipe(asUser(ADMIN))).user.status, "provisioned")

      const identity = { issuer: ISSUER, subject: "kim-1", email: "kim@acme.test", emailVerified: true, firstName: "Kim", lastName: "Scim" }
      const first = yield* Core.signInWithIdp(identity).pipe(Core.as("system", "web"))
      assert.deepStrictEqual([first.route, first.user.status, first.user.id], ["provisioned", "active", created.id])
      const again = yield* Core.signInWithIdp(identity).pipe(Core.as("system", "web"))
      assert.strictEqual(again.route, "linked")

      // an account an admin created (it has a temporary password) is not the provider's to claim
      yield* Core.createUser({ email: "pat@acme.test", firstName: "Pat", lastName: "Cli" }).pipe(asUser(ADMIN))
      yield* failsWith(Core.signInWithIdp({ ...identity, subject: "pat-1", email: "pat@acme.test" }).pipe(Core.as("system", "web")), "IdpLinkRequired")

      // what SCIM did replays from the audit log like everything else
      const check = yield* Core.verifyAudit.pipe(asUser(ADMIN))
      assert.isTrue(check.ok, JSON.stringify(check.problems))
    })))

  it.live("a token sees its organization only, acts with its owner's rights, and a deletion frees the userName", () =>
    withDatabase(Effect.gen(function*() {
      yield* twoOrganizations
      const other = yield* scimToken(ADMIN, "other")
      const page = yield* Core.Scim.scimListUsers({}).pipe(Core.asToken(other, "scim"))
      assert.deepStrictEqual(page.Resources.map((u) => u.userName), ["una@other.test"])
      const olga = (yield* Core.showUser("olga@acme.test").pipe(asUser(ADMIN))).user.id
      yield* failsWith(Core.Scim.scimGetUser(olga).pipe(Core.asToken(other, "scim")), "UserNotFound")

      // olga is an org admin of acme: her token provisions there, not at other, and never the provider admin
      const olgas = yield* scimToken("olga@acme.test", "acme")
      yield* Core.Scim.scimCreateUser(resource("Lee", { emails: [{ value: "lee@acme.test", primary: true }] })).pipe(Core.asToken(olgas, "scim"))
      const admin = (yield* Core.showUser(ADMIN).pipe(asUser(ADMIN))).user.id
      yield* failsWithNothingWritten(Core.Scim.scimPatchUser(admin, { Operations: [{ op: "replace", value: { active: false } }] }).pipe(Core.asToken(olgas, "scim")), "UserNotFound")
      const otherOlga = yield* Core.createApiToken({ name: "x", only: "scim", org: "other" }).pipe(asUser("olga@acme.test"), Effect.flatMap(({ secret }) => Core.Jobs.authenticateApiToken(secret, "scim").pipe(Core.Jobs.asSystem("scim"))))
      yield* failsWithNothingWritten(Core.Scim.scimCreateUser(resource("x@other.test")).pipe(Core.asToken(otherOlga, "scim")), "PermissionDenied")

      // the userName is unique without regard to case until the account is deleted
      const acme = yield* scimToken(ADMIN, "acme")
      yield* failsWithNothingWritten(Core.Scim.scimCreateUser(resource("LEE", { emails: [{ value: "lee2@acme.test" }] })).pipe(Core.asToken(acme, "scim")), "ScimUserNameTaken")
      yield* Core.setSetting("scim.delete", "delete").pipe(asUser(ADMIN))
      const lee = (yield* Core.Scim.scimListUsers({ filter: 'userName eq "lee"' }).pipe(Core.asToken(acme, "scim"))).Resources[0]!
      yield* Core.Scim.scimDeleteUser(lee.id).pipe(Core.asToken(acme, "scim"))
      const again = yield* Core.Scim.scimCreateUser(resource("lee", { emails: [{ value: "lee@acme.test" }] })).pipe(Core.asToken(acme, "scim"))
      assert.notStrictEqual(again.id, lee.id)
      assert.isTrue((yield* Core.verifyAudit.pipe(asUser(ADMIN))).ok)
    })))
  it.live("meta.lastModified is the last change made anywhere; a group's version and lastModified move when its members change", () =>
    withDatabase(Effect.gen(function*() {
      yield* twoOrganizations
      const token = yield* scimToken(ADMIN, "acme")
      const later = Effect.sleep("5 millis")
      const kim = yield* Core.Scim.scimCreateUser(resource("kim@acme.test")).pipe(Core.asToken(token, "scim"))
      assert.strictEqual(kim.meta.lastModified, kim.meta.created)

      // a change from another front-end (the CLI's updateUser) is a modification SCIM sees
      yield* later
      yield* Core.updateUser("kim@acme.test", { firstName: "Kimberly" }).pipe(asUser(ADMIN))
      const edited = yield* Core.Scim.scimGetUser(kim.id).pipe(Core.asToken(token, "scim"))
      assert.isTrue(edited.meta.lastModified > kim.meta.created, edited.meta.lastModified)
      assert.notStrictEqual(edited.meta.version, kim.meta.version)
      const since = yield* Core.Scim.scimListUsers({ filter: `meta.lastModified gt "${kim.meta.created}"` }).pipe(Core.asToken(token, "scim"))
      assert.deepStrictEqual(since.Resources.map((u) => u.id), [kim.id])

      // members are part of a group as the IdP reads it: adding, removing and deleting a member move it
      const group = yield* Core.Scim.scimCreateGroup({ schemas: [Core.Scim.GROUP_SCHEMA], displayName: "Pilots" }).pipe(Core.asToken(token, "scim"))
      assert.strictEqual(group.meta.lastModified, group.meta.created)
      const seen: Array<{ version: string; lastModified: string }> = [group.meta]
      const moved = (why: string) =>
        Effect.gen(function*() {
          const now = (yield* Core.Scim.scimGetGroup(group.id).pipe(Core.asToken(token, "scim"))).meta
          const before = seen[seen.length - 1]!
          assert.notStrictEqual(now.version, before.version, why)
          assert.isTrue(now.lastModified > before.lastModified, why)
          seen.push(now)
        })
      yield* later
      yield* Core.addGroupMembers("Pilots", ["kim@acme.test", "olga@acme.test"], "acme").pipe(asUser(ADMIN))
      yield* moved("members added")
      yield* later
      yield* Core.removeGroupMembers("Pilots", ["olga@acme.test"], "acme").pipe(asUser(ADMIN))
      yield* moved("a member removed")
      yield* later
      yield* Core.setSetting("scim.delete", "delete").pipe(asUser(ADMIN))
      yield* Core.Scim.scimDeleteUser(kim.id).pipe(Core.asToken(token, "scim"))
      yield* moved("its last member deleted")
      // a stale If-Match from before the membership change is refused
      yield* failsWithNothingWritten(
        Core.Scim.scimPatchGroup(group.id, { Operations: [{ op: "replace", value: { displayName: "Crew" } }] }, seen[1]!.version).pipe(Core.asToken(token, "scim")),
        "ConcurrentModification"
      )
    })))
})
