#!/usr/bin/env node
// Starts `usher`. The TypeScript sources of this package and of core are bundled into ES
// modules on first run (and again whenever a source file is newer than the bundle), because
// loading a few hundred modules through a TypeScript loader costs seconds per start; the bundle
// starts in a fraction of that. Only native addons stay outside the bundle. The dashboard's code
// (React, Ink) is a chunk of its own, loaded only when the dashboard opens.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const packages = join(here, "..", "..")
const sources = [join(packages, "tui", "src"), join(packages, "core", "src")]
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

/**
 * Ink's Output.get() lays every write onto a grid of styled characters and turns each row back
 * into text, every frame, for every row: most of a frame's time, though a key press changes two
 * rows. This get() gives the same text per row without the grid where it can: a row written by
 * one write at column 0 is that write's text (Ink's own Text output, well-formed ANSI); any other
 * row goes through the grid, and its text is kept for the next frame under the writes that made
 * it. Frames with clipping take Ink's own path (getSlow).
 */
const FAST_GET = `
    get() {
        if (this.operations.some((o) => o.type === 'clip')) return this.getSlow();
        const rows = [];
        for (let y = 0; y < this.height; y++) rows.push([]);
        for (const operation of this.operations) {
            if (operation.type !== 'write') continue;
            const { text, transformers, x, y } = operation;
            let offsetY = 0;
            for (let [index, line] of text.split('\\n').entries()) {
                const row = rows[y + offsetY];
                if (!row) continue;
                for (const transformer of transformers) line = transformer(line, index);
                row.push(x, line);
                offsetY++;
            }
        }
        if (rowTexts.size > 4000) rowTexts.clear();
        const lines = rows.map((writes) => {
            if (writes.length === 0) return '';
            if (writes.length === 2 && writes[0] === 0) return writes[1].trimEnd();
            const key = writes.join('\\u0000');
            let done = rowTexts.get(key);
            if (done === undefined) {
                const line = [];
                for (let x = 0; x < this.width; x++) line.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
                for (let i = 0; i < writes.length; i += 2) {
                    let offsetX = writes[i];
                    for (const character of this.caches.getStyledChars(writes[i + 1])) {
                        line[offsetX] = character;
                        const characterWidth = Math.max(1, this.caches.getStringWidth(character.value));
                        for (let index = 1; index < characterWidth; index++) line[offsetX + index] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
                        offsetX += characterWidth;
                    }
                }
                done = styledCharsToString(line.filter((item) => item !== undefined)).trimEnd();
                rowTexts.set(key, done);
            }
            return done;
        });
        return { output: lines.join('\\n'), height: rows.length };
    }`

if (bundledAt < Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...sources.map(newest))) {
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
    plugins: [{
      // Ink draws every frame through a fresh Output whose caches (each line's styled
      // characters, each text's width) start empty, so every unchanged line is parsed again on
      // every key press: half of a frame's time. One bounded cache for all frames keeps a
      // keystroke's frame within budget. The caches map text to pure results, so sharing is safe;
      // the build fails if Ink's code no longer has the expected shape.
      name: "ink-shared-output-caches",
      setup(b) {
        b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, async (args) => {
          const { readFile } = await import("node:fs/promises")
          let source = await readFile(args.path, "utf8")
          const edits = [
            ["caches = new OutputCaches();", "caches = sharedCaches;"],
            ["export default class Output {", "const sharedCaches = new OutputCaches();\nconst rowTexts = new Map();\nexport default class Output {"],
            ["getStyledChars(line) {", "getStyledChars(line) {\n        if (this.styledChars.size > 5000) this.styledChars.clear();"],
            ["getStringWidth(text) {", "getStringWidth(text) {\n        if (this.widths.size > 20000) this.widths.clear();"],
            ["getWidestLine(text) {", "getWidestLine(text) {\n        if (this.blockWidths.size > 5000) this.blockWidths.clear();"],
            ["    get() {", `${FAST_GET}\n    getSlow() {`]
          ]
          for (const [from, to] of edits) {
            if (!source.includes(from)) return { errors: [{ text: `ink's output.js changed: "${from}" not found; review the shared-cache edit` }] }
            source = source.replace(from, to)
          }
          return { contents: source, loader: "js" }
        })
      }
    }, {
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
      // package's dependencies beside that package only, not beside the bundle.
      name: "native-external",
      setup(b) {
        b.onResolve({ filter: /^better-sqlite3$/ }, async (args) => {
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
