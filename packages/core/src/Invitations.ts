import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { Actor, actorSubject, now, requireAt, requireReach, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import { CoreConfig } from "./CoreConfig.js"
import { checkPassword } from "./Domain/Credentials.js"
import { InvalidProfile, InvitationInvalid, InvitationNotFound, PermissionDenied } from "./Domain/Errors.js"
import { looksLikeId, newId } from "./Domain/Ids.js"
import * as Lifecycle from "./Domain/Lifecycle.js"
import { invitationMail } from "./Domain/Mail.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { displayName, type User } from "./Domain/User.js"
import { deliver, enqueue } from "./Mail.js"
import { currentSettings } from "./Settings.js"
import { issueToken, consumeToken, peekToken } from "./internal/tokens.js"
import { findUser, orgOrDefault } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { hashPassword } from "./Passwords.js"
import { assertEmailFree, grantInitialAccess, requireProfile } from "./Users.js"
import { changeStatus } from "./Users/Lifecycle.js"
import { insertUser, searchText, userDetail, writeUser } from "./Users/UsersRepo.js"
import type { InviteInput, AcceptInput } from "./Domain/Inputs.js"
export type { InviteInput, AcceptInput } from "./Domain/Inputs.js"


/** Where an invitation stands; `expired` is a pending one past its date. */
export type InvitationStatus = "pending" | "expired" | "accepted"

/** An invitation as listed. */
export interface Invitation {
  readonly id: string
  readonly userId: string
  readonly email: string
  readonly name: string
  readonly org: string
  readonly invitedBy: string
  readonly createdAt: string
  readonly expiresAt: string
  readonly status: InvitationStatus
  readonly delivery: "email" | "link"
  readonly sentCount: number
  readonly lastSentAt: string
  readonly acceptedAt: string | null
}

/** How the invitation reached (or will reach) the invitee. */
export interface InvitationSent {
  readonly invitation: Invitation
  /** the registration link: only when it was asked for instead of a mail */
  readonly link?: string
  /** the mail, when one was sent: `sent`, or `failed` with the reason (it stays in the outbox) */
  readonly mail?: { readonly id: string; readonly status: "sent" | "failed" | "queued"; readonly file: string | null; readonly error: string | null }
}

interface InvitationRow {
  readonly id: string
  readonly userId: string
  readonly email: string | null
  readonly firstName: string
  readonly lastName: string
  readonly org: string
  readonly orgName: string
  readonly orgId: string
  readonly invitedBy: string
  readonly createdAt: string
  readonly expiresAt: string
  readonly status: "pending" | "accepted"
  readonly delivery: "email" | "link"
  readonly sentCount: number
  readonly lastSentAt: string
  readonly acceptedAt: string | null
  readonly version: number
}

const SELECT = `SELECT i.id, i.user_id, u.email, u.first_name, u.last_name, o.slug AS org, o.name AS org_name, o.id AS org_id,
    COALESCE(b.email, i.invited_by) AS invited_by, i.created_at, i.expires_at, i.status, i.delivery, i.sent_count,
    i.last_sent_at, i.accepted_at, i.version
  FROM invitations i JOIN users u ON u.id = i.user_id JOIN organizations o ON o.id = i.org_id
  LEFT JOIN users b ON b.id = i.invited_by`

const toInvitation = (row: InvitationRow, at: Date): Invitation => ({
  id: row.id,
  userId: row.userId,
  email: row.email ?? "",
  name: `${row.firstName} ${row.lastName}`.trim(),
  org: row.org,
  invitedBy: row.invitedBy,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  status: row.status === "pending" && Date.parse(row.expiresAt) <= at.getTime() ? "expired" : row.status,
  delivery: row.delivery,
  sentCount: Number(row.sentCount),
  lastSentAt: row.lastSentAt,
  acceptedAt: row.acceptedAt
})

const inviteLink = (token: string) => Effect.map(CoreConfig, (config) => `${config.publicUrl}/invite/${token}`)

/** The acting user's name and e-mail, for a mail's "who did this" (null for `system`). */
const actorPerson = Effect.gen(function*() {
  const actor = yield* Actor
  if (actor.id === "system") return null
  const user = yield* findUser(actor.id).pipe(Effect.orElseSucceed(() => null))
  return user === null ? null : { name: displayName(user), email: user.email }
})

/** Queues the invitation mail for a pending invitation (caller's transaction). */
const queueInvitationMail = (user: User, orgSlug: string, link: string, expiresAt: string) =>
  Effect.gen(function*() {
    const detail = yield* userDetail(user)
    const org = yield* orgOrDefault(orgSlug)
    const composed = invitationMail({
      inviter: yield* actorPerson,
      invitee: { name: displayName(user) === user.email ? "" : displayName(user), email: user.email },
      org: { slug: org.slug, name: org.name },
      roles: detail.grants.map((g) => `${g.role}@${g.scope}`),
      groups: detail.groups.map((g) => `${g.org}/${g.name}`),
      link,
      expiresAt
    })
    return yield* enqueue({ kind: "invitation", userId: user.id, to: user.email, ...composed })
  })

const findInvitationRow = (ref: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const trimmed = ref.trim()
    const byId = looksLikeId(trimmed)
      ? yield* sql<InvitationRow>`${sql.literal(SELECT)} WHERE i.id = ${trimmed.toLowerCase()}`.pipe(Effect.orDie)
      : []
    if (byId[0] !== undefined) return byId[0]
    const user = yield* findUser(ref).pipe(Effect.mapError(() => new InvitationNotFound({ user: ref })))
    const [row] = yield* sql<InvitationRow>`${sql.literal(SELECT)} WHERE i.user_id = ${user.id}`.pipe(Effect.orDie)
    if (row === undefined || row.status !== "pending") return yield* Effect.fail(new InvitationNotFound({ user: user.email }))
    return row
  })

/**
 * In the invitation's transaction: its link, its mail queued unless the link is handed to the
 * inviter, and the invitation as it now reads.
 */
const handOut = (userId: string, orgSlug: string, token: { readonly token: string; readonly expiresAt: string }, handOver: boolean, at: Date) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const link = yield* inviteLink(token.token)
    const mailId = handOver ? null : yield* queueInvitationMail(yield* findUser(userId), orgSlug, link, token.expiresAt)
    const [row] = yield* sql<InvitationRow>`${sql.literal(SELECT)} WHERE i.user_id = ${userId}`.pipe(Effect.orDie)
    return { invitation: toInvitation(row!, at), link: handOver ? link : undefined, mailId }
  })

/** After the commit: the mail sent, and what the inviter is told. */
const delivered = (sent: { readonly invitation: Invitation; readonly link: string | undefined; readonly mailId: string | null }) =>
  Effect.gen(function*() {
    const [report] = sent.mailId === null ? [] : yield* deliver([sent.mailId])
    const mail = sent.mailId === null ? undefined : {
      id: sent.mailId,
      status: report === undefined ? "queued" as const : report.status === "sent" ? "sent" as const : "failed" as const,
      file: report?.file ?? null,
      error: report?.error ?? null
    }
    return {
      invitation: sent.invitation,
      ...(sent.link !== undefined ? { link: sent.link } : {}),
      ...(mail !== undefined ? { mail } : {})
    } satisfies InvitationSent
  })

/**
 * Whether the actor may invite into an organization (the default one unless named), without
 * inviting anyone: a front-end that asks for the details in a form checks first, so nobody fills
 * one in only to be refused.
 */
export const checkCanInvite = (orgSlug?: string) =>
  Effect.gen(function*() {
    const org = yield* orgOrDefault(orgSlug)
    yield* requireAt("users.invite", Scope.org(org.slug))
    return { org: org.slug }
  })

/**
 * Invites someone: an `invited` account holding the requested roles and groups (they count once
 * it is active), and an invitation whose single-use link is mailed — or, with `link`, handed to
 * the inviter instead. Needs `users.invite` at the organization, and delegation for the access.
 */
export const inviteUser = (input: InviteInput) =>
  Effect.gen(function*() {
    const at = yield* now
    const { link: handOver, org: orgSlug, roles, scope, groups, email, ...rest } = input
    const profile = yield* requireProfile({ kind: "member", ...rest, email }, at)
    const settings = yield* currentSettings
    const sent = yield* transaction(Effect.gen(function*() {
      const org = yield* orgOrDefault(orgSlug)
      yield* requireAt("users.invite", Scope.org(org.slug))
      yield* assertEmailFree(profile.email!)
      const created = at.toISOString()
      const userId = yield* insertUser({ profile: { ...profile, email: profile.email! }, status: "invited", passwordHash: null, createdAt: created }, org.id)
      yield* record({
        action: "user.invite",
        target: userId,
        details: { email: profile.email, org: org.slug, roles: roles ?? [], scope: scope ?? null, groups: groups ?? [], delivery: handOver === true ? "link" : "email" }
      })
      yield* grantInitialAccess({ id: userId, email: profile.email! }, org.slug, { ...(roles ? { roles } : {}), ...(scope ? { scope } : {}), ...(groups ? { groups } : {}) })
      const token = yield* issueToken("invite", userId, settings["invitation.ttl-hours"] * 3_600_000, at)
      const sql = yield* SqlClient.SqlClient
      const actor = yield* Actor
      yield* sql`INSERT INTO invitations ${
        sql.insert({
          id: newId(),
          userId,
          orgId: org.id,
          invitedBy: actor.id,
          createdAt: created,
          status: "pending",
          delivery: handOver === true ? "link" : "email",
          tokenId: token.id,
          expiresAt: token.expiresAt,
          sentCount: 1,
          lastSentAt: created
        })
      }`.pipe(Effect.orDie)
      return yield* handOut(userId, org.slug, token, handOver === true, at)
    }))
    return yield* delivered(sent)
  })

/** Filters of `listInvitations`. */
export interface InvitationQuery {
  readonly status?: InvitationStatus
  readonly org?: string
}

/** Invitations the actor may read (`users.read` at their organization), newest first. */
export const listInvitations = (query: InvitationQuery = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const subject = yield* actorSubject
    const org = query.org === undefined ? undefined : yield* orgOrDefault(query.org)
    if (org !== undefined) yield* requireAt("users.read", Scope.org(org.slug))
    const iso = at.toISOString()
    const conditions = [
      org !== undefined ? sql`i.org_id = ${org.id}` : undefined,
      query.status === "accepted" ? sql`i.status = 'accepted'` : undefined,
      query.status === "pending" ? sql`i.status = 'pending' AND i.expires_at > ${iso}` : undefined,
      query.status === "expired" ? sql`i.status = 'pending' AND i.expires_at <= ${iso}` : undefined
    ].filter((c) => c !== undefined)
    const rows = yield* sql<InvitationRow>`${sql.literal(SELECT)} WHERE ${sql.and(conditions)} ORDER BY i.created_at DESC, i.id DESC`.pipe(Effect.orDie)
    const readable = rows.filter((r) => Permissions.has(subject, "users.read", Scope.org(r.org), at))
    if (rows.length > 0 && readable.length === 0 && org === undefined && !Permissions.has(subject, "users.read", Scope.provider, at)) {
      return yield* Effect.fail(new PermissionDenied({ permission: "users.read", scope: Scope.org(rows[0]!.org) }))
    }
    return readable.map((r) => toInvitation(r, at))
  })

/** The invitation of one account (null when it was created, not invited), for the user's detail (needs `users.read` there). */
export const userInvitation = (ref: string) =>
  Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireReadable(user.id)
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<InvitationRow>`${sql.literal(SELECT)} WHERE i.user_id = ${user.id}`.pipe(Effect.orDie)
    return row === undefined ? null : toInvitation(row, yield* now)
  })

/**
 * Sends a pending (or expired) invitation again with a new link; the old link stops working and
 * the expiry starts over. `link` hands the new link to the inviter instead of mailing it.
 */
export const resendInvitation = (ref: string, options: { readonly link?: boolean } = {}) =>
  Effect.gen(function*() {
    const at = yield* now
    const settings = yield* currentSettings
    const sent = yield* transaction(Effect.gen(function*() {
      const row = yield* findInvitationRow(ref)
      if (row.status !== "pending") return yield* Effect.fail(new InvitationNotFound({ user: row.email ?? ref }))
      yield* requireAt("users.invite", Scope.org(row.org))
      yield* requireReach(row.userId)
      const token = yield* issueToken("invite", row.userId, settings["invitation.ttl-hours"] * 3_600_000, at)
      const sql = yield* SqlClient.SqlClient
      const delivery = options.link === true ? "link" : "email"
      yield* sql`UPDATE invitations SET token_id = ${token.id}, expires_at = ${token.expiresAt}, sent_count = sent_count + 1,
                   last_sent_at = ${at.toISOString()}, delivery = ${delivery}, expired_at = NULL, version = version + 1 WHERE id = ${row.id}`.pipe(Effect.orDie)
      yield* record({ action: "invitation.resend", target: row.userId, details: { email: row.email, invitation: row.id, delivery, expiresAt: token.expiresAt } })
      return yield* handOut(row.userId, row.org, token, options.link === true, at)
    }))
    return yield* delivered(sent)
  })

/**
 * Cancels a pending invitation: the invited account leaves the directory (a tombstone stays for
 * the audit trail) and its link stops working. Needs `users.invite` at the organization.
 */
export const cancelInvitation = (ref: string) =>
  transaction(Effect.gen(function*() {
    const row = yield* findInvitationRow(ref)
    if (row.status !== "pending") return yield* Effect.fail(new InvitationNotFound({ user: row.email ?? ref }))
    yield* requireAt("users.invite", Scope.org(row.org))
    yield* requireReach(row.userId)
    const user = yield* findUser(row.userId)
    yield* changeStatus(user, "cancelInvite", { action: "invitation.cancel", details: { invitation: row.id, org: row.org } })
    return { invitation: row.id, email: row.email ?? "", org: row.org }
  }))


/**
 * The invitee's side: sets the password (and names, if given), uses the link up and activates
 * the account. An unknown, used, replaced or expired link fails with `InvitationInvalid`, which
 * does not say which. The audit row's actor is the invitee.
 */
export const acceptInvitation = (input: AcceptInput) =>
  Effect.gen(function*() {
    const at = yield* now
    const password = yield* Either.match(checkPassword(input.password), { onLeft: Effect.fail, onRight: Effect.succeed })
    const names = yield* requireProfile({
      ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
      ...(input.lastName !== undefined ? { lastName: input.lastName } : {})
    }, at)
    // a read first, so a bad link costs no password hash
    if ((yield* peekToken("invite", input.token)) === undefined) return yield* Effect.fail(new InvitationInvalid())
    const passwordHash = yield* hashPassword(password)
    const actor = yield* Actor
    return yield* transaction(Effect.gen(function*() {
      const used = yield* consumeToken("invite", input.token)
      if (used === undefined) return yield* Effect.fail(new InvitationInvalid())
      const user = yield* findUser(used.userId).pipe(Effect.mapError(() => new InvitationInvalid()))
      if (user.status !== "invited") return yield* Effect.fail(new InvitationInvalid())
      const firstName = names.firstName ?? user.firstName
      const lastName = names.lastName ?? user.lastName
      if (firstName === "" || lastName === "") {
        return yield* Effect.fail(new InvalidProfile({ field: firstName === "" ? "first name" : "last name", reason: "the invitation did not give it, so it must be given now" }))
      }
      return yield* Effect.gen(function*() {
        const step = yield* Lifecycle.transition(user, "accept", at)
        const sql = yield* SqlClient.SqlClient
        yield* writeUser(user, {
          status: step.user.status,
          registeredAt: step.user.registeredAt,
          mustChangePassword: 0,
          passwordHash,
          passwordChangedAt: at.toISOString(),
          lastActiveAt: at.toISOString(),
          firstName,
          lastName,
          search: searchText({ ...user, firstName, lastName })
        }, user.version)
        yield* sql`UPDATE invitations SET status = 'accepted', accepted_at = ${at.toISOString()}, version = version + 1 WHERE user_id = ${user.id}`.pipe(Effect.orDie)
        yield* record({ action: "invitation.accept", target: user.id, details: { email: user.email, status: { from: "invited", to: "active" } } })
        return yield* findUser(user.id)
      }).pipe(Effect.provideService(Actor, { id: user.id, via: actor.via }))
    }))
  })
