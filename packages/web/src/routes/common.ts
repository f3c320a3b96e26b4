/** What every page handler uses: the frame, answering with a page, rate limits, the signed-in person. */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import type { Html } from "../Html.js"
import { TooManyRequests } from "../http/errors.js"
import { clientIp, cookie } from "../http/request.js"
import { csrfOf, type Csrf, SESSION_COOKIE, withCsrfCookie } from "../http/security.js"
import { type Limits, WebConfig } from "../http/WebConfig.js"
import type { Frame } from "../pages/layout.js"

/** Anonymous requests act as the system through the web (core provides the person where it knows them). */
export const anonymous = Core.as("system", "web")
/** Reads before anyone acts (a link, a session, a counter). */
export const job = Core.Jobs.asSystem("web")
/** A signed-in person's use case. */
export const asPerson = (userId: Core.UserId) => Core.as(userId, "web")

/** The frame of a page: the organization's name and this browser's CSRF token. */
export const frameOf = (signedIn?: string) =>
  Effect.gen(function*() {
    const csrf = yield* csrfOf
    const orgName = (yield* Core.Jobs.organizationName.pipe(job)) ?? "usher"
    const frame: Frame = signedIn === undefined ? { orgName, csrf: csrf.token } : { orgName, csrf: csrf.token, signedIn }
    return { frame, csrf }
  })

/** An HTML answer (with the CSRF cookie when the token is new). */
export const page = (csrf: Csrf, body: Html, status = 200) =>
  withCsrfCookie(csrf)(HttpServerResponse.text(body.markup, { status, contentType: "text/html; charset=utf-8" }))

/** A redirect after a POST (303: the browser GETs the new address). */
export const seeOther = (location: string) => HttpServerResponse.empty({ status: 303, headers: { location } })

/** The query parameter of the request's URL. */
export const query = (name: string) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => new URL(request.url, "http://usher.invalid").searchParams.get(name) ?? undefined)

/** What is known of the client for a new session. */
export const sessionMeta = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const ua = request.headers["user-agent"]
  return { ip: yield* clientIp, ...(ua === undefined ? {} : { userAgent: ua }) }
})

const fingerprint = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 22)

/**
 * Counts a request against its limits, per client address and per account (an e-mail, or a
 * link's token: hashed before it goes anywhere), and fails with `TooManyRequests` over either.
 */
export const limited = (purpose: keyof Limits, account: string) =>
  Effect.gen(function*() {
    const limits = (yield* WebConfig).limits[purpose]
    const ip = yield* clientIp
    const byIp = yield* Core.Jobs.hitRateLimit(`${purpose}:ip:${ip}`, { limit: limits.perIp, windowSeconds: limits.windowSeconds }).pipe(job)
    const byAccount = yield* Core.Jobs.hitRateLimit(`${purpose}:account:${fingerprint(account.trim().toLowerCase())}`, { limit: limits.perAccount, windowSeconds: limits.windowSeconds }).pipe(job)
    const refused = [byIp, byAccount].filter((a) => !a.allowed)
    if (refused.length > 0) return yield* Effect.fail(new TooManyRequests({ retryAfterSeconds: Math.max(...refused.map((a) => a.retryAfterSeconds)) }))
  })

/** The signed-in person of this request: their session and account, or `SessionInvalid`. */
export const signedIn = Effect.gen(function*() {
  const token = yield* cookie(SESSION_COOKIE)
  if (token === undefined || token === "") return yield* Effect.fail(new Core.SessionInvalid())
  const found = yield* Core.Jobs.authenticate(token).pipe(job)
  return { ...found, token }
})
