import { Either, Schema } from "effect"
import { InvalidTransition } from "./Errors.js"
import type { User, UserStatus } from "./User.js"

/** What can happen to an account (DESIGN §3). */
export const LifecycleEvent = Schema.Literal(
  "accept",
  "firstPasswordChange",
  "suspend",
  "reactivate",
  "delete",
  "cancelInvite"
)
export type LifecycleEvent = typeof LifecycleEvent.Type

/** Side effects the caller must carry out in the same transaction. */
export type LifecycleEffect = "revokeSessions" | "eraseAccount" | "markRegistered"

/** The state a user needs for a transition: status and whether it ever became active. */
export type LifecycleUser = Pick<User, "status" | "registeredAt">

/** Result of a valid transition. */
export interface Transition {
  readonly status: UserStatus
  readonly effects: ReadonlyArray<LifecycleEffect>
}

const table: Record<UserStatus, Partial<Record<LifecycleEvent, (user: LifecycleUser) => Transition>>> = {
  invited: {
    accept: () => ({ status: "active", effects: ["markRegistered"] }),
    delete: () => ({ status: "deleted", effects: ["revokeSessions", "eraseAccount"] }),
    cancelInvite: () => ({ status: "deleted", effects: ["revokeSessions", "eraseAccount"] })
  },
  provisioned: {
    firstPasswordChange: () => ({ status: "active", effects: ["markRegistered"] }),
    suspend: () => ({ status: "suspended", effects: ["revokeSessions"] }),
    delete: () => ({ status: "deleted", effects: ["revokeSessions", "eraseAccount"] })
  },
  active: {
    suspend: () => ({ status: "suspended", effects: ["revokeSessions"] }),
    delete: () => ({ status: "deleted", effects: ["revokeSessions", "eraseAccount"] })
  },
  suspended: {
    reactivate: (user) => ({ status: user.registeredAt === null ? "provisioned" : "active", effects: [] }),
    delete: () => ({ status: "deleted", effects: ["revokeSessions", "eraseAccount"] })
  },
  deleted: {}
}

/** Every status, in lifecycle order. */
export const statuses: ReadonlyArray<UserStatus> = ["invited", "provisioned", "active", "suspended", "deleted"]

/** Every event. */
export const events: ReadonlyArray<LifecycleEvent> = LifecycleEvent.literals

/** The lifecycle transition function: pure, every (status, event) pair decided. */
export const transition = (user: LifecycleUser, event: LifecycleEvent): Either.Either<Transition, InvalidTransition> => {
  const step = table[user.status][event]
  return step === undefined
    ? Either.left(new InvalidTransition({ from: user.status, event }))
    : Either.right(step(user))
}
