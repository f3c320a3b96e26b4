/**
 * The HTTP status an error answers with: every error class of core carries one as its static
 * `httpStatus`, so an HTTP front-end maps errors without a table of its own.
 * 400 malformed input · 401 not signed in · 403 not allowed (permission, reach) · 404 not found ·
 * 409 conflicts with the state (taken, pending, wrong status) · 412 changed meanwhile (optimistic
 * concurrency) · 422 a well-formed value that breaks a rule · 429 too many attempts ·
 * 503 the database cannot be reached.
 */
export type HttpStatus = 400 | 401 | 403 | 404 | 409 | 412 | 422 | 429 | 503
