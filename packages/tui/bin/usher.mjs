#!/usr/bin/env node
// Starts `usher`. The TypeScript sources of this package and of core are bundled into one ES
// module on first run (and again whenever a source file is newer than the bundle), because
// loading a few hundred modules through a TypeScript loader costs seconds per start; the bundle
// starts in a fraction of that. Only native addons stay outside the bundle.
import { mkdirSync, readdirSync, renameSync, statSync } from "node:fs"
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

if (bundledAt < Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...sources.map(newest))) {
  const { build } = await import("esbuild")
  const temporary = `${bundle}.${process.pid}.tmp`
  mkdirSync(dirname(bundle), { recursive: true })
  await build({
    entryPoints: [join(here, "..", "src", "bin", "usher.ts")],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    // CommonJS dependencies (nodemailer, Bolt's helpers) call require() for Node built-ins
    banner: { js: "import { createRequire as __usherCreateRequire } from \"node:module\"; const require = __usherCreateRequire(import.meta.url);" },
    plugins: [{
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
  renameSync(temporary, bundle)
}

await import(pathToFileURL(bundle).href)
