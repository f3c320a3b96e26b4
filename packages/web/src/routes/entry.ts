/** The pages before anyone is signed in: sign-in (with a temporary password's forced change), invitations, resets. */
import { HttpRouter } from "@effect/platform"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { PASSWORDS_DIFFER, statusOf, wordsOf } from "../http/errors.js"
import { cookie, localPath, readForm, type Form } from "../http/request.js"
import { SESSION_COOKIE, verifyCsrf, withSessionCookie } from "../http/security.js"
import { WebConfig } from "../http/WebConfig.js"
import { START_PATH } from "../oidc/client.js"
import { forcedChangePage, invitePage, linkGonePage, linkRequestedPage, resetPage, signInPage, type SignInProvider } from "../pages/views.js"
import { anonymous, frameOf, job, limited, page, query, seeOther, sessionMeta } from "./common.js"

const MIN = Core.Credentials.PASSWORD_MIN

/**
 * The other ways to sign in, shown as buttons on /signin: the company's identity provider when it
 * is configured (routes/oidc.ts), coming back to the same page afterwards.
 */
export const signInProviders = (next: string) =>
  Effect.map(WebConfig, (config): ReadonlyArray<SignInProvider> =>
    config.oidc === undefined ? [] : [{ label: `Sign in with ${config.oidc.label}`, href: `${START_PATH}?next=${encodeURIComponent(next)}` }])

/** A POST's form after its CSRF check. */
const postedForm = Effect.tap(readForm, verifyCsrf)


const tokenParam = Effect.map(HttpRouter.params, (p) => p["token"] ?? "")

const signInForm = (next: string, extra: { readonly email?: string; readonly error?: ReturnType<typeof wordsOf>; readonly info?: string }, status = 200) =>
  Effect.gen(function*() {
    const { frame, csrf } = yield* frameOf()
    return yield* page(csrf, signInPage(frame, { next, providers: yield* signInProviders(next), ...extra }), status)
  })

const DONE: Readonly<Record<string, string>> = {
  signout: "You are signed out.",
  reset: "Your password was changed and every session ended. Sign in with the new password."
}

const getSignIn = Effect.gen(function*() {
  const next = localPath(yield* query("next"))
  const done = yield* query("done")
  return yield* signInForm(next, done !== undefined && DONE[done] !== undefined ? { info: DONE[done] } : {})
})

const forcedChange = (form: Form, next: string, error: ReturnType<typeof wordsOf> | undefined, status: number) =>
  Effect.gen(function*() {
    const { frame, csrf } = yield* frameOf()
    const body = forcedChangePage(frame, { email: form.get("email"), password: form.get("password"), next, min: MIN, ...(error === undefined ? {} : { error }) })
    return yield* page(csrf, body, status)
  })

const postSignIn = Effect.gen(function*() {
  const form = yield* postedForm
  const next = localPath(form.get("next"))
  const email = form.get("email").trim()
  yield* limited("signIn", email)
  const changing = form.has("newPassword")
  if (changing && form.get("newPassword") !== form.get("confirm")) return yield* forcedChange(form, next, PASSWORDS_DIFFER, 422)
  const result = yield* Core.signIn({
    email, password: form.get("password"), ...(yield* sessionMeta), ...(changing ? { newPassword: form.get("newPassword") } : {})
  }).pipe(anonymous, Effect.either)
  if (result._tag === "Right") {
    // a session this browser held before (another account's, say) ends: one browser, one session
    const before = yield* cookie(SESSION_COOKIE)
    if (before !== undefined && before !== "") yield* Core.signOut(before).pipe(anonymous)
    return yield* withSessionCookie(result.right.token)(seeOther(next))
  }
  const error = result.left
  if (error._tag === "PasswordChangeRequired") return yield* forcedChange(form, next, undefined, 200)
  if (error._tag === "PasswordRejected") return yield* forcedChange(form, next, wordsOf(error), statusOf(error))
  return yield* signInForm(next, { email, error: wordsOf(error) }, statusOf(error))
})

const gone = (error: Core.InvitationInvalid | Core.ResetLinkInvalid, newLinkAction?: string) =>
  Effect.gen(function*() {
    const { frame, csrf } = yield* frameOf()
    return yield* page(csrf, linkGonePage(frame, { words: wordsOf(error), ...(newLinkAction === undefined ? {} : { newLinkAction }) }), 410)
  })

const inviteForm = (token: string, extra: { readonly error?: ReturnType<typeof wordsOf>; readonly firstName?: string; readonly lastName?: string }, status = 200) =>
  Effect.gen(function*() {
    const preview = yield* Core.Jobs.previewInvitation(token).pipe(job, Effect.either)
    if (preview._tag === "Left") return yield* gone(preview.left, `/invite/${token}/new-link`)
    const { frame, csrf } = yield* frameOf()
    return yield* page(csrf, invitePage(frame, { preview: preview.right, action: `/invite/${token}`, min: MIN, ...extra }), status)
  })

const getInvite = Effect.flatMap(tokenParam, (token) => inviteForm(token, {}))

const postInvite = Effect.gen(function*() {
  const token = yield* tokenParam
  const form = yield* postedForm
  yield* limited("accept", token)
  const names = {
    ...(form.has("firstName") ? { firstName: form.get("firstName") } : {}),
    ...(form.has("lastName") ? { lastName: form.get("lastName") } : {})
  }
  if (form.get("password") !== form.get("confirm")) return yield* inviteForm(token, { ...names, error: PASSWORDS_DIFFER }, 422)
  const accepted = yield* Core.acceptInvitation({ token, password: form.get("password"), ...names }).pipe(anonymous, Effect.either)
  if (accepted._tag === "Left") {
    const error = accepted.left
    if (error._tag === "InvitationInvalid") return yield* gone(error, `/invite/${token}/new-link`)
    return yield* inviteForm(token, { ...names, error: wordsOf(error) }, statusOf(error))
  }
  const signed = yield* Core.signIn({ email: accepted.right.email, password: form.get("password"), ...(yield* sessionMeta) }).pipe(anonymous, Effect.either)
  if (signed._tag === "Left") return yield* seeOther("/signin")
  return yield* withSessionCookie(signed.right.token)(seeOther("/account"))
})

const postNewLink = Effect.gen(function*() {
  const token = yield* tokenParam
  yield* postedForm
  yield* limited("newLink", token)
  yield* Core.Jobs.requestInvitationLink(token).pipe(job)
  const { frame, csrf } = yield* frameOf()
  return yield* page(csrf, linkRequestedPage(frame))
})

const resetForm = (token: string, error?: ReturnType<typeof wordsOf>, status = 200) =>
  Effect.gen(function*() {
    const valid = yield* Core.Jobs.checkResetLink(token).pipe(job, Effect.either)
    if (valid._tag === "Left") return yield* gone(valid.left)
    const { frame, csrf } = yield* frameOf()
    return yield* page(csrf, resetPage(frame, { action: `/reset/${token}`, min: MIN, ...(error === undefined ? {} : { error }) }), status)
  })

const getReset = Effect.flatMap(tokenParam, (token) => resetForm(token))

const postReset = Effect.gen(function*() {
  const token = yield* tokenParam
  const form = yield* postedForm
  yield* limited("reset", token)
  if (form.get("password") !== form.get("confirm")) return yield* resetForm(token, PASSWORDS_DIFFER, 422)
  const done = yield* Core.completePasswordReset({ token, password: form.get("password") }).pipe(anonymous, Effect.either)
  if (done._tag === "Right") return yield* seeOther("/signin?done=reset")
  if (done.left._tag === "ResetLinkInvalid") return yield* gone(done.left)
  return yield* resetForm(token, wordsOf(done.left), statusOf(done.left))
})

/** The entry pages' routes. */
export const entryRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/", seeOther("/account")),
  HttpRouter.get("/signin", getSignIn),
  HttpRouter.post("/signin", postSignIn),
  HttpRouter.get("/invite/:token", getInvite),
  HttpRouter.post("/invite/:token", postInvite),
  HttpRouter.post("/invite/:token/new-link", postNewLink),
  HttpRouter.get("/reset/:token", getReset),
  HttpRouter.post("/reset/:token", postReset)
)
