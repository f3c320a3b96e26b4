import { Effect } from "effect"
import { now } from "../Actor.js"
import * as AccessDuration from "../Domain/AccessDuration.js"
import type { ApprovalAction } from "../Domain/Approval.js"
import { findRole, resolveScope } from "../internal/lookup.js"
import { removeMembersNow } from "../Orgs.js"
import { grantNow } from "../Roles.js"
import { activateRegistration } from "../IdpSignIn.js"
import { deleteNow, suspendNow } from "../Users/Lifecycle.js"

/**
 * Carries out an approved action in the caller's transaction, as the requester (whose
 * permissions are checked again: authority that was lost meanwhile does not survive approval).
 */
export const execute = (action: ApprovalAction, reason: string) =>
  Effect.gen(function*() {
    switch (action._tag) {
      case "user.delete":
        return yield* deleteNow(action.user.id, reason)
      case "users.suspend":
        return yield* suspendNow(action.users.map((u) => u.id), reason)
      case "org.members.remove":
        return yield* removeMembersNow(action.org, action.users.map((u) => u.id))
      case "role.grant": {
        const role = yield* findRole(action.role)
        const scope = yield* resolveScope(action.scope)
        // a time-bound grant lasts its duration from now, however long the request waited
        const expiresAt = action.expiresIn === undefined ? action.expiresAt : (yield* AccessDuration.expiryAfter("duration", action.expiresIn, yield* now)).toISOString()
        return yield* grantNow(action.principal, role, scope, expiresAt)
      }
      case "user.register":
        return yield* activateRegistration(action.user.id)
    }
  })
