/**
 * Sign-in with the company's identity provider: GET /signin/oidc sends the browser to the provider
 * (code flow with PKCE, a fresh state and nonce kept in a short-lived cookie), the provider sends
 * it back to GET /signin/oidc/callback, which checks everything and asks core who this is
 * (`signInWithIdp`). POST /account/link-idp does the same round trip to link the signed-in
 * person's account instead (`linkIdentity`). Not configured: these paths answer 404.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Core from "@usher/core"
import { Duration, Effect, Either } from "effect"
import { PageNotFound, statusOf, wordsOf, type Words } from "../http/errors.js"
import { cookie, localPath, readForm } from "../http/request.js"
import { SESSION_COOKIE, verifyCsrf, withSessionCookie, withoutSessionCookie } from "../http/security.js"
import { secureCookies, WebConfig } from "../http/WebConfig.js"
import {
  CALLBACK_PATH, callbackUrl, decodePending, encodePending, finishSignIn, PENDING_COOKIE, PENDING_MAX_AGE_SECONDS, START_PATH, startSignIn
} from "../oidc/client.js"
import { signInPage } from "../pages/views.js"
import { renderAccount } from "./account.js"
import { signInProviders } from "./entry.js"
import { anonymous, asPerson, frameOf, limited, page, query, seeOther, sessionMeta, signedIn } from "./common.js"

/** The path of the account page's "link" button. */
export const LINK_PATH = "/account/link-idp"

/** The configured provider, or 404 when there is none. */
const setup = Effect.flatMap(WebConfig, (config) => config.oidc === undefined ? Effect.fail(new PageNotFound()) : Effect.succeed(config.oidc))

const pendingCookie = (value: string, maxAge: number) => (response: HttpServerResponse.HttpServerResponse) =>
  Effect.map(WebConfig, (config) =>
    // Lax, not Strict: the provider's redirect back is a top-level navigation from another site
    HttpServerResponse.unsafeSetCookie(response, PENDING_COOKIE, value, {
      httpOnly: true, sameSite: "lax", path: START_PATH, secure: secureCookies(config), maxAge: Duration.seconds(maxAge),
      ...(maxAge === 0 ? { expires: new Date(0) } : {})
    }))

/** Sends the browser to the provider with a fresh pending sign-in in its cookie. */
const redirectToProvider = (purpose: "signin" | "link", returnTo: string) =>
  Effect.gen(function*() {
    const client = yield* (yield* setup).client
    const { url, pending } = yield* startSignIn(client, { purpose, returnTo })
    return yield* pendingCookie(encodePending(pending), PENDING_MAX_AGE_SECONDS)(HttpServerResponse.empty({ status: 303, headers: { location: url.href } }))
  })

const getStart = Effect.gen(function*() {
  yield* setup
  return yield* redirectToProvider("signin", localPath(yield* query("next")))
})

const postLink = Effect.gen(function*() {
  const form = yield* readForm
  yield* verifyCsrf(form)
  yield* setup
  const person = yield* signedIn.pipe(Effect.either)
  if (Either.isLeft(person)) return yield* withoutSessionCookie(seeOther(`/signin?next=${encodeURIComponent("/account")}`))
  return yield* redirectToProvider("link", "/account")
})

/** The sign-in page with what went wrong at the provider. */
const signInFailed = (words: Words, status: number) =>
  Effect.gen(function*() {
    const { frame, csrf } = yield* frameOf()
    return yield* page(csrf, signInPage(frame, { next: "/account", providers: yield* signInProviders("/account"), error: words }), status)
  })

const getCallback = Effect.gen(function*() {
  const oidc = yield* setup
  const config = yield* WebConfig
  const request = yield* HttpServerRequest.HttpServerRequest
  const search = new URL(request.url, "http://usher.invalid").search
  // the checks are single-use: whatever happens next, the cookie goes
  const forget = pendingCookie("", 0)
  const checked = yield* Effect.gen(function*() {
    const pending = yield* decodePending(yield* cookie(PENDING_COOKIE))
    const client = yield* oidc.client
    const identity = yield* finishSignIn(client, callbackUrl(client, search), pending)
    return { pending, identity }
  }).pipe(Effect.either)
  if (Either.isLeft(checked)) {
    const error = checked.left
    if (error._tag === "OidcCallbackRejected") config.log?.(`${CALLBACK_PATH}: refused (${error.reason})`)
    return yield* Effect.flatMap(signInFailed(wordsOf(error), statusOf(error)), forget)
  }
  const { pending, identity } = checked.right
  yield* limited("idp", `${identity.issuer}#${identity.subject}`)
  const returnTo = localPath(pending.returnTo)
  if (pending.purpose === "link") {
    const person = yield* signedIn.pipe(Effect.either)
    if (Either.isLeft(person)) return yield* Effect.flatMap(withoutSessionCookie(seeOther("/signin?next=%2Faccount")), forget)
    const linked = yield* Core.linkIdentity(identity).pipe(asPerson(person.right.user.id), Effect.either)
    if (Either.isRight(linked)) return yield* forget(seeOther("/account?done=linked#identity"))
    return yield* Effect.flatMap(renderAccount(person.right, { error: wordsOf(linked.left) }, statusOf(linked.left)), forget)
  }
  const signed = yield* Core.signInWithIdp(identity, yield* sessionMeta).pipe(anonymous, Effect.either)
  if (Either.isLeft(signed)) return yield* Effect.flatMap(signInFailed(wordsOf(signed.left), statusOf(signed.left)), forget)
  // a session this browser held before (another account's, say) ends: one browser, one session
  const before = yield* cookie(SESSION_COOKIE)
  if (before !== undefined && before !== "") yield* Core.signOut(before).pipe(anonymous)
  return yield* Effect.flatMap(withSessionCookie(signed.right.token)(seeOther(returnTo)), forget)
})

/** The identity provider's routes. */
export const oidcRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(START_PATH, getStart),
  HttpRouter.get(CALLBACK_PATH, getCallback),
  HttpRouter.post(LINK_PATH, postLink)
)
