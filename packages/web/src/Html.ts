/**
 * HTML templates that escape every interpolation: `html\`<p>${name}</p>\`` turns `<`, `>`, `&`,
 * quotes into entities, so a name like `<script>` shows as text. Only another `Html` (a nested
 * template) is inserted as it is; arrays are joined; `null`, `undefined` and `false` are nothing.
 * (The platform's `HttpServerResponse.html` inserts its interpolations as they are.)
 */

/** A piece of markup already escaped (or written by usher itself). */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup
  }
}

/** What a template accepts between its pieces. */
export type Interpolation = Html | string | number | boolean | null | undefined | ReadonlyArray<Interpolation>

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;", "`": "&#96;" }

/** Text made safe for an element's content or a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!)

const render = (value: Interpolation): string => {
  if (value instanceof Html) return value.markup
  if (value === null || value === undefined || value === false || value === true) return ""
  if (Array.isArray(value)) return value.map(render).join("")
  return escapeHtml(String(value))
}

/** The template tag: every interpolation escaped unless it is `Html`. */
export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<Interpolation>): Html =>
  new Html(strings.reduce((out, piece, i) => out + piece + (i < values.length ? render(values[i]!) : ""), ""))
