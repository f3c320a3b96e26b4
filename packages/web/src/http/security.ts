/** Cookies, CSRF tokens and the security headers of every answer. */
import { HttpServerResponse } from "@effect/platform"
import { randomBytes, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import { cookie, type Form } from "./request.js"
import { CsrfRefused } from "./errors.js"
import { secureCookies, WebConfig } from "./WebConfig.js"

/** The session cookie: its value is the session token (only its hash is stored). */
export const SESSION_COOKIE = "usher_session"
/** The CSRF cookie of the double-submit check; every form carries the same value in `_csrf`. */
export const CSRF_COOKIE = "usher_csrf"
/** The form field that carries the CSRF token. */
export const CSRF_FIELD = "_csrf"

/** The CSRF token of this browser: its cookie's, or a new one (set on the answer by `withCsrfCookie`). */
export interface Csrf {
  readonly token: string
  readonly fresh: boolean
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/

/** The browser's CSRF token, or a fresh one when it has none (or a malformed one). */
export const csrfOf = Effect.map(cookie(CSRF_COOKIE), (value): Csrf =>
  value !== undefined && TOKEN.test(value) ? { token: value, fresh: false } : { token: randomBytes(32).toString("base64url"), fresh: true })

/**
 * Refuses a POST whose `_csrf` field is not the browser's CSRF cookie (double submit): another
 * site can make a browser send the form, but can neither read nor set this site's cookie.
 */
export const verifyCsrf = (form: Form) =>
  Effect.gen(function*() {
    const expected = yield* cookie(CSRF_COOKIE)
    const given = form.get(CSRF_FIELD)
    const ok = expected !== undefined && TOKEN.test(expected) && given.length === expected.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(expected))
    if (!ok) return yield* Effect.fail(new CsrfRefused())
  })

const cookieOptions = (secure: boolean) => ({ httpOnly: true, sameSite: "lax" as const, path: "/", secure })

/** Sets the CSRF cookie on an answer when the token is new. */
export const withCsrfCookie = (csrf: Csrf) => (response: HttpServerResponse.HttpServerResponse) =>
  Effect.map(WebConfig, (config) =>
    csrf.fresh ? HttpServerResponse.unsafeSetCookie(response, CSRF_COOKIE, csrf.token, { ...cookieOptions(secureCookies(config)), sameSite: "strict" }) : response)

/** Puts a new session's token into the session cookie (a browser-session cookie: the server decides expiry). */
export const withSessionCookie = (token: string) => (response: HttpServerResponse.HttpServerResponse) =>
  Effect.map(WebConfig, (config) => HttpServerResponse.unsafeSetCookie(response, SESSION_COOKIE, token, cookieOptions(secureCookies(config))))

/** Removes the session cookie. */
export const withoutSessionCookie = (response: HttpServerResponse.HttpServerResponse) =>
  Effect.map(WebConfig, (config) =>
    HttpServerResponse.unsafeSetCookie(response, SESSION_COOKIE, "", { ...cookieOptions(secureCookies(config)), maxAge: 0, expires: new Date(0) }))

/**
 * The headers of every answer: no framing, no sniffing, resources from usher only, no referrer
 * (page addresses may hold a token, which must not leak to another site), no caching of pages.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin"
}

/**
 * The headers with the identity provider's origin allowed as a form's destination: the account
 * page's "link" button is a form (POST, CSRF-checked) answered by a redirect to the provider, and
 * browsers apply `form-action` to every redirect a form submission follows.
 */
export const securityHeaders = (formTargets: ReadonlyArray<string>): Readonly<Record<string, string>> =>
  formTargets.length === 0 ? SECURITY_HEADERS : {
    ...SECURITY_HEADERS,
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"]!.replace("form-action 'self'", `form-action 'self' ${formTargets.join(" ")}`)
  }
