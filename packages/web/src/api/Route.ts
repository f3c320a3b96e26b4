/**
 * One operation of the REST admin API, declared once: method, path (`:params`), what it is for,
 * the Effect Schemas of what it takes and answers, the error statuses it may answer, and its
 * handler. The router (`Serve.ts`) and the OpenAPI document (`OpenApi.ts`) are both made from the
 * table of these, so the document cannot describe a route that does not exist, nor miss one.
 *
 * A handler decodes nothing and authenticates nobody: it receives decoded input, calls one core
 * use case (the token's owner already provided as the actor) and says how to answer.
 */
import type * as Core from "@usher/core"
import { type Effect, Schema } from "effect"
import type { ServerError } from "../http/errors.js"

/** The methods the table uses. */
export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE"

/** The statuses an operation answers with when it worked. */
export type SuccessStatus = 200 | 201 | 202 | 204

/**
 * The error statuses an operation declares for itself. Every operation may also answer 400 (a
 * malformed request), 401, 403 (the token's owner may not, or the token is not for this API),
 * 413, 429 and 500; those are added to each in the document.
 */
export type ErrorStatus = 404 | 409 | 412 | 422

/** The response headers an answer may carry (documented per response). */
export type ResponseHeader = "ETag" | "Link" | "Location"

/** One success answer: its words, the schema of its body (none for 204), its headers. */
export interface ResponseSpec {
  readonly description: string
  readonly schema?: Schema.Schema<any, any, never>
  readonly headers?: ReadonlyArray<ResponseHeader>
}

/** An operation's success answers by status. */
export type Responses = { readonly [S in SuccessStatus]?: ResponseSpec }

type BodyOf<S> = S extends { readonly schema: Schema.Schema<infer A, infer _I, never> } ? A : undefined

/** What a handler answers: one of its declared statuses with that status's body, the row's version (for `ETag`), a `Link` or `Location`. */
export type Answer<R extends Responses> = {
  [K in keyof R & SuccessStatus]: {
    readonly status: K
    readonly body: BodyOf<R[K]>
    /** the answered row's version: sent as `ETag: W/"<version>"` */
    readonly version?: number
    readonly link?: string
    readonly location?: string
  }
}[keyof R & SuccessStatus]

/** What a handler receives, decoded. */
export interface Input<P, Q, B> {
  readonly params: P
  readonly query: Q
  readonly body: B
  /** the version `If-Match` names (operations with `ifMatch` only); undefined without one, or for `*` */
  readonly ifMatch: number | undefined
  /** the request's path, for links to the next page */
  readonly path: string
}

type Fields = Schema.Struct.Fields

/** How the API groups its operations, in the document's order. */
export const TAGS = [
  { name: "users", description: "Accounts: list, read, create, change, suspend, reactivate, delete (four eyes)" },
  { name: "invitations", description: "Invite someone, resend or cancel an invitation" },
  { name: "roles", description: "Built-in and custom roles" },
  { name: "grants", description: "Roles granted at a scope to a user or group" },
  { name: "groups", description: "Groups of an organization and their members" },
  { name: "organizations", description: "Organizations and their members" },
  { name: "apps", description: "Apps, the scopes app:<org>/<app> roles can be granted at" },
  { name: "approvals", description: "The four-eyes queue: requests, decisions" },
  { name: "audit", description: "The hash-chained audit log" },
  { name: "access", description: "Who holds what, and through what" },
  { name: "check", description: "For the company's apps: may this user do this here? (a token limited to check calls only this)" }
] as const
/** A group of operations. */
export type Tag = (typeof TAGS)[number]["name"]

/** An operation as declared, with its types checked: the handler's input comes from the schemas, its answer must fit a declared response. */
export interface RouteSpec<PF extends Fields, QF extends Fields, B, R extends Responses> {
  readonly method: Method
  /** e.g. `/api/v1/users/:user` */
  readonly path: `/api/v1/${string}`
  /** unique, camelCase: the OpenAPI operationId and the docs page's anchor */
  readonly operationId: string
  readonly summary: string
  readonly description?: string
  readonly tag: Tag
  readonly params?: Schema.Struct<PF>
  readonly query?: Schema.Struct<QF>
  readonly body?: Schema.Schema<B, any, never>
  /** the body may be left out: no body reads as `{}` */
  readonly bodyOptional?: boolean
  /** the operation takes `If-Match: W/"<version>"` and passes the version to core (a stale one is 412) */
  readonly ifMatch?: boolean
  readonly responses: R
  readonly errors: ReadonlyArray<ErrorStatus>
  readonly handler: (
    input: Input<Schema.Struct.Type<PF>, Schema.Struct.Type<QF>, B>
  ) => Effect.Effect<Answer<R>, ServerError, Core.CoreServices | Core.Actor>
}

/** An operation of the table, its types erased (each was checked where it was declared). */
export type ApiRoute = RouteSpec<any, any, any, Responses>

/**
 * An operation as the document describes it: a table route, or one served by its own handler
 * (the check API, which has its own token kind and no request budget), which then names the
 * statuses it may answer instead of the table's common ones.
 */
export type RouteDoc = Omit<ApiRoute, "handler"> & { readonly statuses?: ReadonlyArray<number> }

/** Declares an operation (its types checked here, erased for the table). */
export const route = <R extends Responses, B = undefined, PF extends Fields = {}, QF extends Fields = {}>(spec: RouteSpec<PF, QF, B, R>): ApiRoute =>
  spec as unknown as ApiRoute

/** An optional field of a path, query or body schema: absent, or a value (never `undefined`). */
export const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** A query parameter given as decimal digits, within bounds. */
export const WholeNumber = (min: number, max: number, description: string) =>
  Schema.compose(Schema.String.pipe(Schema.pattern(/^[0-9]{1,15}$/)), Schema.NumberFromString).pipe(
    Schema.int(),
    Schema.between(min, max),
    Schema.annotations({ description, jsonSchema: { type: "integer", minimum: min, maximum: max, description } })
  )

/** A query parameter that may repeat (`?user=a&user=b`): always a list. */
export const Repeated = (description: string) =>
  Schema.transform(Schema.Union(Schema.String, Schema.Array(Schema.String)), Schema.Array(Schema.String), {
    strict: true,
    decode: (value) => typeof value === "string" ? [value] : value,
    encode: (value) => value
  }).annotations({ description, jsonSchema: { type: "array", items: { type: "string" }, description } })

/** A text parameter with its description. */
export const Text = (description: string) => Schema.String.annotations({ description })

/** `{reason?}`: why, for the audit log (and the approvers, where the action waits for them). */
export const ReasonBody = Schema.Struct({ reason: optional(Text("why, for the audit log (and the approvers)")) })
