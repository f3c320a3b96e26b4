/** The frame of every page: language, viewport, usher's style sheet, the organization's name. */
import { html, type Html, type Interpolation } from "../Html.js"
import { CSRF_FIELD } from "../http/security.js"

/** What every page knows. */
export interface Frame {
  /** the directory's organization, named on every page */
  readonly orgName: string
  /** the CSRF token every form on the page carries */
  readonly csrf: string
  /** the signed-in person's name, for the header's navigation */
  readonly signedIn?: string
}

/** A whole page. */
export const layout = (frame: Frame, title: string, body: Html): Html => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${frame.orgName}</title>
<link rel="stylesheet" href="/assets/usher.css">
</head>
<body>
<header class="site">
  <span class="org">${frame.orgName}</span>
  ${frame.signedIn === undefined ? "" : html`<nav aria-label="Account">
    <a href="/account">${frame.signedIn}</a>
    <form method="post" action="/signout">${csrfField(frame)}<button type="submit" class="link">Sign out</button></form>
  </nav>`}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`

/** The hidden CSRF field of a form. */
export const csrfField = (frame: Pick<Frame, "csrf">): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${frame.csrf}">`

/** A labelled input with an optional hint (tied to it with `aria-describedby`). */
export const field = (options: {
  readonly name: string
  readonly label: string
  readonly type?: "text" | "email" | "password" | "tel"
  readonly value?: string
  readonly autocomplete?: string
  readonly hint?: string
  readonly required?: boolean
  readonly autofocus?: boolean
  readonly minlength?: number
}): Html => {
  const id = `f-${options.name}`
  return html`<div class="field">
  <label for="${id}">${options.label}</label>
  <input id="${id}" name="${options.name}" type="${options.type ?? "text"}"${options.value === undefined ? "" : html` value="${options.value}"`}${
    options.autocomplete === undefined ? "" : html` autocomplete="${options.autocomplete}"`
  }${options.required === false ? "" : html` required`}${options.autofocus === true ? html` autofocus` : ""}${
    options.minlength === undefined ? "" : html` minlength="${options.minlength}"`
  }${options.hint === undefined ? "" : html` aria-describedby="${id}-hint"`}>
  ${options.hint === undefined ? "" : html`<span class="hint" id="${id}-hint">${options.hint}</span>`}
</div>`
}

/** A notice box: `error` is announced to screen readers at once. */
export const notice = (kind: "error" | "ok" | "info", content: Interpolation): Html =>
  html`<div class="notice ${kind}"${kind === "error" ? html` role="alert"` : html` role="status"`}>${content}</div>`
