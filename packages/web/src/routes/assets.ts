/** usher's own static files: the one style sheet. */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { STYLE } from "../pages/style.js"

/** GET /assets/usher.css. */
export const assetRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/assets/usher.css", HttpServerResponse.text(STYLE, { contentType: "text/css; charset=utf-8", headers: { "cache-control": "public, max-age=3600" } }))
)
