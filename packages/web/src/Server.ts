/**
 * `usher serve`'s HTTP server: the page routes and the API routes on one @effect/platform router,
 * every error answered through `http/errors.ts`, the security headers on every answer.
 */
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import * as Core from "@usher/core"
import { Cause, Context, type Duration, Effect, Exit, Layer, Scope } from "effect"
import { createServer } from "node:http"
import { Defect, isServerError, PageNotFound, problem, type ServerError, statusOf, wordsOf } from "./http/errors.js"
import { securityHeaders } from "./http/security.js"
import { adminApiRoutes } from "./api/AdminApi.js"
import { defaultLimits, WebConfig, type WebConfigShape } from "./http/WebConfig.js"
import { errorPage } from "./pages/views.js"
import { accountRoutes } from "./routes/account.js"
import { apiRoutes } from "./routes/api.js"
import { scimError, scimRoutes } from "./routes/scim.js"
import { assetRoutes } from "./routes/assets.js"
import { frameOf, page } from "./routes/common.js"
import { entryRoutes } from "./routes/entry.js"
import { oidcRoutes } from "./routes/oidc.js"
import { discover, type OidcClient, type OidcConfig } from "./oidc/client.js"

/** The pages people use: one group. */
export const pageRoutes = HttpRouter.concatAll(entryRoutes, accountRoutes, oidcRoutes, assetRoutes)

/**
 * The provider, discovered when first needed and kept once that worked: a provider that is down
 * when usher starts does not keep the server (and the password sign-in) from starting; each
 * sign-in retries until discovery succeeds.
 */
export const lazyDiscovery = (config: OidcConfig): Effect.Effect<OidcClient, import("./oidc/client.js").OidcDiscoveryFailed> => {
  let found: OidcClient | undefined
  return Effect.suspend(() => found !== undefined ? Effect.succeed(found) : Effect.tap(discover(config), (client) => Effect.sync(() => (found = client))))
}

/** A request's path with any link token cut out, for logs. */
export const redactPath = (url: string): string =>
  url.split("?")[0]!.replace(/\/(invite|reset)\/[^/]+/g, "/$1/[token]")

/** An error as the client sees it: JSON under /api, a page elsewhere. */
const answerError = (error: ServerError) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const status = statusOf(error)
    const retry = error._tag === "TooManyRequests" ? { "retry-after": String(error.retryAfterSeconds) } : undefined
    if (request.url.startsWith("/scim/")) return scimError(error)
    if (request.url.startsWith("/api/")) {
      // RFC 9457 problem details; a 401 says how to authenticate (RFC 6750)
      const headers = { ...retry, ...(status === 401 ? { "www-authenticate": 'Bearer realm="usher"' } : {}) }
      return HttpServerResponse.unsafeJson(problem(error), { status, headers, contentType: "application/problem+json" })
    }
    const { frame, csrf } = yield* frameOf()
    const response = yield* page(csrf, errorPage(frame, wordsOf(error)), status)
    return retry === undefined ? response : HttpServerResponse.setHeaders(response, retry)
  })

/** The whole application: routes, errors answered, defects logged (without the address), headers set. */
export const makeApp = Effect.gen(function*() {
  const router = HttpRouter.concatAll(pageRoutes, apiRoutes, adminApiRoutes, scimRoutes)
  const config = yield* WebConfig
  const headers = securityHeaders(config.oidc === undefined ? [] : [new URL(config.oidc.issuer).origin])
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    const response = yield* router.pipe(
      Effect.catchTag("RouteNotFound", () => Effect.fail(new PageNotFound())),
      Effect.catchAll((error) => isServerError(error) ? answerError(error) : Effect.die(error)),
      Effect.catchAllCause((cause) =>
        Effect.gen(function*() {
          config.log?.(`${request.method} ${redactPath(request.url)} failed: ${Cause.pretty(cause).split("\n")[0]}`)
          return yield* answerError(new Defect()).pipe(Effect.catchAllCause(() => Effect.succeed(HttpServerResponse.text("usher could not answer", { status: 500 }))))
        })
      )
    )
    config.log?.(`${request.method} ${redactPath(request.url)} ${response.status} ${(performance.now() - started).toFixed(1)}ms`)
    return HttpServerResponse.setHeaders(response, {
      ...headers,
      ...(response.headers["content-type"]?.startsWith("text/html") ? { "cache-control": "no-store" } : {})
    })
  })
})

/** What `startWebServer` needs. */
export interface WebServerOptions extends Partial<Omit<WebConfigShape, "publicUrl" | "oidc">> {
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  readonly host: string
  readonly port: number
  /** sign-in through the company's identity provider (`oidcConfigFromEnv`), and its name on the buttons */
  readonly oidc?: { readonly config: OidcConfig; readonly name?: string }
  /** how often this server runs core's policy pass (expiries, dormant accounts; one replica at a time by the lease); none: never */
  readonly policyEvery?: Duration.DurationInput
}

/** The server as a layer: core's services, the web configuration, the router served by Node. */
export const WebServerLive = (options: WebServerOptions) => {
  const web: WebConfigShape = {
    publicUrl: options.config.publicUrl,
    trustProxy: options.trustProxy ?? false,
    limits: options.limits ?? defaultLimits,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
    ...(options.apiBudget === undefined ? {} : { apiBudget: options.apiBudget }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.oidc === undefined ? {} : {
      oidc: { label: options.oidc.name ?? "your company account", issuer: options.oidc.config.issuer.href, client: lazyDiscovery(options.oidc.config) }
    })
  }
  const serve = Layer.unwrapEffect(Effect.map(makeApp, (app) => HttpServer.serve(app)))
  // the policy runner beside the server, for as long as it serves
  const policies = options.policyEvery === undefined
    ? Layer.empty
    : Layer.scopedDiscard(Effect.forkScoped(Core.Jobs.policyLoop(options.policyEvery).pipe(Core.Jobs.asSystem("web"))))
  return Layer.merge(serve, policies).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: options.port, host: options.host })),
    Layer.provide(Layer.succeed(WebConfig, web)),
    Layer.provide(Core.CoreLive(options.location, options.config))
  )
}

/** A running server: where it listens, and how to stop it (closing the directory too). */
export interface RunningWebServer {
  readonly url: string
  readonly host: string
  readonly port: number
  readonly close: () => Promise<void>
}

/** Starts the server and resolves once it listens (port 0: any free port). */
export const startWebServer = async (options: WebServerOptions): Promise<RunningWebServer> => {
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(WebServerLive(options), scope)).catch(async (error) => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  })
  const address = Context.get(context, HttpServer.HttpServer).address
  const port = address._tag === "TcpAddress" ? address.port : 0
  const host = options.host.includes(":") ? `[${options.host}]` : options.host
  return { url: `http://${host}:${port}`, host: options.host, port, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
