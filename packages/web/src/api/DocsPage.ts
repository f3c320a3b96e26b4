/**
 * `GET /api/docs`: the admin API's reference as one plain HTML page, rendered on the server from
 * the OpenAPI document (so it says exactly what the document says). No script and nothing from
 * another site: the server's CSP allows neither, and a reference needs neither.
 */
import { html, type Html } from "../Html.js"

type Json = unknown
type JsonObject = { readonly [key: string]: Json }

/** The docs page's own style sheet, served at `/api/docs.css` beside usher's. */
export const DOCS_STYLE = `
main.docs { max-width: 64rem; }
main.docs section.operation { border-top: 1px solid var(--line); padding: 1rem 0; }
main.docs h3 { font-size: 1.05rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
main.docs .method { display: inline-block; min-width: 4.5rem; font-weight: 700; }
main.docs pre { background: var(--panel); border: 1px solid var(--line); border-radius: .35rem; padding: .5rem .75rem; overflow-x: auto; font-size: .85rem; }
main.docs table { border-collapse: collapse; width: 100%; margin: 0 0 1rem; }
main.docs th, main.docs td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .3rem .5rem .3rem 0; }
main.docs nav.toc ul { columns: 2 18rem; }
`

const obj = (value: Json): JsonObject => (value !== null && typeof value === "object" && !Array.isArray(value) ? value as JsonObject : {})
const list = (value: Json): ReadonlyArray<Json> => (Array.isArray(value) ? value : [])
const str = (value: Json): string => (typeof value === "string" ? value : "")
/** A description's text, its `backticked` words as code (OpenAPI descriptions are CommonMark; this is the part of it they use). */
const prose = (value: Json): ReadonlyArray<Html | string> => str(value).split("`").map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))

/** A schema in one line where it is a reference or a plain type, else as indented JSON. */
const schemaText = (schema: Json): Html => {
  const ref = str(obj(schema)["$ref"])
  if (ref !== "") return html`<a href="#schema-${ref.split("/").pop()}"><code>${ref.split("/").pop()}</code></a>`
  return html`<pre>${JSON.stringify(schema, null, 2)}</pre>`
}

/** Resolves `#/components/…` references of the document (parameters, responses, headers). */
const resolver = (document: JsonObject) => (value: Json): JsonObject => {
  const ref = str(obj(value)["$ref"])
  if (!ref.startsWith("#/")) return obj(value)
  return ref.slice(2).split("/").reduce<JsonObject>((at, key) => obj(at[key]), document)
}

const operationHtml = (path: string, method: string, operation: JsonObject, resolve: (value: Json) => JsonObject): Html => {
  const parameters = list(operation["parameters"]).map(resolve)
  const body = obj(obj(obj(obj(operation["requestBody"])["content"])["application/json"])["schema"])
  const responses = Object.entries(obj(operation["responses"]))
  return html`<section class="operation" id="${str(operation["operationId"])}">
<h3><span class="method">${method.toUpperCase()}</span> <code>${path}</code></h3>
<p>${str(operation["summary"])}</p>
${str(operation["description"]) === "" ? "" : html`<p>${prose(operation["description"])}</p>`}
${parameters.length === 0 ? "" : html`<table><caption class="visually-hidden">Parameters</caption>
<thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>Meaning</th></tr></thead>
<tbody>${parameters.map((p) => html`<tr><td><code>${str(p["name"])}</code></td><td>${str(p["in"])}</td><td>${p["required"] === true ? "yes" : "no"}</td><td>${prose(p["description"])}</td></tr>`)}</tbody></table>`}
${Object.keys(body).length === 0 ? "" : html`<p><strong>Body</strong> (application/json${obj(operation["requestBody"])["required"] === true ? "" : ", may be left out"}):</p>${schemaText(body)}`}
<p><strong>Answers</strong></p>
<ul>${responses.map(([status, value]) => {
    const response = resolve(value)
    const content = obj(response["content"])
    const [type, media] = Object.entries(content)[0] ?? []
    return html`<li><strong>${status}</strong> ${prose(response["description"])}${type === undefined ? "" : html` — <code>${type}</code> ${schemaText(obj(media)["schema"])}`}</li>`
  })}</ul>
</section>`
}

/** The whole page, from the document. */
export const docsPage = (document: JsonObject): Html => {
  const resolve = resolver(document)
  const info = obj(document["info"])
  const operations = Object.entries(obj(document["paths"])).flatMap(([path, item]) =>
    Object.entries(obj(item)).map(([method, operation]) => ({ path, method, operation: obj(operation) })))
  const schemas = Object.entries(obj(obj(document["components"])["schemas"]))
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${str(info["title"])}</title>
<link rel="stylesheet" href="/assets/usher.css">
<link rel="stylesheet" href="/api/docs.css">
</head>
<body>
<main id="main" class="docs">
<h1>${str(info["title"])}</h1>
<p>${prose(info["description"])}</p>
<p>The machine-readable document: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI ${str(document["openapi"])}).</p>
<nav class="toc" aria-label="Operations"><ul>${operations.map(({ method, operation, path }) =>
    html`<li><a href="#${str(operation["operationId"])}">${method.toUpperCase()} ${path}</a></li>`)}</ul></nav>
${list(document["tags"]).map((tag) => {
    const name = str(obj(tag)["name"])
    return html`<h2 id="tag-${name}">${name}</h2>
<p>${prose(obj(tag)["description"])}</p>
${operations.filter(({ operation }) => list(operation["tags"]).includes(name)).map(({ method, operation, path }) => operationHtml(path, method, operation, resolve))}`
  })}
<h2 id="schemas">Schemas</h2>
${schemas.map(([name, schema]) => html`<section class="operation" id="schema-${name}"><h3><code>${name}</code></h3>${str(obj(schema)["description"]) === "" ? "" : html`<p>${prose(obj(schema)["description"])}</p>`}<pre>${JSON.stringify(schema, null, 2)}</pre></section>`)}
</main>
</body>
</html>
`
}
