import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Option, TestClock } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, system, withDatabase, twoOrganizations } from "./support.js"

/** The bot's identity jobs, run as the system (only the binaries provide it). */
const jobs = Core.Jobs.asSystem("slack")
const mapped = (slackUserId: string, email: string | null) => Core.Jobs.slackDirectoryUser(slackUserId, email).pipe(jobs)
const actingAs = (slackUserId: string, email: string | null) => Core.Jobs.slackActor(slackUserId, email).pipe(jobs)
function claim(key: string): Effect.Effect<boolean, never, SqlClient.SqlClient>
function claim<A, E, R>(key: string, work: Effect.Effect<A, E, R>): Effect.Effect<Option.Option<A>, E, R | SqlClient.SqlClient>
function claim<A, E, R>(key: string, work?: Effect.Effect<A, E, R>): Effect.Effect<unknown, E, R | SqlClient.SqlClient> {
  const claimed: Effect.Effect<unknown, E, R | SqlClient.SqlClient | Core.SystemActor> = work === undefined ? Core.Jobs.claimSlackDelivery(key) : Core.Jobs.claimSlackDelivery(key, work)
  return jobs(claimed)
}

const directory = twoOrganizations

describe("Slack identity", () => {
  it.live("a Slack user maps to the account with their verified e-mail; an explicit link wins over it", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const byEmail = yield* mapped("U0BOB", "Bob@Acme.test")
      assert.deepStrictEqual([byEmail.email, byEmail.via, byEmail.status], ["bob@acme.test", "email", "active"], "e-mails compare normalized")

      const head = yield* auditHead
      const link = yield* Core.linkSlackUser("U0BOB", "olga@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual([link.slackUserId, link.email, link.linkedBy], ["U0BOB", "olga@acme.test", ADMIN])
      const byLink = yield* mapped("U0BOB", "bob.private@example.test")
      assert.deepStrictEqual([byLink.email, byLink.via], ["olga@acme.test", "link"])
      // a linked Slack user whose Slack e-mail names another account is refused, never moved
      const mismatch = yield* failsWith(mapped("U0BOB", "bob@acme.test"), "SlackIdentityMismatch")
      assert.deepStrictEqual([mismatch.email, mismatch.tiedTo], ["bob@acme.test", "olga@acme.test"])
      assert.deepStrictEqual(yield* auditActions(head), ["slack.link"])

      const unlinked = yield* Core.unlinkSlackUser("U0BOB").pipe(asUser(ADMIN))
      assert.strictEqual(unlinked.email, "olga@acme.test")
      assert.strictEqual((yield* mapped("U0BOB", "bob@acme.test")).via, "email")
      assert.deepStrictEqual(yield* auditActions(head), ["slack.link", "slack.unlink"])
      yield* failsWith(Core.unlinkSlackUser("U0BOB").pipe(asUser(ADMIN)), "SlackLinkNotFound")
    })))

  it.live("nobody, no verified e-mail, a deleted account: unmapped, with a message saying how to link", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const unknown = yield* failsWith(mapped("U0NOBODY", "nobody@acme.test"), "SlackUserUnmapped")
      assert.include(unknown.message, "no user has the e-mail nobody@acme.test")
      assert.include(unknown.message, "nobody linked them to one")
      assert.notInclude(unknown.message, "usher slack", "core names no front-end command")
      const noEmail = yield* failsWith(mapped("U0NOBODY", null), "SlackUserUnmapped")
      assert.include(noEmail.message, "no verified e-mail")
      yield* failsWith(mapped("not-an-id", "bob@acme.test"), "InvalidSlackUserId")

      yield* Core.linkSlackUser("U0GONE", "bob@acme.test").pipe(asUser(ADMIN))
      yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(ADMIN))
      yield* Core.approveRequest(approval.id).pipe(asUser("apo@acme.test"))
      yield* failsWith(mapped("U0GONE", null), "SlackUserUnmapped")
      assert.deepStrictEqual(yield* Core.listSlackLinks.pipe(asUser(ADMIN)), [], "a deleted account's link is not listed")
    })))

  it.live("only an active account may act from Slack; a suspended one is told so", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      assert.strictEqual((yield* actingAs("U0BOB", "bob@acme.test")).email, "bob@acme.test")
      yield* Core.suspendUser("bob@acme.test", { reason: "audit" }).pipe(asUser(ADMIN))
      const suspended = yield* failsWith(actingAs("U0BOB", "bob@acme.test"), "SlackAccountInactive")
      assert.include(suspended.message, "suspended")
      assert.strictEqual((yield* mapped("U0BOB", "bob@acme.test")).status, "suspended", "still a target for reactivate")
    })))

  it.live("linking hands out the user's access: an org admin links their people but not a provider admin, nor outside their organization", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.linkSlackUser("U0BOB", "bob@acme.test").pipe(asUser("olga@acme.test"))
      // a provider admin is outside an org admin's reach: it answers as a missing account
      const escalation = yield* failsWithNothingWritten(Core.linkSlackUser("U0OLGA", ADMIN).pipe(asUser("olga@acme.test")), "UserNotFound")
      assert.strictEqual(escalation.message, new Core.UserNotFound({ user: ADMIN }).message)
      yield* failsWithNothingWritten(Core.linkSlackUser("U0UNA", "una@other.test").pipe(asUser("olga@acme.test")), "PermissionDenied")
      yield* failsWithNothingWritten(Core.linkSlackUser("U0X", "olga@acme.test").pipe(asUser("bob@acme.test")), "PermissionDenied")
      yield* failsWithNothingWritten(Core.unlinkSlackUser("U0BOB").pipe(asUser("bob@acme.test")), "PermissionDenied")
      yield* failsWith(Core.linkSlackUser("bob", "bob@acme.test").pipe(asUser(ADMIN)), "InvalidSlackUserId")

      const links = yield* Core.listSlackLinks.pipe(asUser("olga@acme.test"))
      assert.deepStrictEqual(links.map((l) => [l.slackUserId, l.email, l.linkedBy]), [["U0BOB", "bob@acme.test", "olga@acme.test"]])
      yield* Core.linkSlackUser("U0UNA", "una@other.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual((yield* Core.listSlackLinks.pipe(asUser("olga@acme.test"))).map((l) => l.slackUserId), ["U0BOB"], "only users she may read")
      assert.deepStrictEqual((yield* Core.listSlackLinks.pipe(asUser(ADMIN))).map((l) => l.slackUserId), ["U0BOB", "U0UNA"])
    })))

  it.live("relinking moves the Slack id and says from whom; linking the same pair again changes nothing", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.linkSlackUser("U0BOB", "olga@acme.test").pipe(asUser(ADMIN))
      const head = yield* auditHead
      yield* Core.linkSlackUser("U0BOB", "bob@acme.test").pipe(asUser(ADMIN))
      yield* Core.linkSlackUser("U0BOB", "bob@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* auditActions(head), ["slack.link"])
      const sql = yield* SqlClient.SqlClient
      const [event] = yield* sql<{ details: string }>`SELECT details FROM audit_events WHERE seq > ${head}`
      assert.deepStrictEqual(JSON.parse(event!.details), { email: "bob@acme.test", previous: "olga@acme.test", slackUserId: "U0BOB" })
      assert.isTrue((yield* Core.verifyAudit.pipe(system)).ok)
    })))

  it.live("item 1 (Slack): the first time a Slack user acts, the e-mail mapping is pinned to their Slack id; an e-mail pointed at another account later moves nothing", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const head = yield* auditHead
      const first = yield* actingAs("U0OLGA", "olga@acme.test")
      assert.deepStrictEqual([first.email, first.via], ["olga@acme.test", "link"], "pinned at once")
      assert.deepStrictEqual(yield* auditActions(head), ["slack.pin"])
      const [pinned] = yield* Core.listSlackLinks.pipe(asUser(ADMIN))
      assert.deepStrictEqual([pinned?.slackUserId, pinned?.email], ["U0OLGA", "olga@acme.test"])
      assert.strictEqual((yield* actingAs("U0OLGA", "olga@acme.test")).via, "link")
      assert.deepStrictEqual(yield* auditActions(head), ["slack.pin"], "pinned once")

      // the attack: olga's account is renamed and her Slack e-mail given to the admin's account
      yield* Core.updateUser("olga@acme.test", { email: "olga.old@acme.test" }).pipe(system)
      yield* Core.updateUser(ADMIN, { email: "olga@acme.test" }).pipe(system)
      const refused = yield* failsWith(actingAs("U0OLGA", "olga@acme.test"), "SlackIdentityMismatch")
      assert.include(refused.message, "olga.old@acme.test")
      assert.include(refused.message, "never moves a Slack identity by e-mail")
      // her own account's e-mail changing alone keeps her mapped to it
      yield* Core.updateUser("olga@acme.test", { email: ADMIN }).pipe(system)
      assert.strictEqual((yield* actingAs("U0OLGA", "olga.new@example.test")).email, "olga.old@acme.test")
    })))

  it.live("an account pinned to one Slack user is not mapped to a second Slack user by e-mail, nor linked to one", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* actingAs("U0BOB", "bob@acme.test")
      const taken = yield* failsWith(actingAs("U0EVE", "bob@acme.test"), "SlackAccountTaken")
      assert.include(taken.message, "an admin can unlink the other and link this one")
      yield* failsWithNothingWritten(Core.linkSlackUser("U0EVE", "bob@acme.test").pipe(asUser(ADMIN)), "SlackAccountTaken")
      // moving it is explicit: unlink, then link
      yield* Core.unlinkSlackUser("U0BOB").pipe(asUser(ADMIN))
      yield* Core.linkSlackUser("U0EVE", "bob@acme.test").pipe(asUser(ADMIN))
      assert.strictEqual((yield* actingAs("U0EVE", "bob@acme.test")).email, "bob@acme.test")
    })))

  it.effect("a delivery is claimed once across callers, and forgotten after a day", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2030-01-01T00:00:00Z"))
      assert.isTrue(yield* claim("T1:trigger-1"))
      assert.isFalse(yield* claim("T1:trigger-1"))
      const claims = yield* Effect.all(Array.from({ length: 20 }, () => claim("T1:trigger-2")), { concurrency: "unbounded" })
      assert.strictEqual(claims.filter((c) => c).length, 1)
      yield* TestClock.adjust("25 hours")
      assert.isTrue(yield* claim("T1:trigger-3"))
      assert.isTrue(yield* claim("T1:trigger-1"), "old keys are pruned")
    })))

  it.effect("a claim guarding work is given back when the work fails, and kept when it succeeds or was claimed already", () =>
    withDatabase(Effect.gen(function*() {
      const failed = yield* Effect.either(claim("post:1", Effect.fail("not_in_channel")))
      assert.deepStrictEqual(failed, Either.left("not_in_channel"))
      const died = yield* Effect.exit(claim("post:1", Effect.dieMessage("boom")))
      assert.isTrue(Exit.isFailure(died))
      assert.deepStrictEqual(yield* claim("post:1", Effect.succeed("posted")), Option.some("posted"), "free again after each failure")
      assert.deepStrictEqual(yield* claim("post:1", Effect.succeed("again")), Option.none(), "held after it succeeded")
      assert.isFalse(yield* claim("post:1"))
    })))
})
