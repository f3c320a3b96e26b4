import { build } from "esbuild"
import fc from "fast-check"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
// @ts-expect-error: a plain ES module of the bin folder, without types
import { inkOutputPlugin } from "../../bin/ink-output.mjs"

interface Output {
  write(x: number, y: number, text: string, options: { transformers: ReadonlyArray<(line: string, index: number) => string> }): void
  clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void
  unclip(): void
  get(): { output: string; height: number }
  getSlow(): { output: string; height: number }
}
interface Built {
  readonly Output: new(options: { width: number; height: number }) => Output
  /** a frame's text as the cells a terminal shows: each line re-read into styled characters and written out again */
  readonly cells: (frame: string) => string
}

let dir = ""
let built: Built

// Ink's own output.js, with usher's bundle plugin applied, as the bundle has it
beforeAll(async () => {
  const inkBuild = dirname(createRequire(import.meta.url).resolve("ink"))
  dir = mkdtempSync(join(tmpdir(), "usher-ink-output-"))
  const outfile = join(dir, "output.mjs")
  await build({
    stdin: {
      contents: `import Output from "./output.js"
import { styledCharsFromTokens, styledCharsToString, tokenize } from "@alcalzone/ansi-tokenize"
export { Output }
export const cells = (frame) => frame.split("\\n").map((l) => styledCharsToString(styledCharsFromTokens(tokenize(l))).trimEnd()).join("\\n")`,
      resolveDir: inkBuild,
      loader: "js"
    },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "error",
    plugins: [inkOutputPlugin]
  })
  writeFileSync(join(dir, "package.json"), "{\"type\":\"module\"}")
  built = await import(pathToFileURL(outfile).href) as Built
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const STYLES = [["\u001B[31m", "\u001B[39m"], ["\u001B[7m", "\u001B[27m"], ["\u001B[1m", "\u001B[22m"], ["\u001B[36m", "\u001B[39m"]] as const
const piece = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", " ", "-", "│", "é", "界", "~"), maxLength: 12 }),
  fc.tuple(fc.constantFrom(...STYLES), fc.string({ unit: fc.constantFrom("x", " ", "y"), maxLength: 8 })).map(([[open, close], text]) => `${open}${text}${close}`)
)
const text = fc.array(fc.array(piece, { maxLength: 4 }).map((p) => p.join("")), { minLength: 1, maxLength: 3 }).map((lines) => lines.join("\n"))
const write = fc.record({ x: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })), y: fc.integer({ min: -1, max: 8 }), text, upper: fc.boolean() })

describe("the bundle's frame assembly", () => {
  it("shows the same cells as Ink's own for any writes: rows written once at column 0, overlapping writes, wide characters, styles, lines off the screen", () => {
    fc.assert(fc.property(fc.array(write, { maxLength: 12 }), fc.integer({ min: 10, max: 40 }), (writes, width) => {
      const output = new built.Output({ width, height: 6 })
      for (const w of writes) output.write(w.x, w.y, w.text, { transformers: w.upper ? [(line) => line.toUpperCase()] : [] })
      const fast = output.get()
      const slow = output.getSlow()
      expect(built.cells(fast.output)).toBe(built.cells(slow.output))
      expect(fast.height).toBe(slow.height)
    }), { numRuns: 2000 })
  })

  it("a row's kept text is the one for the screen's width (found by this test: the same writes at another width)", () => {
    for (const width of [12, 10]) {
      const output = new built.Output({ width, height: 1 })
      output.write(11, 0, "界", { transformers: [] })
      expect(built.cells(output.get().output)).toBe(built.cells(output.getSlow().output))
    }
  })

  it("leaves a frame with clipping to Ink's own path", () => {
    const output = new built.Output({ width: 10, height: 2 })
    output.clip({ x1: 0, x2: 4, y1: 0, y2: 2 })
    output.write(0, 0, "abcdefgh", { transformers: [] })
    output.unclip()
    expect(output.get()).toEqual(output.getSlow())
    expect(output.get().output.split("\n")[0]).toBe("abcd")
  })

  it("gives an unchanged row's text from the writes that made it, frame after frame", () => {
    const frame = () => {
      const output = new built.Output({ width: 20, height: 1 })
      output.write(0, 0, "│ a", { transformers: [] })
      output.write(5, 0, "\u001B[7mb\u001B[27m", { transformers: [] })
      return output.get().output
    }
    expect(frame()).toBe(frame())
    expect(built.cells(frame())).toBe(built.cells("│ a  \u001B[7mb\u001B[27m"))
  })
})
