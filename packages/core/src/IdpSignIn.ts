import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { Actor, actingAs, now } from "./Actor.js"
import { record } from "./Audit.js"
import { approvalRow, requestApproval } from "./Approvals/Request.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"
import { checkLength } from "./Domain/Input.js"
import type { DatabaseUnavailable } from "./Database.js"
import {
  AccountSuspended, ActorUnknown, InvalidInput, InvalidTransition, InvitationInvalid, type ConcurrentModification, type NotInitialized
} from "./Domain/Errors.js"
import type { UserId } from "./Domain/Ids.js"
import * as Lifecycle from "./Domain/Lifecycle.js"
import { normalizeEmail, normalizeProfile, type User } from "./Domain/User.js"
import { defaultOrg, findOrg, findUser } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { openSession, type Session, type SessionMeta } from "./Sessions.js"
import { currentSettings, type DirectorySettings } from "./Settings.js"
import { grantInitialAccess } from "./Users.js"
import { changeStatus } from "./Users/Lifecycle.js"
import { insertUser, searchText, writeUser } from "./Users/UsersRepo.js"

/** The identity provider has not verified the e-mail it gives: nothing is matched or created by it. */
export class IdpEmailUnverified extends Schema.TaggedError<IdpEmailUnverified>()("IdpEmailUnverified", { email: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `Your identity provider has not verified the e-mail ${this.email}. Verify it there, then sign in again.`
  }
}

/**
 * An account with the e-mail exists but is not linked to this identity: it is never taken over by
 * e-mail alone. Its owner signs in with their password and links the provider from their account.
 */
export class IdpLinkRequired extends Schema.TaggedError<IdpLinkRequired>()("IdpLinkRequired", { email: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `An account for ${this.email} exists but is not linked to your identity provider. Sign in with your password, then link it from your account page.`
  }
}

/** An unknown person, and `oidc.auto-register` is `off`. */
export class IdpRegistrationClosed extends Schema.TaggedError<IdpRegistrationClosed>()("IdpRegistrationClosed", { email: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `There is no account for ${this.email} here. Ask an admin to invite you.`
  }
}

/** The account exists and waits for an admin's approval (`oidc.auto-register` `pending`). */
export class IdpRegistrationPending extends Schema.TaggedError<IdpRegistrationPending>()("IdpRegistrationPending", {
  email: Schema.String,
  approval: Schema.String
}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `Your account ${this.email} waits for an admin's approval. Sign in again once it has been approved.`
  }
}

/** An admin denied the account's registration. */
export class IdpRegistrationDenied extends Schema.TaggedError<IdpRegistrationDenied>()("IdpRegistrationDenied", { email: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `An admin declined the account ${this.email}. Ask your admin if you think this is a mistake.`
  }
}

/** Registration is switched on but cannot happen as configured (organization or role missing, a gated role, nobody to approve). */
export class IdpRegistrationUnavailable extends Schema.TaggedError<IdpRegistrationUnavailable>()("IdpRegistrationUnavailable", { reason: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Signing up through the identity provider is not possible right now (${this.reason}). Ask your admin.`
  }
}

/** The linked account cannot sign in (deleted, or not yet activated by its temporary password). */
export class IdpAccountUnavailable extends Schema.TaggedError<IdpAccountUnavailable>()("IdpAccountUnavailable", { status: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return "This account cannot sign in. Ask your admin."
  }
}

/** The identity is linked to another account already (linking from /account). */
export class IdpIdentityTaken extends Schema.TaggedError<IdpIdentityTaken>()("IdpIdentityTaken", { issuer: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `This identity at ${this.issuer} is linked to another account.`
  }
}

/** The account is linked to another identity at the same provider already. */
export class IdpAlreadyLinked extends Schema.TaggedError<IdpAlreadyLinked>()("IdpAlreadyLinked", { issuer: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Your account is linked to another identity at ${this.issuer} already.`
  }
}

/** What the identity provider vouched for, as the web front-end read it from the verified ID token and userinfo. */
export interface IdpIdentity {
  /** the provider's issuer identifier (`iss`) */
  readonly issuer: string
  /** the person's subject at that provider (`sub`): what the account is linked by */
  readonly subject: string
  readonly email: string
  readonly emailVerified: boolean
  readonly firstName?: string
  readonly lastName?: string
}

/** How the person got in. */
export type IdpRoute = "linked" | "invitation" | "registration" | "provisioned"

/** A successful IdP sign-in: the session, its token (returned once), the account, and how it was found. */
export interface IdpSignedIn {
  readonly _tag: "IdpSignedIn"
  readonly session: Session
  readonly token: string
  readonly user: User
  readonly route: IdpRoute
}

/** Every way `signInWithIdp` can fail. */
export type IdpSignInError =
  | InvalidInput | IdpEmailUnverified | IdpLinkRequired | IdpRegistrationClosed | IdpRegistrationPending
  | IdpRegistrationDenied | IdpRegistrationUnavailable | IdpAccountUnavailable | AccountSuspended | InvitationInvalid
  | NotInitialized | ConcurrentModification | DatabaseUnavailable

interface Checked {
  readonly issuer: string
  readonly subject: string
  readonly email: string
  readonly firstName: string
  readonly lastName: string
}

/** Checks what the front-end passes on; names the provider gives that break the profile rules are dropped, not refused. */
const checkIdentity = (identity: IdpIdentity) =>
  Effect.gen(function*() {
    const issuer = identity.issuer.trim()
    const subject = identity.subject
    if (issuer === "" || Either.isLeft(checkLength("issuer", 2_000, issuer))) {
      return yield* Effect.fail(new InvalidInput({ field: "issuer", reason: "between 1 and 2000 characters" }))
    }
    // OpenID Connect Core §2: sub is at most 255 ASCII characters
    if (subject === "" || subject.length > 255) return yield* Effect.fail(new InvalidInput({ field: "subject", reason: "between 1 and 255 characters" }))
    const email = normalizeEmail(identity.email)
    if (Either.isLeft(email)) return yield* Effect.fail(new InvalidInput({ field: "e-mail", reason: email.left.message }))
    if (identity.emailVerified !== true) return yield* Effect.fail(new IdpEmailUnverified({ email: email.right }))
    const name = (value: string | undefined, key: "firstName" | "lastName") => {
      if (value === undefined) return ""
      const checked = normalizeProfile({ [key]: value }, new Date(0))
      return Either.isRight(checked) ? checked.right[key] ?? "" : ""
    }
    return {
      issuer, subject, email: email.right, firstName: name(identity.firstName, "firstName"), lastName: name(identity.lastName, "lastName")
    } satisfies Checked
  })



const linkOf = (issuer: string, subject: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ userId: string; email: string }>`SELECT user_id, email FROM identity_links WHERE issuer = ${issuer} AND subject = ${subject}`
  ).pipe(Effect.map((rows) => rows[0]), Effect.orDie)

const insertLink = (userId: string, id: Checked, at: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO identity_links ${
      sql.insert({ issuer: id.issuer, subject: id.subject, userId, email: id.email, linkedAt: at, lastUsedAt: at })
    }`.pipe(Effect.orDie)
    yield* record({ action: "identity.link", target: userId, details: { issuer: id.issuer, subject: id.subject, idpEmail: id.email } })
  })

/** A linked sign-in: the link records when it was used and the e-mail the provider gives now (audited when it changed). */
const touchLink = (userId: string, before: string, id: Checked) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE identity_links SET email = ${id.email}, last_used_at = ${(yield* now).toISOString()}
                WHERE issuer = ${id.issuer} AND subject = ${id.subject}`.pipe(Effect.orDie)
    if (before !== id.email) {
      yield* record({ action: "identity.email.change", target: userId, details: { issuer: id.issuer, from: before, to: id.email } }).pipe(actingAs(userId as UserId))
    }
  })

/** Opens the session of a sign-in through the provider, audited as the account. */
const openIdpSession = (user: User, id: Checked, route: IdpRoute, meta: SessionMeta) =>
  Effect.gen(function*() {
    yield* record({ action: "user.signin.idp", target: user.id, details: { issuer: id.issuer, route } })
    const opened = yield* openSession(user.id, meta)
    return { _tag: "IdpSignedIn" as const, ...opened, user: yield* findUser(user.id).pipe(Effect.orDie), route }
  }).pipe(actingAs(user.id))

/** The account is waiting: the request it waits on, filed anew when the last one lapsed (expired, canceled, failed). */
type Waiting = { readonly _tag: "Waiting"; readonly email: string; readonly approval: string }

const REGISTRATION_REASON = (issuer: string) => `First sign-in through the identity provider ${issuer} (oidc.auto-register is pending).`

const fileRegistration = (user: { readonly id: string; readonly email: string }, org: string, issuer: string) =>
  requestApproval({ _tag: "user.register", user: { id: user.id, email: user.email }, org, issuer }, REGISTRATION_REASON(issuer)).pipe(
    Effect.catchTag("NoEligibleApprover", () => Effect.fail(new IdpRegistrationUnavailable({ reason: "nobody may approve new accounts there" }))),
    Effect.catchTag("ApprovalAlreadyPending", (e) => Effect.succeed({ id: e.id })),
    Effect.catchTag("ReasonRequired", (e) => Effect.die(e)),
    Effect.map((request): Waiting => ({ _tag: "Waiting", email: user.email, approval: request.id })),
    actingAs(user.id as UserId)
  )

/** The latest registration request of an account held for approval. */
const latestRegistration = (userId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: string }>`SELECT id FROM approvals WHERE action = 'user.register' AND target_key = ${userId}
      ORDER BY created_at DESC, id DESC LIMIT 1`.pipe(Effect.orDie)
    return row === undefined ? undefined : yield* approvalRow(row.id)
  })

/** A linked account that is held for approval (`invited` without an invitation): where it stands. */
const heldAccount = (user: User, id: Checked, settings: DirectorySettings, meta: SessionMeta) =>
  Effect.gen(function*() {
    const latest = yield* latestRegistration(user.id)
    const at = yield* now
    if (latest !== undefined && latest.status === "pending" && Date.parse(latest.expiresAt) > at.getTime()) {
      return { _tag: "Waiting", email: user.email, approval: latest.id } satisfies Waiting
    }
    if (latest !== undefined && latest.status === "denied") return yield* Effect.fail(new IdpRegistrationDenied({ email: user.email }))
    // the last request lapsed: the current policy decides again
    const policy = settings["oidc.auto-register"]
    if (policy === "off") return yield* Effect.fail(new IdpRegistrationClosed({ email: user.email }))
    const [org] = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ slug: string }>`SELECT o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ${user.id} ORDER BY o.slug`
    ).pipe(Effect.orDie)
    if (policy === "pending") return yield* fileRegistration(user, org?.slug ?? "", id.issuer)
    const active = yield* changeStatus(user, "accept", { action: "user.register.activate", details: { issuer: id.issuer, policy } }).pipe(actingAs("system"))
    return yield* openIdpSession(active, id, "registration", meta)
  })

/** Accepts the pending invitation of an invited account by the provider's verified e-mail, and links the identity. */
const acceptByIdp = (user: User, id: Checked, meta: SessionMeta) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const iso = at.toISOString()
    const [invitation] = yield* sql<{ id: string; expiresAt: string }>`
      SELECT id, expires_at FROM invitations WHERE user_id = ${user.id} AND status = 'pending'`.pipe(Effect.orDie)
    if (invitation === undefined || Date.parse(invitation.expiresAt) <= at.getTime()) return yield* Effect.fail(new InvitationInvalid())
    const firstName = user.firstName === "" ? id.firstName : user.firstName
    const lastName = user.lastName === "" ? id.lastName : user.lastName
    return yield* Effect.gen(function*() {
      const step = yield* Lifecycle.transition(user, "accept", at)
      yield* writeUser(user, {
        status: step.user.status,
        registeredAt: step.user.registeredAt,
        mustChangePassword: 0,
        lastActiveAt: iso,
        firstName,
        lastName,
        search: searchText({ ...user, firstName, lastName })
      }, user.version)
      yield* sql`UPDATE invitations SET status = 'accepted', accepted_at = ${iso}, version = version + 1 WHERE id = ${invitation.id}`.pipe(Effect.orDie)
      // the mailed link must not work after the invitation was accepted another way
      yield* sql`UPDATE tokens SET used_at = ${iso} WHERE user_id = ${user.id} AND purpose = 'invite' AND used_at IS NULL`.pipe(Effect.orDie)
      yield* record({
        action: "invitation.accept",
        target: user.id,
        details: { email: user.email, status: { from: "invited", to: "active" }, issuer: id.issuer }
      })
      yield* insertLink(user.id, id, iso)
      return yield* openIdpSession(yield* findUser(user.id).pipe(Effect.orDie), id, "invitation", meta)
    }).pipe(actingAs(user.id))
  })

/** Whether the company's identity provider created the account (SCIM) and nobody gave it a password. */
const provisionedByIdp = (userId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ scimUserName: string | null; passwordHash: string | null }>`
      SELECT scim_user_name, password_hash FROM users WHERE id = ${userId}`.pipe(Effect.orDie)
    return row !== undefined && row.scimUserName !== null && row.passwordHash === null
  })

/** A SCIM-provisioned account's first sign-in through the identity provider: activated, linked, signed in. */
const activateByIdp = (user: User, id: Checked, meta: SessionMeta) =>
  Effect.gen(function*() {
    const at = yield* now
    const iso = at.toISOString()
    const step = yield* Lifecycle.transition(user, "firstIdpSignIn", at)
    return yield* Effect.gen(function*() {
      yield* writeUser(user, { status: step.user.status, registeredAt: step.user.registeredAt, mustChangePassword: 0, lastActiveAt: iso }, user.version)
      yield* record({
        action: "user.firstIdpSignIn",
        target: user.id,
        details: { email: user.email, status: { from: user.status, to: step.user.status }, issuer: id.issuer }
      })
      yield* insertLink(user.id, id, iso)
      return yield* openIdpSession(yield* findUser(user.id).pipe(Effect.orDie), id, "provisioned", meta)
    }).pipe(actingAs(user.id))
  })

/**
 * An unknown person under `oidc.auto-register` `pending` or `active`: an account in
 * `oidc.default-org` with `oidc.default-role`, granted on the authority of those settings. Held
 * for approval it is `invited` without an invitation (nothing can activate it but the approval).
 */
const register = (id: Checked, settings: DirectorySettings, meta: SessionMeta) =>
  Effect.gen(function*() {
    const policy = settings["oidc.auto-register"]
    if (policy === "off") return yield* Effect.fail(new IdpRegistrationClosed({ email: id.email }))
    const unavailable = (reason: string) => () => Effect.fail(new IdpRegistrationUnavailable({ reason }))
    const orgSlug = settings["oidc.default-org"]
    const org = orgSlug === null
      ? yield* Effect.orDie(defaultOrg)
      : yield* findOrg(orgSlug).pipe(Effect.catchTag("OrgNotFound", unavailable(`the organization ${orgSlug} does not exist`)))
    const at = (yield* now).toISOString()
    const status = policy === "active" ? "active" : "invited"
    const profile = { email: id.email, firstName: id.firstName, lastName: id.lastName, kind: "member" as const }
    const userId = yield* insertUser({ profile, status: "invited", passwordHash: null, createdAt: at }, org.id)
    if (status === "active") {
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET status = 'active', registered_at = ${at} WHERE id = ${userId}`.pipe(Effect.orDie)
    }
    const role = settings["oidc.default-role"]
    yield* Effect.gen(function*() {
      yield* record({
        action: "user.create",
        target: userId,
        details: { email: id.email, firstName: id.firstName, lastName: id.lastName, org: org.slug, status, issuer: id.issuer, policy }
      })
      yield* grantInitialAccess({ id: userId, email: id.email }, org.slug, role === null ? {} : { roles: [role] })
    }).pipe(
      actingAs("system"),
      Effect.catchTags({
        RoleNotFound: unavailable(`the role ${role} does not exist`),
        GrantNeedsApproval: unavailable(`the role ${role} needs an approval to be granted`),
        GroupNotFound: (e) => Effect.die(e),
        NotAMember: (e) => Effect.die(e)
      })
    )
    yield* insertLink(userId, id, at).pipe(actingAs(userId as UserId))
    const user = yield* findUser(userId).pipe(Effect.orDie)
    if (status === "invited") return yield* fileRegistration(user, org.slug, id.issuer)
    return yield* openIdpSession(user, id, "registration", meta)
  })

/**
 * Signs a person in through the company's identity provider, in one transaction with its audit
 * rows. The account is found by (issuer, subject), never by e-mail alone:
 * - linked: that account signs in, whatever e-mail the provider gives now (usher's e-mail does not
 *   follow the provider's: it is a credential admins manage; the link records the new one);
 * - not linked, an account invited with a pending invitation for the verified e-mail: the
 *   invitation is accepted, the identity linked;
 * - not linked, an account the identity provider provisioned through SCIM (a SCIM `userName`, no
 *   password) that never signed in: the identity is linked and the account activated — the
 *   provider that created the account vouches for its person;
 * - not linked, any other account with that e-mail: refused (`IdpLinkRequired`) — a provider
 *   account claiming someone's e-mail does not get their account;
 * - unknown: `oidc.auto-register` decides (off: `IdpRegistrationClosed`; pending: the account is
 *   filed for approval and the person hears `IdpRegistrationPending` until an admin approves it;
 *   active: created and signed in).
 * An unverified e-mail is refused before anything is read. Suspended accounts are refused. The
 * password lock does not apply: it counts password guesses, which this is not, and is left as is.
 */
export const signInWithIdp = (identity: IdpIdentity, meta: SessionMeta = {}) =>
  Effect.gen(function*() {
    const id = yield* checkIdentity(identity)
    const outcome = yield* transaction(Effect.gen(function*() {
      const settings = yield* currentSettings
      const link = yield* linkOf(id.issuer, id.subject)
      if (link !== undefined) {
        const user = yield* findUser(link.userId).pipe(Effect.orDie)
        switch (user.status) {
          case "active":
            yield* touchLink(user.id, link.email, id)
            return yield* openIdpSession(user, id, "linked", meta)
          case "suspended":
            return yield* Effect.fail(new AccountSuspended())
          case "invited":
            return yield* heldAccount(user, id, settings, meta)
          default:
            return yield* Effect.fail(new IdpAccountUnavailable({ status: user.status }))
        }
      }
      const sql = yield* SqlClient.SqlClient
      const [existing] = yield* sql<{ id: string }>`SELECT id FROM users WHERE email = ${id.email}`.pipe(Effect.orDie)
      if (existing === undefined) return yield* register(id, settings, meta)
      const user = yield* findUser(existing.id).pipe(Effect.orDie)
      const invited = yield* sql<{ id: string }>`SELECT id FROM invitations WHERE user_id = ${user.id}`.pipe(Effect.orDie)
      if (user.status === "invited" && invited.length > 0) return yield* acceptByIdp(user, id, meta)
      if (user.status === "provisioned" && (yield* provisionedByIdp(user.id))) return yield* activateByIdp(user, id, meta)
      return yield* Effect.fail(new IdpLinkRequired({ email: id.email }))
    }))
    if (outcome._tag === "Waiting") return yield* Effect.fail(new IdpRegistrationPending({ email: outcome.email, approval: outcome.approval }))
    return outcome satisfies IdpSignedIn
  }).pipe(
    // what the steps could fail with elsewhere but not here: grants are made as the system at an
    // existing organization's scope, transitions start from the status just read under the lock
    Effect.catchTags({
      EscalationDenied: Effect.die,
      GrantOutsideOrganization: Effect.die,
      InvalidScope: Effect.die,
      InvalidTransition: Effect.die,
      LastProviderAdmin: Effect.die,
      OrgNotFound: Effect.die,
      PermissionDenied: Effect.die,
      ScopeNotFound: Effect.die,
      UserNotFound: Effect.die
    })
  )

/**
 * Activates an account held for approval, in the approval's transaction (`user.register`): the
 * decider's `approvals.decide` at its organization is the check; the account must still be held.
 */
export const activateRegistration = (userId: string) =>
  Effect.gen(function*() {
    const user = yield* findUser(userId)
    if (user.status !== "invited") return yield* Effect.fail(new InvalidTransition({ from: user.status, event: "approve the registration of" }))
    const activated = yield* changeStatus(user, "accept", { action: "user.register.approve" })
    return { user: activated.email, status: activated.status }
  })

/**
 * The signed-in person links their account to an identity at the provider (from /account, after
 * a round trip through the provider): afterwards that identity signs this account in.
 */
export const linkIdentity = (identity: Pick<IdpIdentity, "issuer" | "subject" | "email">) =>
  transaction(Effect.gen(function*() {
    const actor = yield* Actor
    if (actor.id === "system") return yield* Effect.fail(new ActorUnknown({ reason: "Only a signed-in person can link their own account." }))
    const id = yield* checkIdentity({ ...identity, emailVerified: true }).pipe(Effect.catchTag("IdpEmailUnverified", (e) => Effect.die(e)))
    const taken = yield* linkOf(id.issuer, id.subject)
    if (taken !== undefined && taken.userId !== actor.id) return yield* Effect.fail(new IdpIdentityTaken({ issuer: id.issuer }))
    if (taken !== undefined) return { issuer: id.issuer, linked: false }
    const sql = yield* SqlClient.SqlClient
    const [other] = yield* sql<{ subject: string }>`SELECT subject FROM identity_links WHERE user_id = ${actor.id} AND issuer = ${id.issuer}`.pipe(Effect.orDie)
    if (other !== undefined) return yield* Effect.fail(new IdpAlreadyLinked({ issuer: id.issuer }))
    yield* insertLink(actor.id, id, (yield* now).toISOString())
    return { issuer: id.issuer, linked: true }
  }))

/** The acting person's links to identity providers, for /account. */
export const myIdentityLinks = Effect.gen(function*() {
  const actor = yield* Actor
  if (actor.id === "system") return []
  const sql = yield* SqlClient.SqlClient
  return yield* sql<{ issuer: string; email: string; linkedAt: string; lastUsedAt: string | null }>`
    SELECT issuer, email, linked_at, last_used_at FROM identity_links WHERE user_id = ${actor.id} ORDER BY issuer`.pipe(Effect.orDie)
})
