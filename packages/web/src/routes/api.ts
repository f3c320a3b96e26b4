/**
 * The APIs for programs, a route group of its own under `/api`. Every call names an API token
 * (`Authorization: Bearer usher_pat_…`) and acts as the token's owner, never more: core's
 * permission and reach checks decide, as for the person's own actions. Errors answer as RFC 9457
 * problem+json with core's error tag, their status from `http/errors.ts`.
 *
 * `POST /api/v1/check` asks "may this user do this here?" for the company's apps: one question
 * `{user, permission, scope?}` or a batch `{checks: [...]}` of up to 1,000. Tokens limited to
 * `check` may call nothing else; a token limited to an organization asks only about its scopes.
 */
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Core from "@usher/core"
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import type { ParseOptions } from "effect/SchemaAST"
import type { RouteDoc } from "../api/Route.js"
import { PermissionPath, Problem } from "../api/Schemas.js"
import { BadRequest, BodyTooLarge, Defect, isServerError, problem } from "../http/errors.js"
import { isBodyTooLarge } from "../http/request.js"

/** The most questions one batch may ask. */
export const MAX_CHECKS = 1_000
/** An API request body's limit: a full batch with long names fits. */
const MAX_API_BODY = 1024 * 1024

/** The secret a request presents (`Authorization: Bearer …`); `ApiTokenRejected` without one. */
const bearerSecret = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers["authorization"] ?? "")
  return match === null ? yield* Effect.fail(new Core.ApiTokenRejected()) : match[1]!
})

/** The presented token, authenticated for a surface; `ApiTokenRejected` without one, `ApiTokenNotForThis` when it is limited to another. */
export const tokenFor = (surface: Core.TokenSurface) =>
  Effect.flatMap(bearerSecret, (secret) => Core.Jobs.authenticateApiToken(secret, surface).pipe(Core.Jobs.asSystem(surface === "scim" ? "scim" : "api")))

/** How `jsonBody` decodes: the schema's parse options (e.g. refusing unknown fields), and what an empty body stands for (absent: an empty body is not JSON). */
export interface BodyOptions {
  readonly parse?: ParseOptions
  readonly whenEmpty?: unknown
  /** a check that a body is already what the schema decodes it to, so the decoding can be skipped (the schema still words any refusal) */
  readonly accept?: (body: unknown) => boolean
}

/** The JSON body, size-limited, decoded by a schema; what is wrong is a `BadRequest` naming it. */
export const jsonBody = <A, I>(schema: Schema.Schema<A, I>, options: BodyOptions = {}) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (Number(request.headers["content-length"] ?? "0") > MAX_API_BODY) return yield* Effect.fail(new BodyTooLarge())
    const text = yield* request.text.pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(MAX_API_BODY)),
      Effect.mapError((error) => isBodyTooLarge(error) ? new BodyTooLarge() : new BadRequest({ reason: "the body could not be read" }))
    )
    const body = text.trim() === "" && options.whenEmpty !== undefined
      ? options.whenEmpty
      : yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => new BadRequest({ reason: "the body is not JSON" }) })
    if (options.accept?.(body) === true) return body as A
    return yield* Schema.decodeUnknown(schema, options.parse)(body).pipe(
      Effect.mapError((error) => new BadRequest({ reason: ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 6).join(" ") }))
    )
  })

const Text = (description: string) => Schema.String.pipe(Schema.maxLength(1_000)).annotations({ description })
const Question = Schema.Struct({
  user: Text("the account: e-mail or id"),
  permission: Text("e.g. users.read, or an app's own permission such as wiki.pages.edit"),
  scope: Schema.optional(Text("provider, org:<slug> or app:<org>/<app>; the provider when left out"))
}).annotations({ identifier: "CheckQuestion" })
type Question = typeof Question.Type
export const CheckBody = Schema.Union(
  Question,
  Schema.Struct({ checks: Schema.Array(Question).pipe(Schema.maxItems(MAX_CHECKS)) }).annotations({ identifier: "CheckBatch", description: `up to ${MAX_CHECKS} questions` })
).annotations({ identifier: "CheckRequest" })

/** One answer: the verdict and every path that gives the permission (none when it is refused). */
export const CheckAnswer = Schema.Struct({
  allowed: Schema.Boolean,
  user: Schema.String,
  permission: Schema.String,
  scope: Schema.String,
  paths: Schema.Array(PermissionPath)
}).annotations({ identifier: "CheckAnswer" })
/** A batch's answers, in the order asked: a question that could not be answered has its problem instead. */
export const CheckResults = Schema.Struct({
  results: Schema.Array(Schema.Union(CheckAnswer, Schema.Struct({ problem: Problem })))
}).annotations({ identifier: "CheckResults" })

/**
 * The check operation as the OpenAPI document describes it. It is served by `postCheck` below,
 * not by the admin route table: its token kind is `check` and it has no request budget.
 */
export const checkOperation: RouteDoc = {
  method: "POST",
  path: "/api/v1/check",
  operationId: "check",
  summary: "May this user do this here? One question, or a batch of up to 1,000",
  description: "Answers from the directory as it is now: a revocation or suspension made anywhere shows on the next call. " +
    "A token limited to an organization asks only about its scopes. In a batch, a question that cannot be answered " +
    "(an unknown account, a scope outside the token's organization) has its problem in place of its answer.",
  tag: "check",
  body: CheckBody,
  responses: { 200: { description: "the answer (one question) or the answers in order (a batch)", schema: Schema.Union(CheckAnswer, CheckResults) } },
  errors: [404],
  statuses: [400, 401, 403, 413, 500]
}

const text = (value: unknown) => typeof value === "string" && value.length <= 1_000
/** What `Question` decodes (extra fields aside, which it drops). */
const isQuestion = (value: unknown) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const q = value as Record<string, unknown>
  return text(q["user"]) && text(q["permission"]) && (q["scope"] === undefined || text(q["scope"]))
}
/**
 * A body `CheckBody` would decode as it is: a batch of 1,000 questions checked in a loop instead
 * of through the schema's decoder (five times its cost). Extra fields pass, as the decoder would
 * drop them: `Core.Jobs.checkWithSecret` reads only the three.
 */
export const isCheckBody = (body: unknown): boolean => {
  // a question that also carries `checks` is decoded as the question (the union's first member), without them
  if (isQuestion(body)) return !("checks" in (body as object))
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false
  const checks = (body as { readonly checks?: unknown }).checks
  return Array.isArray(checks) && checks.length <= MAX_CHECKS && checks.every(isQuestion)
}

const shown = (why: Core.WhyAnswer) => ({ allowed: why.allowed, user: why.user, permission: why.permission, scope: why.scope, paths: why.paths })

/**
 * One question or a batch, answered from core's check index in one pass with the token's
 * authentication (`Core.Jobs.checkWithSecret`). The token is judged before the body: without a
 * valid one the answer is 401 whatever was sent.
 */
const postCheck = Effect.gen(function*() {
  const secret = yield* bearerSecret
  const body = yield* Effect.either(jsonBody(CheckBody, { accept: isCheckBody }))
  const questions = Either.match(body, { onLeft: () => [], onRight: (b) => "checks" in b ? b.checks : [b] })
  const answers = yield* Core.Jobs.checkWithSecret(secret, questions).pipe(Core.Jobs.asSystem("api"))
  if (Either.isLeft(body)) return yield* Effect.fail(body.left)
  if (!("checks" in body.right)) return HttpServerResponse.unsafeJson(shown(yield* Either.match(answers[0]!, { onLeft: Effect.fail, onRight: Effect.succeed })))
  const results = answers.map(Either.match({
    onRight: (why) => shown(why) as unknown,
    onLeft: (error) => ({ problem: problem(isServerError(error) ? error : new Defect()) })
  }))
  return HttpServerResponse.unsafeJson({ results })
})

/** The API routes: the health check a reverse proxy polls, and the permission check. */
export const apiRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/api/health", HttpServerResponse.unsafeJson({ status: "ok" })),
  HttpRouter.post(checkOperation.path, postCheck)
)
