/**
 * The REST admin API `/api/v1`: one route table, from which both the router and the OpenAPI 3.1
 * document are made, served at `/api/openapi.json` with a plain HTML reference at `/api/docs`
 * (neither needs a token: they describe the API, not the directory).
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import type * as Core from "@usher/core"
import type { ServerError } from "../http/errors.js"
import type { WebConfig } from "../http/WebConfig.js"
import { approvalRoutes } from "./approvals.js"
import { accessRoutes } from "./access.js"
import { directoryRoutes } from "./directory.js"
import { DOCS_STYLE, docsPage } from "./DocsPage.js"
import { invitationRoutes } from "./invitations.js"
import { checkOperation } from "../routes/api.js"
import { openApiDocument } from "./OpenApi.js"
import type { ApiRoute } from "./Route.js"
import { serve } from "./Serve.js"
import { userRoutes } from "./users.js"

/** Every operation of the admin API, in the document's order. */
export const adminApi: ReadonlyArray<ApiRoute> = [...userRoutes, ...invitationRoutes, ...accessRoutes, ...directoryRoutes, ...approvalRoutes]

/** The API's OpenAPI document (made once, from the table and the check operation). */
export const openApi = openApiDocument([...adminApi, checkOperation])

const documentJson = JSON.stringify(openApi, null, 2)
const documentPage = docsPage(openApi).markup

/** The admin API's operations, its document and its reference page, on one router. */
export const adminApiRoutes: HttpRouter.HttpRouter<ServerError, Core.CoreServices | WebConfig> = HttpRouter.fromIterable([
  ...adminApi.map((route) => HttpRouter.makeRoute(route.method, route.path, serve(route))),
  HttpRouter.makeRoute("GET", "/api/openapi.json", HttpServerResponse.text(documentJson, { contentType: "application/json" })),
  HttpRouter.makeRoute("GET", "/api/docs", HttpServerResponse.text(documentPage, { contentType: "text/html; charset=utf-8" })),
  HttpRouter.makeRoute("GET", "/api/docs.css", HttpServerResponse.text(DOCS_STYLE, { contentType: "text/css; charset=utf-8", headers: { "cache-control": "public, max-age=3600" } }))
])
