/**
 * The APIs for programs, a route group of its own under `/api` (REST and SCIM come next). Errors
 * answer as JSON with the status `http/errors.ts` gives them.
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"

/** The API routes: for now the health check a reverse proxy or orchestrator polls. */
export const apiRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/api/health", HttpServerResponse.unsafeJson({ status: "ok" }))
)
