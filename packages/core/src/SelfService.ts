/**
 * What a person does about their own account through the pages (`usher serve`): read an
 * invitation before accepting it, ask for a new link when theirs stopped working, edit their
 * names and phone, see their access with its reasons, and end their own sessions.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Actor, now } from "./Actor.js"
import { record } from "./Audit.js"
import { hashToken, tokenFrom } from "./Domain/Credentials.js"
import { ActorUnknown, InvitationInvalid, ResetLinkInvalid, SessionNotFound } from "./Domain/Errors.js"
import { invitationLinkRequestMail } from "./Domain/Mail.js"
import { displayName, type User } from "./Domain/User.js"
import { defaultOrg, findUser } from "./internal/lookup.js"
import { peekToken } from "./internal/tokens.js"
import { transaction } from "./internal/tx.js"
import { deliver, enqueue } from "./Mail.js"
import { endSessions, type Session } from "./Sessions.js"
import { requireProfile } from "./Users.js"
import { searchText, userDetail, writeUser } from "./Users/UsersRepo.js"

/** The name every page carries: the directory's default organization's (null before `init`). */
export const organizationName = Effect.map(Effect.option(defaultOrg), (org) => org._tag === "Some" ? org.value.name : null)

/** What the invitation page shows before anyone accepts: who invited whom, where, with what. */
export interface InvitationPreview {
  readonly email: string
  readonly firstName: string
  readonly lastName: string
  readonly org: { readonly slug: string; readonly name: string }
  /** the inviter's name and e-mail; null when the system invited (an import) or the inviter is gone */
  readonly inviter: { readonly name: string; readonly email: string } | null
  /** `role@scope`, as the invitation mail lists them */
  readonly roles: ReadonlyArray<string>
  /** `org/group` */
  readonly groups: ReadonlyArray<string>
  readonly expiresAt: string
}

/**
 * The invitation behind a still-usable link, without using it up (a mail scanner opening the link
 * must not spend it). Unknown, used, replaced and expired links fail alike with `InvitationInvalid`.
 */
export const previewInvitation = (token: string) =>
  Effect.gen(function*() {
    const userId = yield* peekToken("invite", token)
    if (userId === undefined) return yield* Effect.fail(new InvitationInvalid())
    const user = yield* findUser(userId).pipe(Effect.mapError(() => new InvitationInvalid()))
    if (user.status !== "invited") return yield* Effect.fail(new InvitationInvalid())
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ slug: string; name: string; invitedBy: string; expiresAt: string }>`
      SELECT o.slug, o.name, i.invited_by, i.expires_at FROM invitations i JOIN organizations o ON o.id = i.org_id
       WHERE i.user_id = ${user.id} AND i.status = 'pending'`.pipe(Effect.orDie)
    if (row === undefined) return yield* Effect.fail(new InvitationInvalid())
    const inviter = row.invitedBy === "system" ? null : yield* findUser(row.invitedBy).pipe(Effect.orElseSucceed(() => null))
    const detail = yield* userDetail(user)
    return {
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      org: { slug: row.slug, name: row.name },
      inviter: inviter === null ? null : { name: displayName(inviter), email: inviter.email },
      roles: detail.grants.map((g) => `${g.role}@${g.scope}`),
      groups: detail.groups.map((g) => `${g.org}/${g.name}`),
      expiresAt: row.expiresAt
    } satisfies InvitationPreview
  })

/** Whether a password-reset link still works, without using it (`ResetLinkInvalid` when not). */
export const checkResetLink = (token: string) =>
  Effect.flatMap(peekToken("reset", token), (userId) => userId === undefined ? Effect.fail(new ResetLinkInvalid()) : Effect.void)

/**
 * Someone holding an invitation link that no longer works (expired, used or replaced) asks for a
 * new one: when the link was one of a still-pending invitation, its inviter is mailed and the
 * request audited. The answer is the same whatever the link was, so it tells nobody whether an
 * account or an invitation exists; the front-end limits how often it may be asked.
 */
export const requestInvitationLink = (token: string) =>
  Effect.gen(function*() {
    const text = tokenFrom(token)
    if (text === undefined) return
    const sql = yield* SqlClient.SqlClient
    const mailId = yield* transaction(Effect.gen(function*() {
      const [row] = yield* sql<{ userId: string; invitedBy: string; slug: string; name: string; invitation: string }>`
        SELECT t.user_id, i.invited_by, o.slug, o.name, i.id AS invitation FROM tokens t
          JOIN invitations i ON i.user_id = t.user_id AND i.status = 'pending'
          JOIN organizations o ON o.id = i.org_id
         WHERE t.hash = ${hashToken(text)} AND t.purpose = 'invite'`.pipe(Effect.orDie)
      if (row === undefined) return null
      const invitee = yield* findUser(row.userId).pipe(Effect.orElseSucceed(() => null))
      if (invitee === null || invitee.status !== "invited") return null
      const inviter = row.invitedBy === "system" ? null : yield* findUser(row.invitedBy).pipe(Effect.orElseSucceed(() => null))
      const notified = inviter !== null && inviter.status === "active" && inviter.email !== ""
      yield* record({
        action: "invitation.link.request",
        target: invitee.id,
        details: { email: invitee.email, invitation: row.invitation, notified: notified ? inviter.email : null }
      })
      if (!notified) return null
      return yield* enqueue({
        kind: "invitation-link-request",
        userId: inviter.id,
        to: inviter.email,
        ...invitationLinkRequestMail({
          inviter: { name: displayName(inviter) },
          invitee: { name: displayName(invitee) === invitee.email ? "" : displayName(invitee), email: invitee.email },
          org: { slug: row.slug, name: row.name }
        })
      })
    }))
    if (mailId !== null) yield* deliver([mailId])
  })

/** The signed-in person's own account id, or `ActorUnknown` for the system. */
const self = Effect.flatMap(Actor, (actor) =>
  actor.id === "system"
    ? Effect.fail(new ActorUnknown({ reason: "Only a signed-in user has an account of their own." }))
    : Effect.succeed(actor.id))

/** One of my roles, with why I hold it. */
export interface MyGrant {
  readonly role: string
  readonly scope: string
  readonly expiresAt: string | null
  /** `granted to you directly by …` or `through the group …` */
  readonly why: string
}

/** What the account page shows: my profile, organizations, groups and roles (each with its reason). */
export interface MyAccount {
  readonly user: User
  readonly organizations: ReadonlyArray<{ readonly slug: string; readonly name: string }>
  readonly groups: ReadonlyArray<{ readonly org: string; readonly name: string }>
  readonly grants: ReadonlyArray<MyGrant>
  /** whether the account has a password (one made by a sign-in through the identity provider has none) */
  readonly hasPassword: boolean
}

/** My account as the account page shows it (no permission: everyone may read their own). */
export const myAccount = Effect.gen(function*() {
  const id = yield* self
  const user = yield* findUser(id).pipe(Effect.orDie)
  const detail = yield* userDetail(user)
  const sql = yield* SqlClient.SqlClient
  const [secret] = yield* sql<{ readonly has: number | boolean }>`SELECT password_hash IS NOT NULL AS has FROM users WHERE id = ${id}`.pipe(Effect.orDie)
  const granters = new Map<string, string>()
  for (const g of detail.grants) {
    if (!granters.has(g.grantedBy)) {
      granters.set(g.grantedBy, g.grantedBy === "system" ? "the system" : yield* findUser(g.grantedBy).pipe(
        Effect.map((u) => displayName(u)),
        Effect.orElseSucceed(() => "a former user")
      ))
    }
  }
  return {
    user,
    organizations: detail.organizations.map((o) => ({ slug: o.slug, name: o.name })),
    groups: detail.groups.map((g) => ({ org: g.org, name: g.name })),
    grants: detail.grants.map((g) => ({
      role: g.role,
      scope: g.scope,
      expiresAt: g.expiresAt,
      why: g.group === null
        ? `granted to you directly by ${granters.get(g.grantedBy)} on ${g.grantedAt.slice(0, 10)}`
        : `through your membership of the group ${g.group}`
    })),
    hasPassword: secret?.has === true || secret?.has === 1
  } satisfies MyAccount
})

/** What a person may change about themselves: names and phone (an empty phone removes it). */
export interface MyProfileInput {
  readonly firstName: string
  readonly lastName: string
  readonly phone: string
}

/** Changes my names and phone, audited as `user.update` by myself; nothing else of the account. */
export const updateMyProfile = (input: MyProfileInput) =>
  Effect.gen(function*() {
    const id = yield* self
    const profile = yield* requireProfile({
      firstName: input.firstName,
      lastName: input.lastName,
      phone: input.phone.trim() === "" ? null : input.phone
    }, yield* now)
    return yield* transaction(Effect.gen(function*() {
      const before = yield* findUser(id).pipe(Effect.orDie)
      const changes: Record<string, { from: unknown; to: unknown }> = {}
      for (const key of ["firstName", "lastName", "phone"] as const) {
        const to = profile[key] ?? (key === "phone" ? null : before[key])
        if (to !== before[key]) changes[key] = { from: before[key], to }
      }
      if (Object.keys(changes).length === 0) return before
      const after = { ...before, ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])) } as User
      yield* writeUser(before, {
        firstName: after.firstName, lastName: after.lastName, phone: after.phone, search: searchText(after)
      }, before.version)
      yield* record({ action: "user.update", target: id, details: { ...changes, self: true } })
      return yield* findUser(id).pipe(Effect.orDie)
    }))
  })

/** My live sessions, newest first. */
export const mySessions = Effect.gen(function*() {
  const id = yield* self
  const sql = yield* SqlClient.SqlClient
  const at = (yield* now).toISOString()
  return yield* sql<Session>`SELECT id, user_id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions
    WHERE user_id = ${id} AND revoked_at IS NULL AND expires_at > ${at} ORDER BY created_at DESC, id DESC`.pipe(Effect.orDie)
})

/**
 * Ends my own sessions: one of them (`only`), or every one but the one I am using (`except`).
 * Audited as `session.revoke` by myself; a session that is not mine (or already over) is `SessionNotFound`.
 */
export const endMySessions = (options: { readonly only: string } | { readonly except: string }) =>
  transaction(Effect.gen(function*() {
    const id = yield* self
    const ended = yield* endSessions(id, options)
    if ("only" in options && ended === 0) return yield* Effect.fail(new SessionNotFound({ session: options.only }))
    yield* record({ action: "session.revoke", target: id, details: { self: true, ...("only" in options ? { session: options.only } : { except: options.except }), revoked: ended } })
    return ended
  }))
