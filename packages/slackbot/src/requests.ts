import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import { MAX_TARGETS, type SeenRequest, type TargetDetail } from "./blocks/approvals.js"
import { formatSlackError } from "./blocks/errors.js"
import type { HomeData } from "./blocks/home.js"

/**
 * How many pending requests one answer asks core about (`checkCanDecide`, a few queries each);
 * the rest are listed unchecked, and a click on one still gets core's answer.
 */
export const MAX_CHECKED = 30

/** How many of the newest requests the acting person can see are searched for their own decided ones. */
const RECENT = 50

/**
 * The pending requests the acting person can see (core's `listApprovals`), newest first, each
 * with what core says they may do about it: withdraw their own, decide the ones `checkCanDecide`
 * lets them, or why not.
 */
export const pendingSeen = Effect.gen(function*() {
  const actor = yield* Core.Actor
  const pending = yield* Core.listApprovals({ status: "pending" })
  let checked = 0
  return yield* Effect.forEach(pending, (request): Effect.Effect<SeenRequest, never, Core.CoreServices | Core.Actor> => {
    if (request.requestedById === actor.id) return Effect.succeed({ request, may: { _tag: "Withdraw" } })
    if (checked++ >= MAX_CHECKED) return Effect.succeed({ request, may: { _tag: "Unchecked" } })
    return Effect.map(Effect.either(Core.checkCanDecide(request.id)), (check) =>
      Either.isRight(check)
        ? { request: check.right, may: { _tag: "Decide" } }
        : { request, may: { _tag: "Cannot", why: formatSlackError(check.left).message } })
  })
})

/** What the acting person's Home tab shows: the pending requests they see, their own decided ones, their access. */
export const homeData = Effect.gen(function*() {
  const actor = yield* Core.Actor
  const account = yield* Core.myAccount
  const pending = yield* pendingSeen
  const recent = yield* Core.listApprovals({ limit: RECENT })
  const decided = recent.filter((a) => a.requestedById === actor.id && a.status !== "pending")
  return { account, pending, decided } satisfies HomeData
})

/** The accounts a request acts on (a grant to a group acts on none: its members are not listed). */
export const targetsOf = (payload: Core.ApprovalRequest["payload"]): ReadonlyArray<{ readonly id: string; readonly email: string }> => {
  switch (payload._tag) {
    case "user.delete":
    case "user.register":
      return [payload.user]
    case "role.grant":
      return payload.principal.type === "user" ? [{ id: payload.principal.id, email: payload.principal.label }] : []
    case "users.suspend":
    case "org.members.remove":
      return payload.users
  }
}

/**
 * The current state of the accounts a request acts on (the first few), as the acting person may
 * read them (`showUser`): one they may not read, or that is gone, says so instead.
 */
export const targetDetails = (a: Core.ApprovalRequest) =>
  Effect.forEach(targetsOf(a.payload).slice(0, MAX_TARGETS), (t) =>
    Core.showUser(t.id).pipe(
      Effect.map((detail): TargetDetail => ({ _tag: "Found", detail })),
      Effect.catchAll((e) => Effect.succeed<TargetDetail>({ _tag: "Unavailable", email: t.email, why: formatSlackError(e).message }))
    ))
