#!/usr/bin/env node
// Starts `usher`. The TypeScript sources of this package and of core are bundled into ES
// modules on first run (and again whenever a source file is newer than the bundle), because
// loading a few hundred modules through a TypeScript loader costs seconds per start; the bundle
// starts in a fraction of that. Only native addons stay outside the bundle. The dashboard's code
// (React, Ink) is a chunk of its own, loaded only when the dashboard opens.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { inkOutputPlugin } from "./ink-output.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const packages = join(here, "..", "..")
const sources = [join(packages, "tui", "src"), join(packages, "core", "src"), join(packages, "web", "src")]
const bundle = join(here, "..", "dist", "usher.mjs")

const newest = (dir) => {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

const bundledAt = (() => {
  try {
    return statSync(bundle).mtimeMs
  } catch {
    return 0
  }
})()

if (bundledAt < Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, statSync(join(here, "ink-output.mjs")).mtimeMs, ...sources.map(newest))) {
  const { build } = await import("esbuild")
  const temporary = `${bundle}.${process.pid}.tmp`
  mkdirSync(dirname(bundle), { recursive: true })
  await build({
    entryPoints: [join(here, "..", "src", "bin", "usher.ts")],
    outdir: temporary,
    outExtension: { ".js": ".mjs" },
    // chunks are named by their content: a rebuild adds new ones and leaves those a running
    // process may still load; only the entry file is swapped
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // less text for V8 to parse at every start; names are kept for readable stack traces in logs
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "error",
    // React and Ink ship a development build that is twice the size and slower
    define: { "process.env.NODE_ENV": "\"production\"" },
    // CommonJS dependencies (nodemailer, Bolt's helpers) call require() for Node built-ins
    banner: { js: "import { createRequire as __usherCreateRequire } from \"node:module\"; const require = __usherCreateRequire(import.meta.url);" },
    plugins: [inkOutputPlugin, {
      // Yoga (Ink's layout engine) ships its WebAssembly as a data: URL and, where fetch exists,
      // fetches it: that loads Node's HTTP client (undici) just to decode base64, ~20 ms of every
      // start. Its own decoder does the same without it. The build fails if the code changed.
      name: "yoga-without-fetch",
      setup(b) {
        b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
          const { readFile } = await import("node:fs/promises")
          const source = await readFile(args.path, "utf8")
          const from = "function ya(){return w||\"function\"!=typeof fetch?"
          if (!source.includes(from)) return { errors: [{ text: "yoga's wasm loader changed: review the no-fetch edit" }] }
          return { contents: source.replace(from, "function ya(){return true?"), loader: "js" }
        })
      }
    }, {
      // Ink loads React's devtools only when DEV=true, and they are not installed: the bundle
      // then fails the way a missing package does, which Ink reports as a warning.
      name: "no-devtools",
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: "react-devtools-core", namespace: "missing" }))
        b.onLoad({ filter: /.*/, namespace: "missing" }, () => ({
          contents: "const e = new Error('react-devtools-core is not installed'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e",
          loader: "js"
        }))
      }
    }, {
      // Native addons stay external, imported by their resolved path: pnpm installs each
      // package's dependencies beside that package only, not beside the bundle. ssh2 too: it
      // looks for its optional native modules (and goes without them) at run time.
      name: "native-external",
      setup(b) {
        b.onResolve({ filter: /^(better-sqlite3|ssh2)$/ }, async (args) => {
          if (args.pluginData === "resolving") return undefined
          const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "resolving" })
          return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path, external: true }
        })
      }
    }]
  })
  const chunks = join(dirname(bundle), "chunks")
  mkdirSync(chunks, { recursive: true })
  const built = new Set(readdirSync(join(temporary, "chunks")))
  for (const chunk of built) renameSync(join(temporary, "chunks", chunk), join(chunks, chunk))
  renameSync(join(temporary, "usher.mjs"), bundle)
  rmSync(temporary, { recursive: true, force: true })
  // chunks of earlier builds go once no process started in the last hour could still load them
  for (const chunk of readdirSync(chunks)) {
    const path = join(chunks, chunk)
    if (!built.has(chunk) && statSync(path).mtimeMs < Date.now() - 3_600_000) rmSync(path, { force: true })
  }
}

await import(pathToFileURL(bundle).href)
