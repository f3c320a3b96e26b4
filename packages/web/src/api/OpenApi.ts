/**
 * The OpenAPI 3.1 document of the admin API, generated from the route table: every operation with
 * its parameters, body and answers, their JSON Schemas made by Effect's `JSONSchema.make` from the
 * same schemas that decode requests and type the handlers. Named schemas (an `identifier`
 * annotation) become components; every error is problem+json.
 */
import { JSONSchema, Schema, SchemaAST as AST } from "effect"
import { type ErrorStatus, type ResponseHeader, type RouteDoc, TAGS } from "./Route.js"
import { Problem } from "./Schemas.js"

/** A JSON value of the document. */
type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
type JsonObject = { [key: string]: Json }

/** The errors every operation may answer, besides those it declares. */
export const COMMON_ERRORS = [400, 401, 403, 412, 413, 429, 500] as const

/** What each error status means here (the problem's `error` names core's tag). */
export const ERROR_MEANINGS: Readonly<Record<(typeof COMMON_ERRORS)[number] | ErrorStatus, string>> = {
  400: "Malformed: a path, query, If-Match or body that does not decode, or input core refuses as such (InvalidInput, ReasonRequired, InvalidScope …)",
  401: "No API token, or one that is unknown, revoked, expired or whose owner may not sign in (ApiTokenRejected)",
  403: "The token's owner may not do this (PermissionDenied, EscalationDenied …), or the token is limited to another API (ApiTokenNotForThis)",
  404: "Not found, or outside what the token's owner may read (answered alike)",
  409: "Conflicts with the current state: taken, pending already, a transition the lifecycle refuses …",
  412: "If-Match named a version the row is no longer at (ConcurrentModification): nothing was written; or an operation that answers no ETag was sent an If-Match other than * (PreconditionFailed)",
  413: "The body is larger than usher accepts (BodyTooLarge)",
  422: "A well-formed value that breaks a rule (an e-mail, a phone number, a name, a permission)",
  429: "The token's request budget is spent (TooManyRequests); Retry-After says when to try again",
  500: "usher could not answer (Defect); the details were logged"
}

const HEADERS: Readonly<Record<ResponseHeader, JsonObject>> = {
  ETag: { description: "W/\"<version>\" of the row: send it back in If-Match to change it only if nobody else did", schema: { type: "string" } },
  Link: { description: "<…>; rel=\"next\": the next page, when there is one (RFC 8288)", schema: { type: "string" } },
  Location: { description: "where the created or filed resource is read", schema: { type: "string" } }
}

/** A path with its `:params` as OpenAPI writes them, `{params}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")

/** The `:params` of a path. */
export const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)

/** Removes the `$schema` and Effect's `$id`s (`/schemas/unknown`), which mean nothing inside an OpenAPI document. */
const clean = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(clean)
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(Object.entries(value as JsonObject).filter(([k]) => k !== "$schema" && k !== "$id").map(([k, v]) => [k, clean(v)]))
}

/** The generator's schemas: each Effect schema as JSON Schema, its named parts moved to `components.schemas`. */
const schemaCollector = () => {
  const components: Record<string, Json> = {}
  const of = (schema: Schema.Schema.All): Json => {
    const root = JSONSchema.make(schema as Schema.Schema<unknown, unknown, never>, { target: "openApi3.1" }) as unknown as JsonObject
    const rewritten = JSON.parse(JSON.stringify(root).replaceAll("\"#/$defs/", "\"#/components/schemas/")) as JsonObject
    for (const [name, definition] of Object.entries((rewritten["$defs"] ?? {}) as JsonObject)) components[name] = clean(definition)
    delete rewritten["$defs"]
    return clean(rewritten)
  }
  return { of, components }
}

/** The parameters of a path or query struct: one per field, its JSON Schema, whether required, its description. */
const parametersOf = (schema: Schema.Schema.All | undefined, place: "path" | "query", of: (s: Schema.Schema.All) => Json): Array<Json> => {
  if (schema === undefined) return []
  const ast = schema.ast
  if (!AST.isTypeLiteral(ast)) throw new Error(`the ${place} schema must be a struct`)
  return ast.propertySignatures.map((field) => {
    const description = AST.getDescriptionAnnotation(field.type)
    return {
      name: String(field.name),
      in: place,
      required: place === "path" || !field.isOptional,
      ...(description._tag === "Some" ? { description: description.value } : {}),
      schema: of(Schema.make(field.type))
    }
  })
}

const problemResponse = (status: number): JsonObject => ({
  description: ERROR_MEANINGS[status as keyof typeof ERROR_MEANINGS] ?? "An error",
  ...(status === 401 ? { headers: { "WWW-Authenticate": { description: "Bearer realm=\"usher\"", schema: { type: "string" } } } } : {}),
  ...(status === 429 ? { headers: { "Retry-After": { description: "seconds until the budget opens again", schema: { type: "integer" } } } } : {}),
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } }
})

/** One operation's object. */
const operationOf = (route: RouteDoc, of: (s: Schema.Schema.All) => Json): JsonObject => {
  const responses: JsonObject = {}
  for (const [status, spec] of Object.entries(route.responses)) {
    if (spec === undefined) continue
    responses[status] = {
      description: spec.description,
      ...(spec.headers === undefined || spec.headers.length === 0
        ? {}
        : { headers: Object.fromEntries(spec.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }])) }),
      ...(spec.schema === undefined ? {} : { content: { "application/json": { schema: of(spec.schema) } } })
    }
  }
  const errors = errorsOf(route)
  for (const status of errors) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` }
  const parameters = [
    ...parametersOf(route.params, "path", of),
    ...parametersOf(route.query, "query", of),
    ...(route.ifMatch === true ? [{ $ref: "#/components/parameters/IfMatch" }] : [])
  ]
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined ? {} : {
      requestBody: { required: route.bodyOptional !== true, content: { "application/json": { schema: of(route.body) } } }
    }),
    responses
  }
}

/** The error statuses an operation may answer: the common ones and its own, or those it names. */
export const errorsOf = (route: RouteDoc): ReadonlyArray<number> =>
  [...new Set<number>([...(route.statuses ?? COMMON_ERRORS), ...route.errors])].sort((a, b) => a - b)

/** The document of a route table. */
export const openApiDocument = (routes: ReadonlyArray<RouteDoc>): JsonObject => {
  const { components, of } = schemaCollector()
  of(Problem)
  const paths: Record<string, JsonObject> = {}
  for (const route of routes) {
    const path = openApiPath(route.path)
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationOf(route, of) }
  }
  const statuses = [...new Set<number>(routes.flatMap(errorsOf))].sort((a, b) => a - b)
  return {
    openapi: "3.1.0",
    info: {
      title: "usher admin API",
      version: "1",
      description: "The directory's administration for programs. Every call names an API token (Authorization: Bearer usher_pat_…) " +
        "limited to `admin` or not limited (the check operation: limited to `check` or not limited), and acts as the token's owner, " +
        "never more; the audit log says via api and names the token. " +
        "Field names are those of the CLI's --json. Errors are RFC 9457 problem+json with core's error tag in `error`."
    },
    tags: TAGS.map((t) => ({ name: t.name, description: t.description })),
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components,
      responses: Object.fromEntries(statuses.map((s) => [`Problem${s}`, problemResponse(s)])),
      headers: HEADERS,
      parameters: {
        IfMatch: {
          name: "If-Match",
          in: "header",
          required: false,
          description: "W/\"<version>\" as ETag gave it: the change is made only if the row is still at that version, else 412 and nothing is written",
          schema: { type: "string" }
        }
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (usher tokens create --only admin), usher_pat_…" } }
    }
  }
}
