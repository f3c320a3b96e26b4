import { SqlClient } from "@effect/sql"
import { Cause, Effect, Either, Exit, Option, Schema } from "effect"
import { Actor, actorSubject, loadSubject, now, requireForAccount, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import { checkDelegation } from "./internal/grants.js"
import { findUser } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import type { UserId } from "./Domain/Ids.js"
import { normalizeEmail, type UserStatus } from "./Domain/User.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"

/** Not a Slack user id (`U…` or `W…`, upper-case letters and digits). */
export class InvalidSlackUserId extends Schema.TaggedError<InvalidSlackUserId>()("InvalidSlackUserId", { slackUserId: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `"${this.slackUserId}" is not a Slack user id; it looks like U0123ABCD (Slack: profile → ⋮ → Copy member ID).`
  }
}

/** A Slack user who maps to no directory user: no explicit link, and no account with their verified Slack e-mail. */
export class SlackUserUnmapped extends Schema.TaggedError<SlackUserUnmapped>()("SlackUserUnmapped", {
  slackUserId: Schema.String,
  email: Schema.NullOr(Schema.String)
}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return this.email === null
      ? `The Slack user ${this.slackUserId} has no directory account: Slack shows no verified e-mail for them, and nobody linked them to one.`
      : `The Slack user ${this.slackUserId} has no directory account: no user has the e-mail ${this.email}, and nobody linked them to one.`
  }
}

/** The Slack user's directory account exists but may not act (suspended, or not active yet). */
export class SlackAccountInactive extends Schema.TaggedError<SlackAccountInactive>()("SlackAccountInactive", {
  email: Schema.String,
  status: Schema.String
}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return this.status === "suspended"
      ? `Your directory account ${this.email} is suspended, so you cannot use usher from Slack; ask an admin.`
      : `Your directory account ${this.email} is ${this.status}, not active yet, so you cannot use usher from Slack; finish signing up first.`
  }
}

/**
 * A Slack user tied to one directory account whose verified Slack e-mail now belongs to another:
 * an e-mail never moves a Slack identity (someone who could set that e-mail would take the
 * account over), so the bot refuses until an admin re-links them.
 */
export class SlackIdentityMismatch extends Schema.TaggedError<SlackIdentityMismatch>()("SlackIdentityMismatch", {
  slackUserId: Schema.String,
  email: Schema.String,
  tiedTo: Schema.String
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Your Slack account ${this.slackUserId} acts as the directory account ${this.tiedTo}, but Slack now shows your e-mail as ${this.email}, which is another account's. usher never moves a Slack identity by e-mail; an admin must check and re-link it.`
  }
}

/** A directory account already tied to another Slack user: a second one is not mapped to it by e-mail. */
export class SlackAccountTaken extends Schema.TaggedError<SlackAccountTaken>()("SlackAccountTaken", {
  slackUserId: Schema.String,
  email: Schema.String
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `The directory account ${this.email} acts in Slack through another Slack user already, so the Slack user ${this.slackUserId} is not mapped to it by e-mail; an admin can unlink the other and link this one.`
  }
}

/** No link for that Slack user id. */
export class SlackLinkNotFound extends Schema.TaggedError<SlackLinkNotFound>()("SlackLinkNotFound", { slackUserId: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `The Slack user ${this.slackUserId} is not linked to anyone.`
  }
}

/** A Slack user linked explicitly to a directory user. */
export interface SlackLink {
  readonly slackUserId: string
  readonly userId: UserId
  readonly email: string
  readonly status: UserStatus
  readonly linkedBy: string
  readonly linkedAt: string
}

/** The directory user a Slack user maps to, and how. */
export interface SlackIdentity {
  readonly id: UserId
  readonly email: string
  readonly status: UserStatus
  readonly via: "link" | "email"
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/

const slackUserIdOf = (text: string) => {
  const id = text.trim()
  return SLACK_USER_ID.test(id) ? Effect.succeed(id) : Effect.fail(new InvalidSlackUserId({ slackUserId: text }))
}

interface LinkRow {
  readonly slackUserId: string
  readonly userId: UserId
  readonly email: string | null
  readonly status: UserStatus
  readonly linkedBy: string
  readonly linkedAt: string
}

const SELECT_LINK = `SELECT l.slack_user_id, l.user_id, u.email, u.status, COALESCE(b.email, l.linked_by) AS linked_by, l.linked_at
  FROM slack_links l JOIN users u ON u.id = l.user_id LEFT JOIN users b ON b.id = l.linked_by`

const toLink = (row: LinkRow): SlackLink => ({ ...row, email: row.email ?? "" })

/**
 * Links a Slack user id to a directory user: whoever holds that Slack account then acts in Slack
 * as that user. That hands out the user's access, so it needs what handing out that access
 * needs: `users.update` on the account (every organization of it, like changing its e-mail)
 * and, for every role the user holds, the delegation rule (`roles.assign` and each permission
 * of the role at its scope). An org admin can therefore link their people but not a provider
 * admin. A Slack id already linked is moved to the new user; the audit row says from whom.
 */
export const linkSlackUser = (slackUserIdText: string, userRef: string) =>
  transaction(Effect.gen(function*() {
    const slackUserId = yield* slackUserIdOf(slackUserIdText)
    const user = yield* findUser(userRef)
    yield* requireForAccount("users.update", user.id)
    const held = yield* loadSubject(user.id)
    yield* checkDelegation(held.paths.map((p) => ({ role: p.role, permissions: p.permissions, scope: p.scope })))
    const sql = yield* SqlClient.SqlClient
    const [previous] = yield* sql<LinkRow>`${sql.literal(SELECT_LINK)} WHERE l.slack_user_id = ${slackUserId}`.pipe(Effect.orDie)
    if (previous !== undefined && previous.userId === user.id) return toLink(previous)
    // one Slack user per account: moving an account to another Slack user is unlink, then link
    const [other] = yield* sql<{ slackUserId: string }>`SELECT slack_user_id FROM slack_links WHERE user_id = ${user.id}`.pipe(Effect.orDie)
    if (other !== undefined) return yield* Effect.fail(new SlackAccountTaken({ slackUserId, email: user.email }))
    if (previous !== undefined) yield* requireForAccount("users.update", previous.userId)
    const actor = yield* actorSubject
    const at = (yield* now).toISOString()
    yield* sql`INSERT INTO slack_links (slack_user_id, user_id, linked_by, linked_at) VALUES (${slackUserId}, ${user.id}, ${actor.userId}, ${at})
      ON CONFLICT (slack_user_id) DO UPDATE SET user_id = excluded.user_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at`.pipe(Effect.orDie)
    yield* record({
      action: "slack.link",
      target: user.id,
      details: { slackUserId, email: user.email, ...(previous === undefined ? {} : { previous: previous.email ?? previous.userId }) }
    })
    const [row] = yield* sql<LinkRow>`${sql.literal(SELECT_LINK)} WHERE l.slack_user_id = ${slackUserId}`.pipe(Effect.orDie)
    return toLink(row!)
  }))

/** Removes a Slack user's link (needs `users.update` on the linked account); they map by e-mail again. */
export const unlinkSlackUser = (slackUserIdText: string) =>
  transaction(Effect.gen(function*() {
    const slackUserId = yield* slackUserIdOf(slackUserIdText)
    const sql = yield* SqlClient.SqlClient
    const [link] = yield* sql<LinkRow>`${sql.literal(SELECT_LINK)} WHERE l.slack_user_id = ${slackUserId}`.pipe(Effect.orDie)
    if (link === undefined) return yield* Effect.fail(new SlackLinkNotFound({ slackUserId }))
    yield* requireForAccount("users.update", link.userId)
    yield* sql`DELETE FROM slack_links WHERE slack_user_id = ${slackUserId}`.pipe(Effect.orDie)
    yield* record({ action: "slack.unlink", target: link.userId, details: { slackUserId, email: link.email } })
    return toLink(link)
  }))

/** The links whose users the actor may read (`users.read`), by e-mail. */
export const listSlackLinks = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<LinkRow>`${sql.literal(SELECT_LINK)} WHERE u.status <> 'deleted' ORDER BY u.email, l.slack_user_id`.pipe(Effect.orDie)
  const visible: Array<SlackLink> = []
  for (const row of rows) {
    if (Either.isRight(yield* Effect.either(requireReadable(row.userId)))) visible.push(toLink(row))
  }
  return visible
})

/**
 * The directory user a Slack user maps to: their link (made by an admin, or pinned the first
 * time they acted), else the account whose e-mail is their verified Slack e-mail (`null` when
 * Slack shows none). An e-mail never moves a Slack identity: a linked Slack user whose e-mail now
 * names another account is refused (`SlackIdentityMismatch`), and an account linked to another
 * Slack user is not mapped to by e-mail (`SlackAccountTaken`). Deleted accounts map to nobody.
 * Used for the people a command names, whatever their status.
 */
export const slackDirectoryUser = (slackUserIdText: string, verifiedEmail: string | null) =>
  Effect.gen(function*() {
    const slackUserId = yield* slackUserIdOf(slackUserIdText)
    const sql = yield* SqlClient.SqlClient
    const [link] = yield* sql<LinkRow>`${sql.literal(SELECT_LINK)} WHERE l.slack_user_id = ${slackUserId} AND u.status <> 'deleted'`.pipe(Effect.orDie)
    const email = verifiedEmail === null ? null : Either.getOrNull(normalizeEmail(verifiedEmail))
    const [byEmail] = email === null ? [] : yield* sql<{ id: UserId; email: string; status: UserStatus }>`
      SELECT id, email, status FROM users WHERE email = ${email} AND status <> 'deleted'`.pipe(Effect.orDie)
    if (link !== undefined) {
      if (byEmail !== undefined && byEmail.id !== link.userId) {
        return yield* Effect.fail(new SlackIdentityMismatch({ slackUserId, email: byEmail.email, tiedTo: link.email ?? link.userId }))
      }
      return { id: link.userId, email: link.email ?? "", status: link.status, via: "link" } satisfies SlackIdentity
    }
    if (byEmail !== undefined) {
      const [taken] = yield* sql<{ slackUserId: string }>`
        SELECT slack_user_id FROM slack_links WHERE user_id = ${byEmail.id} AND slack_user_id <> ${slackUserId}`.pipe(Effect.orDie)
      if (taken !== undefined) return yield* Effect.fail(new SlackAccountTaken({ slackUserId, email: byEmail.email }))
      return { ...byEmail, via: "email" } satisfies SlackIdentity
    }
    return yield* Effect.fail(new SlackUserUnmapped({ slackUserId, email: verifiedEmail }))
  })

/**
 * Ties a Slack user to the account their e-mail mapped them to, the first time they act: from
 * then on the stored Slack user id decides, never the e-mail. Audited as the user themself.
 */
const pin = (slackUserId: string, identity: SlackIdentity) =>
  transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const added = yield* sql<{ slackUserId: string }>`
      INSERT INTO slack_links (slack_user_id, user_id, linked_by, linked_at) VALUES (${slackUserId}, ${identity.id}, ${identity.id}, ${at})
      ON CONFLICT (slack_user_id) DO NOTHING RETURNING slack_user_id`.pipe(Effect.orDie)
    if (added.length > 0) yield* record({ action: "slack.pin", target: identity.id, details: { slackUserId, email: identity.email } })
  })).pipe(Effect.provideService(Actor, { id: identity.id, via: "slack" }))

/**
 * The directory user a Slack user acts as: mapped like `slackDirectoryUser`, and active. The
 * first time, the mapping by e-mail is pinned to the Slack user id.
 */
export const slackActor = (slackUserId: string, verifiedEmail: string | null) =>
  Effect.gen(function*() {
    const identity = yield* slackDirectoryUser(slackUserId, verifiedEmail)
    if (identity.status !== "active") return yield* Effect.fail(new SlackAccountInactive({ email: identity.email, status: identity.status }))
    if (identity.via === "link") return identity
    yield* pin(slackUserId.trim(), identity)
    // another replica may have pinned it at the same moment: what is stored decides
    return yield* slackDirectoryUser(slackUserId, verifiedEmail)
  })

/** How long a delivery is remembered; Slack redelivers within minutes, never days later. */
const DELIVERY_MEMORY_MS = 24 * 3_600_000

const claim = (key: string) =>
  transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const inserted = yield* sql<{ key: string }>`
      INSERT INTO slack_deliveries (key, received_at) VALUES (${key}, ${at.toISOString()}) ON CONFLICT (key) DO NOTHING RETURNING key`
    yield* sql`DELETE FROM slack_deliveries WHERE received_at < ${new Date(at.getTime() - DELIVERY_MEMORY_MS).toISOString()}`
    return inserted.length > 0
  }).pipe(Effect.orDie))

const release = (key: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM slack_deliveries WHERE key = ${key}`).pipe(Effect.asVoid, Effect.orDie)

/**
 * Claims one Slack delivery (a slash command's or interaction's trigger, a message to post):
 * true the first time a key is seen, false for a redelivery, across every replica sharing the
 * database. Given `work`, runs it only when the claim is won (`Some` of its result, `None` for a
 * delivery claimed already) and gives the claim back when the work fails, so that a later
 * attempt can take it; an interrupted work keeps the claim (it may have happened). Bookkeeping
 * of the bot, not a change of the directory, so it writes no audit row.
 */
export function claimSlackDelivery(key: string): Effect.Effect<boolean, never, SqlClient.SqlClient>
export function claimSlackDelivery<A, E, R>(key: string, work: Effect.Effect<A, E, R>): Effect.Effect<Option.Option<A>, E, R | SqlClient.SqlClient>
export function claimSlackDelivery<A, E, R>(key: string, work?: Effect.Effect<A, E, R>) {
  if (work === undefined) return claim(key)
  return Effect.flatMap(claim(key), (won) =>
    won
      ? work.pipe(
        Effect.onExit((exit) => Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? release(key) : Effect.void),
        Effect.asSome
      )
      : Effect.succeedNone)
}
