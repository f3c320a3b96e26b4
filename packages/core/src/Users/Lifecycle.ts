import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now, providerAdmins, requireForAccount } from "../Actor.js"
import { accountAuditScopes, record } from "../Audit.js"
import { LastProviderAdmin } from "../Domain/Errors.js"
import * as Lifecycle from "../Domain/Lifecycle.js"
import type { CatalogPermission } from "../Domain/Permissions.js"
import type { User } from "../Domain/User.js"
import { touchGroupsOf } from "../internal/groupRows.js"
import { findUser } from "../internal/lookup.js"
import { removeAfterCommit, transaction } from "../internal/tx.js"
import { gated, requestApproval } from "../Approvals/Request.js"
import { approvalRequested } from "../Domain/Approval.js"
import { writeUser, type UserColumns } from "./UsersRepo.js"

/** Options of a status change. */
export interface StatusChangeOptions {
  readonly reason?: string
  readonly expectedVersion?: number
  /** the audit action, when not `user.<event>` (e.g. `invitation.cancel`) */
  readonly action?: string
  /** more audit details */
  readonly details?: Record<string, unknown>
}

/**
 * Applies a lifecycle event in the caller's transaction: checks the transition, refuses to take
 * away the last active provider admin, carries out the transition's effects, writes the audit row.
 */
export const changeStatus = (user: User, event: Lifecycle.LifecycleEvent, options: StatusChangeOptions = {}) =>
  Effect.gen(function*() {
    const at = yield* now
    const step = yield* Lifecycle.transition(user, event, at)
    if (user.status === "active" && step.user.status !== "active") {
      const admins = yield* providerAdmins
      if (admins.length === 1 && admins[0] === user.id) {
        return yield* Effect.fail(new LastProviderAdmin({ user: user.email }))
      }
    }
    const sql = yield* SqlClient.SqlClient
    const columns: UserColumns = {
      status: step.user.status,
      registeredAt: step.user.registeredAt,
      mustChangePassword: step.user.mustChangePassword ? 1 : 0
    }
    if (step.effects.includes("revokeSessions")) {
      yield* sql`UPDATE sessions SET revoked_at = ${at.toISOString()} WHERE user_id = ${user.id} AND revoked_at IS NULL`.pipe(Effect.orDie)
    }
    const erase = step.effects.includes("eraseAccount")
    // the deletion is an event of the organizations the account belonged to, read before it leaves them
    const scopes = erase ? yield* accountAuditScopes(user.id) : undefined
    if (erase) yield* eraseAccount(user.id)
    yield* writeUser(user, erase ? { ...columns, ...ERASED, deletedAt: at.toISOString() } : columns, options.expectedVersion ?? user.version)
    yield* record({
      action: options.action ?? `user.${event}`,
      target: user.id,
      details: { email: user.email, status: { from: user.status, to: step.user.status }, ...options.details },
      reason: options.reason ?? null,
      ...(scopes === undefined ? {} : { scopes })
    })
    return erase ? { ...step.user, ...ERASED_USER, version: user.version + 1 } : yield* findUser(user.id)
  })

/** The profile and credential columns of a tombstone: only the id and dates survive a deletion. */
const ERASED: UserColumns = {
  email: null, firstName: "", lastName: "", phone: null, gender: null, birthday: null, orgUnit: null, position: null,
  passwordHash: null, mustChangePassword: 0, search: "", failedSignIns: 0, lockedAt: null, lockedUntil: null, locks: 0, lastActiveAt: null,
  scimUserName: null, scimExternalId: null
}
const ERASED_USER = {
  email: "", firstName: "", lastName: "", phone: null, gender: null, birthday: null, orgUnit: null, position: null,
  mustChangePassword: false, lastActiveAt: null
} as const

/**
 * A deletion's effect besides the row: grants, memberships, group memberships, sessions,
 * invitations, tokens, Slack and identity-provider links and dormancy notices go; the audit log keeps every event about the account.
 */
const eraseAccount = (userId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`DELETE FROM grants WHERE principal_type = 'user' AND principal_id = ${userId}`
    yield* touchGroupsOf(userId)
    yield* sql`DELETE FROM group_members WHERE user_id = ${userId}`
    yield* sql`DELETE FROM memberships WHERE user_id = ${userId}`
    yield* sql`DELETE FROM sessions WHERE user_id = ${userId}`
    yield* sql`DELETE FROM invitations WHERE user_id = ${userId}`
    yield* sql`DELETE FROM tokens WHERE user_id = ${userId}`
    yield* sql`DELETE FROM slack_links WHERE user_id = ${userId}`
    yield* sql`DELETE FROM identity_links WHERE user_id = ${userId}`
    yield* sql`DELETE FROM dormancy_notices WHERE user_id = ${userId}`
    // mail to and about the person goes too: its rows and the embedded outbox's .eml files
    const mails = yield* sql<{ file: string | null }>`DELETE FROM outbox WHERE user_id = ${userId} RETURNING file`
    for (const { file } of mails) if (file !== null) yield* removeAfterCommit(file)
  }).pipe(Effect.orDie)

const statusUseCase = (event: Lifecycle.LifecycleEvent, permission: CatalogPermission) =>
(ref: string, options: StatusChangeOptions = {}) =>
  transaction(Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireForAccount(permission, user.id)
    return yield* changeStatus(user, event, options)
  }))

/**
 * Suspends a user: sessions revoked, roles, groups and data kept, effective permissions empty
 * from the next check on. Needs `users.suspend` at every organization of the user.
 */
export const suspendUser = statusUseCase("suspend", "users.suspend")

/** Reactivates a suspended user (back to active, or provisioned if it never signed in). */
export const reactivateUser = statusUseCase("reactivate", "users.reactivate")

/** How one user of a bulk change fared. */
export type BulkOutcome =
  | { readonly user: string; readonly ok: true; readonly status: User["status"] }
  | { readonly user: string; readonly ok: false; readonly error: { readonly _tag: string; readonly message: string } }

/**
 * Suspends several users. When configuration gates bulk suspension (`approval.gates`
 * bulk-suspend) and more than one user is named, it files one approval request instead;
 * otherwise each user is suspended in its own transaction and the outcome is per user (`Suspended`).
 */
export const suspendUsers = (refs: ReadonlyArray<string>, options: StatusChangeOptions = {}) =>
  Effect.gen(function*() {
    if (refs.length > 1 && (yield* gated("bulk-suspend"))) {
      return yield* transaction(Effect.gen(function*() {
        const people = new Map<string, { id: string; email: string }>()
        for (const ref of refs) {
          const user = yield* findUser(ref)
          yield* requireForAccount("users.suspend", user.id)
          people.set(user.id, { id: user.id, email: user.email })
        }
        return approvalRequested(yield* requestApproval({ _tag: "users.suspend", users: [...people.values()] }, options.reason))
      }))
    }
    const results: Array<BulkOutcome> = []
    for (const ref of refs) {
      const exit = yield* Effect.either(suspendUser(ref, options))
      results.push(exit._tag === "Right"
        ? { user: exit.right.email, ok: true, status: exit.right.status }
        : { user: ref, ok: false, error: { _tag: exit.left._tag, message: exit.left.message } })
    }
    return { _tag: "Suspended", results } satisfies Suspended
  })

/** Several users suspended, each in its own transaction, with how each fared. */
export interface Suspended {
  readonly _tag: "Suspended"
  readonly results: ReadonlyArray<BulkOutcome>
}

/** Suspends users in the caller's transaction after an approval; those suspended already are left as they are. */
export const suspendNow = (userIds: ReadonlyArray<string>, reason: string) =>
  Effect.gen(function*() {
    const suspended: Array<string> = []
    for (const id of userIds) {
      const user = yield* findUser(id)
      yield* requireForAccount("users.suspend", user.id)
      if (user.status === "suspended") continue
      suspended.push((yield* changeStatus(user, "suspend", { reason })).email)
    }
    return { suspended }
  })

/** Deletes an account in the caller's transaction after an approval: erased to a tombstone. */
export const deleteNow = (userId: string, reason: string) =>
  Effect.gen(function*() {
    const user = yield* findUser(userId)
    yield* requireForAccount("users.delete", user.id)
    yield* changeStatus(user, "delete", { reason })
    return { deleted: user.email, id: user.id }
  })
