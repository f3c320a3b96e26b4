/** The signed-in person's pages: their account, its sessions, their password, signing out. */
import { HttpRouter, HttpServerRequest } from "@effect/platform"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { PASSWORDS_DIFFER, statusOf, wordsOf, type Words } from "../http/errors.js"
import { readForm } from "../http/request.js"
import { verifyCsrf, withoutSessionCookie } from "../http/security.js"
import { WebConfig } from "../http/WebConfig.js"
import { accountPage } from "../pages/views.js"
import { anonymous, asPerson, frameOf, limited, page, query, seeOther, signedIn } from "./common.js"

const DONE: Readonly<Record<string, string>> = {
  profile: "Your profile was saved.",
  password: "Your password was changed; every other session was signed out.",
  session: "That session was signed out.",
  others: "Every other session was signed out.",
  linked: "Your account is linked to your company account: you can sign in with it now."
}

/** Issuer identifiers compared as the provider may spell them, with or without a trailing slash. */
const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "")

export type Person = Effect.Effect.Success<typeof signedIn>

/** The account page of a person, with a notice or an error. */
export const renderAccount = (person: Person, extra: { readonly info?: string; readonly error?: Words }, status = 200) =>
  Effect.gen(function*() {
    const as = asPerson(person.user.id)
    const account = yield* Core.myAccount.pipe(as, Effect.orDie)
    const sessions = yield* Core.mySessions.pipe(as, Effect.orDie)
    const links = yield* Core.myIdentityLinks.pipe(as)
    const oidc = (yield* WebConfig).oidc
    const { frame, csrf } = yield* frameOf(Core.displayName(account.user))
    return yield* page(csrf, accountPage(frame, { account, sessions, links, ...(oidc === undefined || links.some((l) => sameIssuer(l.issuer, oidc.issuer)) ? {} : { linkButton: oidc.label }), currentSession: person.session.id, min: Core.Credentials.PASSWORD_MIN, ...extra }), status)
  })

/** A page for the signed-in only: anyone else goes to sign-in, and comes back here after. */
const forPerson = <E, R>(handler: (person: Person) => Effect.Effect<import("@effect/platform").HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const person = yield* signedIn.pipe(Effect.either)
    if (person._tag === "Left") {
      const back = request.method === "GET" ? new URL(request.url, "http://usher.invalid").pathname : "/account"
      return yield* withoutSessionCookie(seeOther(`/signin?next=${encodeURIComponent(back)}`))
    }
    return yield* handler(person.right)
  })

/** A POST of the account page: its form after the CSRF check. */
const posted = <E, R>(handler: (person: Person, form: Effect.Effect.Success<typeof readForm>) => Effect.Effect<import("@effect/platform").HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function*() {
    const form = yield* readForm
    yield* verifyCsrf(form)
    return yield* forPerson((person) => handler(person, form))
  })

/** After a change: back to the account page, which says what happened. */
const done = (what: keyof typeof DONE, anchor: string) => seeOther(`/account?done=${what}#${anchor}`)

const getAccount = forPerson((person) =>
  Effect.gen(function*() {
    const what = yield* query("done")
    return yield* renderAccount(person, what !== undefined && DONE[what] !== undefined ? { info: DONE[what] } : {})
  }))

const postProfile = posted((person, form) =>
  Core.updateMyProfile({ firstName: form.get("firstName"), lastName: form.get("lastName"), phone: form.get("phone") }).pipe(
    asPerson(person.user.id),
    Effect.matchEffect({ onSuccess: () => Effect.succeed(done("profile", "profile")), onFailure: (error) => renderAccount(person, { error: wordsOf(error) }, statusOf(error)) })
  ))

const postPassword = posted((person, form) =>
  Effect.gen(function*() {
    yield* limited("signIn", person.user.email)
    if (form.get("password") !== form.get("confirm")) {
      return yield* renderAccount(person, { error: PASSWORDS_DIFFER }, 422)
    }
    return yield* Core.changePassword({ currentPassword: form.get("currentPassword"), newPassword: form.get("password"), keepSession: person.session.id }).pipe(
      asPerson(person.user.id),
      Effect.matchEffect({ onSuccess: () => Effect.succeed(done("password", "password")), onFailure: (error) => renderAccount(person, { error: wordsOf(error) }, statusOf(error)) })
    )
  }))

const postEndSession = posted((person, form) =>
  Core.endMySessions({ only: form.get("session") }).pipe(
    asPerson(person.user.id),
    Effect.matchEffect({ onSuccess: () => Effect.succeed(done("session", "sessions")), onFailure: (error) => renderAccount(person, { error: wordsOf(error) }, statusOf(error)) })
  ))

const postEndOthers = posted((person) =>
  Core.endMySessions({ except: person.session.id }).pipe(asPerson(person.user.id), Effect.orDie, Effect.as(done("others", "sessions"))))

const postSignOut = Effect.gen(function*() {
  const form = yield* readForm
  yield* verifyCsrf(form)
  const person = yield* signedIn.pipe(Effect.option)
  if (person._tag === "Some") yield* Core.signOut(person.value.token).pipe(anonymous)
  return yield* withoutSessionCookie(seeOther("/signin?done=signout"))
})

/** The account pages' routes. */
export const accountRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/account", getAccount),
  HttpRouter.post("/account/profile", postProfile),
  HttpRouter.post("/account/password", postPassword),
  HttpRouter.post("/account/sessions/end", postEndSession),
  HttpRouter.post("/account/sessions/end-others", postEndOthers),
  HttpRouter.post("/signout", postSignOut)
)
