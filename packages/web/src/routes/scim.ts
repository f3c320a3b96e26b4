/**
 * SCIM 2.0 (RFC 7644) at `/scim/v2` for the company's identity provider. Every call names an API
 * token (`Authorization: Bearer …`, limited to `scim` or unlimited) and acts as its owner through
 * core's SCIM use cases (`Core.Scim`), in the token's organization. This file decodes the request,
 * calls one use case and renders its answer as `application/scim+json`: errors as SCIM Error
 * resources with their `scimType`, ETags from `meta.version`, `attributes`/`excludedAttributes`
 * applied to what is returned.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { isServerError, type ServerError, statusOf, wordsOf } from "../http/errors.js"
import { project } from "../scim/attributes.js"
import { resourceTypes, schemas, serviceProviderConfig } from "../scim/discovery.js"
import { WebConfig } from "../http/WebConfig.js"
import { jsonBody, tokenFor } from "./api.js"

const SCIM_JSON = "application/scim+json"
const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

/** RFC 7644 §3.12's `scimType` for the errors that have one. */
const scimTypeOf = (error: ServerError): string | undefined => {
  switch (error._tag) {
    case "InvalidScimFilter": return "invalidFilter"
    case "ScimUserNameTaken":
    case "EmailTaken":
    case "GroupExists": return "uniqueness"
    case "ScimInvalidValue":
    case "InvalidProfile":
    case "InvalidEmail":
    case "InvalidPhone":
    case "InvalidName":
    case "InvalidInput":
    case "BadRequest": return "invalidValue"
    case "InvalidTransition": return "mutability"
    default: return undefined
  }
}

/**
 * An error as a SCIM Error resource. A version conflict the client asked about (`If-Match`) is
 * 412, as RFC 7644 §3.14 says; without one it stays core's 409.
 */
export const scimError = (error: ServerError, preconditioned = false) => {
  const scimType = scimTypeOf(error)
  // RFC 7644 §3.12 answers every scimType with 400 but `uniqueness` (409), where core may say 422
  const status = error._tag === "ConcurrentModification" && preconditioned ? 412 : scimType !== undefined && scimType !== "uniqueness" ? 400 : statusOf(error)
  const body = { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType === undefined ? {} : { scimType }), detail: wordsOf(error).message }
  const headers = status === 401 ? { "www-authenticate": 'Bearer realm="usher"' } : undefined
  return HttpServerResponse.unsafeJson(body, { status, contentType: SCIM_JSON, ...(headers === undefined ? {} : { headers }) })
}

const scimJson = (body: unknown, status = 200, etag?: string) =>
  HttpServerResponse.unsafeJson(body, { status, contentType: SCIM_JSON, ...(etag === undefined ? {} : { headers: { etag } }) })

/** The request's query parameters. */
const queryOf = Effect.map(HttpServerRequest.HttpServerRequest, (request) => new URL(request.url, "http://usher.invalid").searchParams)

/** A whole number query parameter, or a typed refusal. */
const wholeParam = (params: URLSearchParams, name: string) => {
  const text = params.get(name)
  if (text === null || text.trim() === "") return Effect.succeed(undefined)
  const n = Number(text)
  return Number.isInteger(n) ? Effect.succeed(n) : Effect.fail(new Core.Scim.ScimInvalidValue({ reason: `${name} must be a whole number` }))
}

const ifMatchOf = Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.headers["if-match"])

/** The projection a request asks for. */
const projectionOf = Effect.map(queryOf, (params) => ({ attributes: params.get("attributes") ?? undefined, excluded: params.get("excludedAttributes") ?? undefined }))

/** Runs a handler as the token's owner through SCIM, its errors answered as SCIM errors. */
const scim = <E, R>(handler: (token: Core.ApiToken) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function*() {
    const preconditioned = (yield* ifMatchOf) !== undefined
    return yield* Effect.flatMap(tokenFor("scim"), handler).pipe(
      Effect.catchAll((error) => isServerError(error) ? Effect.succeed(scimError(error, preconditioned)) : Effect.die(error))
    )
  })

const idParam = Effect.map(HttpRouter.params, (p) => p["id"] ?? "")
const body = jsonBody(Schema.Unknown)

/** A single resource's answer: the projection applied, its ETag. */
const resource = (found: { readonly meta: { readonly version: string } }, status = 200) =>
  Effect.map(projectionOf, (p) => scimJson(project(found, p.attributes, p.excluded), status, found.meta.version))

const list = (page: Core.Scim.ScimPage<object>) =>
  Effect.map(projectionOf, (p) => scimJson({ schemas: [LIST_SCHEMA], ...page, Resources: page.Resources.map((r) => project(r, p.attributes, p.excluded)) }))

const listQuery = Effect.gen(function*() {
  const params = yield* queryOf
  const filter = params.get("filter") ?? undefined
  const startIndex = yield* wholeParam(params, "startIndex")
  const count = yield* wholeParam(params, "count")
  return { ...(filter === undefined ? {} : { filter }), ...(startIndex === undefined ? {} : { startIndex }), ...(count === undefined ? {} : { count }) }
})

const viaScim = (token: Core.ApiToken) => Core.asToken(token, "scim")

/** The use cases of one resource type, as core has them (their errors are answered by `scim`, whichever they are). */
interface ResourceOps<R extends { readonly meta: { readonly version: string } }, Q> {
  readonly list: (query: Core.Scim.ScimListQuery) => Effect.Effect<Core.Scim.ScimPage<R>, unknown, Q>
  readonly create: (resource: unknown) => Effect.Effect<R, unknown, Q>
  readonly get: (id: string) => Effect.Effect<R, unknown, Q>
  readonly replace: (id: string, resource: unknown, ifMatch?: string) => Effect.Effect<R, unknown, Q>
  readonly patch: (id: string, body: unknown, ifMatch?: string) => Effect.Effect<R, unknown, Q>
}

/** The handlers of a resource type's endpoints but DELETE: decode, call the use case as the token's owner, render. */
const handlers = <R extends { readonly meta: { readonly version: string } }, Q>(ops: ResourceOps<R, Q>) => ({
  list: scim((token) => Effect.flatMap(Effect.flatMap(listQuery, (q) => ops.list(q).pipe(viaScim(token))), list)),
  create: scim((token) => Effect.flatMap(Effect.flatMap(body, (b) => ops.create(b).pipe(viaScim(token))), (r) => resource(r, 201))),
  get: scim((token) => Effect.flatMap(Effect.flatMap(idParam, (id) => ops.get(id).pipe(viaScim(token))), (r) => resource(r))),
  replace: scim((token) => Effect.gen(function*() {
    return yield* resource(yield* ops.replace(yield* idParam, yield* body, yield* ifMatchOf).pipe(viaScim(token)))
  })),
  patch: scim((token) => Effect.gen(function*() {
    return yield* resource(yield* ops.patch(yield* idParam, yield* body, yield* ifMatchOf).pipe(viaScim(token)))
  }))
})

const users = {
  ...handlers({ list: Core.Scim.scimListUsers, create: Core.Scim.scimCreateUser, get: Core.Scim.scimGetUser, replace: Core.Scim.scimReplaceUser, patch: Core.Scim.scimPatchUser }),
  delete: scim((token) =>
    Effect.gen(function*() {
      const done = yield* Core.Scim.scimDeleteUser(yield* idParam, yield* ifMatchOf).pipe(viaScim(token))
      // a deletion someone still has to approve is accepted, not done
      return done._tag === "Requested" ? scimJson({ approval: done.approval }, 202) : HttpServerResponse.empty({ status: 204 })
    }))
}

const groups = {
  ...handlers({ list: Core.Scim.scimListGroups, create: Core.Scim.scimCreateGroup, get: Core.Scim.scimGetGroup, replace: Core.Scim.scimReplaceGroup, patch: Core.Scim.scimPatchGroup }),
  delete: scim((token) =>
    Effect.gen(function*() {
      yield* Core.Scim.scimDeleteGroup(yield* idParam, yield* ifMatchOf).pipe(viaScim(token))
      return HttpServerResponse.empty({ status: 204 })
    }))
}

/** Discovery needs a token too: it tells what this server is to its IdP only. */
const discovery = (document: (base: string) => unknown) =>
  scim(() => Effect.map(WebConfig, (config) => scimJson(document(config.publicUrl.replace(/\/+$/, "")))))

/** The SCIM routes. */
export const scimRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/scim/v2/ServiceProviderConfig", discovery(serviceProviderConfig)),
  HttpRouter.get("/scim/v2/ResourceTypes", discovery((base) => ({ schemas: [LIST_SCHEMA], totalResults: 2, startIndex: 1, itemsPerPage: 2, Resources: resourceTypes(base) }))),
  HttpRouter.get("/scim/v2/Schemas", discovery((base) => ({ schemas: [LIST_SCHEMA], totalResults: 3, startIndex: 1, itemsPerPage: 3, Resources: schemas(base) }))),
  HttpRouter.get("/scim/v2/Users", users.list),
  HttpRouter.post("/scim/v2/Users", users.create),
  HttpRouter.get("/scim/v2/Users/:id", users.get),
  HttpRouter.put("/scim/v2/Users/:id", users.replace),
  HttpRouter.patch("/scim/v2/Users/:id", users.patch),
  HttpRouter.del("/scim/v2/Users/:id", users.delete),
  HttpRouter.get("/scim/v2/Groups", groups.list),
  HttpRouter.post("/scim/v2/Groups", groups.create),
  HttpRouter.get("/scim/v2/Groups/:id", groups.get),
  HttpRouter.put("/scim/v2/Groups/:id", groups.replace),
  HttpRouter.patch("/scim/v2/Groups/:id", groups.patch),
  HttpRouter.del("/scim/v2/Groups/:id", groups.delete)
)
