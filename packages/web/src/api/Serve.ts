/**
 * Serving one operation of the route table: the token first (an `admin` or unlimited one), the
 * token's request budget, then the path, query, `If-Match` and body decoded by the operation's
 * schemas (anything malformed is a 400 naming it), the handler run as the token's owner through
 * `api` (its audit rows name the token), and its answer rendered with `ETag`, `Link`, `Location`.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Core from "@usher/core"
import { Effect, ParseResult, Schema } from "effect"
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible"
import { BadRequest, PreconditionFailed, TooManyRequests } from "../http/errors.js"
import { defaultApiBudget, WebConfig, type WebConfigShape } from "../http/WebConfig.js"
import { jsonBody, tokenFor } from "../routes/api.js"
import type { ApiRoute } from "./Route.js"

/** What a parse error says, in a few lines joined (the API takes no secrets, so naming a wrong value is fine). */
const reasonOf = (where: string, error: ParseResult.ParseError) =>
  `${where}: ${ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 6).join(" ")}`

/** The URL's query as a record: a parameter given once is a string, one given again a list. */
const queryRecord = (params: URLSearchParams): Record<string, string | ReadonlyArray<string>> => {
  const out: Record<string, string | ReadonlyArray<string>> = {}
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key)
    out[key] = values.length === 1 ? values[0]! : values
  }
  return out
}

const decodeUrl = (schema: Schema.Schema.All | undefined, value: unknown, where: string): Effect.Effect<any, BadRequest> =>
  schema === undefined
    ? (Object.keys(value as object).length === 0 ? Effect.succeed({}) : Effect.fail(new BadRequest({ reason: `${where}: this operation takes none` })))
    : Schema.decodeUnknown(schema as Schema.Schema<unknown, unknown, never>, { onExcessProperty: "error" })(value).pipe(Effect.mapError((error) => new BadRequest({ reason: reasonOf(where, error) })))

const ENTITY_TAG = /^(?:W\/)?"([0-9]{1,15})"$/

/**
 * The version an `If-Match` names: one entity tag as this API gives them (`W/"3"`, or `"3"`), or
 * `*` (any current version: no check). Several tags, or anything else, is a 400. Weak tags are
 * compared as if strong (RFC 9110 asks for the strong comparison): a user's version changes with
 * every write, so equal versions are the same row, whichever representation carried the tag.
 */
export const ifMatchVersion = (header: string | undefined): Effect.Effect<number | undefined, BadRequest> => {
  if (header === undefined || header.trim() === "*") return Effect.succeed(undefined)
  const match = ENTITY_TAG.exec(header.trim())
  const version = match === null ? Number.NaN : Number(match[1])
  return Number.isSafeInteger(version) && version >= 1
    ? Effect.succeed(version)
    : Effect.fail(new BadRequest({ reason: 'If-Match: give one entity tag as this API sent it in ETag, W/"<version>"' }))
}

/** The ETag of a row at a version. */
export const entityTag = (version: number) => `W/"${version}"`

const budgets = new WeakMap<WebConfigShape, RateLimiterMemory>()

/** Counts the request against the token's budget; over it, `TooManyRequests` with when to try again. */
const spend = (token: Core.ApiToken) =>
  Effect.gen(function*() {
    const config = yield* WebConfig
    let limiter = budgets.get(config)
    if (limiter === undefined) {
      const limit = config.apiBudget ?? defaultApiBudget
      limiter = new RateLimiterMemory({ points: limit.perToken, duration: limit.windowSeconds })
      budgets.set(config, limiter)
    }
    const counter = limiter
    yield* Effect.tryPromise({ try: () => counter.consume(token.id), catch: (refusal) => refusal }).pipe(
      Effect.catchAll((refusal) =>
        refusal instanceof RateLimiterRes
          ? Effect.fail(new TooManyRequests({ retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) }))
          : Effect.die(refusal))
    )
  })

/**
 * The token for this API. A token limited to an organization is refused here: the admin API's
 * use cases do not yet confine an acting token to its organization (only the check API does), so
 * serving one would let it act beyond its limit.
 */
const adminToken = Effect.flatMap(tokenFor("admin"), (token) =>
  token.org === null
    ? Effect.succeed(token)
    : Effect.fail(new Core.ApiTokenNotForThis({ reason: `it is limited to org:${token.org}, and the admin API takes only tokens without an organization limit` })))

/** The handler of one operation, for the router. */
export const serve = (route: ApiRoute) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const token = yield* adminToken
    yield* spend(token)
    const url = new URL(request.url, "http://usher.invalid")
    const params = yield* decodeUrl(route.params, yield* HttpRouter.params, "path")
    const query = yield* decodeUrl(route.query, queryRecord(url.searchParams), "query")
    const condition = request.headers["if-match"]
    const ifMatch = yield* ifMatchVersion(condition)
    if (route.ifMatch !== true && ifMatch !== undefined) {
      return yield* Effect.fail(new PreconditionFailed({ reason: `${route.method} ${route.path} answers no entity tag to match` }))
    }
    const body = route.body === undefined
      ? undefined
      : yield* jsonBody(route.body, { parse: { onExcessProperty: "error" }, ...(route.bodyOptional === true ? { whenEmpty: {} } : {}) })
    const answer = yield* route.handler({ params, query, body, ifMatch, path: url.pathname }).pipe(Core.asToken(token, "api"))
    const headers: Record<string, string> = { "cache-control": "no-store" }
    if (answer.version !== undefined) headers["etag"] = entityTag(answer.version)
    if (answer.link !== undefined) headers["link"] = answer.link
    if (answer.location !== undefined) headers["location"] = answer.location
    return answer.status === 204
      ? HttpServerResponse.empty({ status: 204, headers })
      : HttpServerResponse.unsafeJson(answer.body, { status: answer.status, headers })
  })
