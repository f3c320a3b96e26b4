/**
 * The HTTP front-end of usher (`usher serve`): pages for the people in the directory and, in
 * route groups of their own, the APIs for programs. It decodes requests, calls one core use case
 * and renders the result; it decides no rule.
 */
export { makeApp, pageRoutes, redactPath, startWebServer, WebServerLive, type RunningWebServer, type WebServerOptions } from "./Server.js"
export { runServe, type ServeOptions } from "./serve.js"
export { statusOf, wordsOf } from "./http/errors.js"
export { defaultLimits, type Limits } from "./http/WebConfig.js"
export { html, Html, escapeHtml } from "./Html.js"
