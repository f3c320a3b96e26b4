import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now, providerAdmins, requireForAccount } from "../Actor.js"
import { record } from "../Audit.js"
import { LastProviderAdmin } from "../Domain/Errors.js"
import * as Lifecycle from "../Domain/Lifecycle.js"
import type { CatalogPermission } from "../Domain/Permissions.js"
import type { User } from "../Domain/User.js"
import { findUser } from "../internal/lookup.js"
import { transaction } from "../internal/tx.js"
import { writeUser, type UserColumns } from "./UsersRepo.js"

/** Options of a status change. */
export interface StatusChangeOptions {
  readonly reason?: string
  readonly expectedVersion?: number
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
    yield* writeUser(user, columns, options.expectedVersion ?? user.version)
    yield* record({
      action: `user.${event}`,
      target: user.id,
      details: { email: user.email, status: { from: user.status, to: step.user.status } },
      reason: options.reason ?? null
    })
    return yield* findUser(user.id)
  })

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
