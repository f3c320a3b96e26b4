import fc from "fast-check"
import type { Key } from "ink"
import { describe, expect, it } from "vitest"
import { keyName } from "../../src/app/keys/keyName.js"
import { keyPresses } from "../../src/app/keys/layers.js"

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false
}

/** A key press as a terminal sends it, and the name the keymap gives it. */
const press = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => {
    const c = String.fromCharCode(code)
    return [c, c === " " ? "space" : c] as const
  }),
  fc.constantFrom(["\r", "enter"] as const, ["\t", "tab"] as const, ["\u007f", "backspace"] as const),
  fc.integer({ min: 1, max: 26 }).filter((code) => ![8, 9, 10, 13].includes(code)).map((code) =>
    [String.fromCharCode(code), `ctrl+${String.fromCharCode(code + 96)}`] as const
  )
)

describe("splitting a chunk of input into key presses", () => {
  it("gives every key of a chunk, in order, the name it has when it comes alone (control keys included)", () => {
    fc.assert(fc.property(fc.array(press, { minLength: 2, maxLength: 12 }), (presses) => {
      const chunk = presses.map(([sent]) => sent).join("")
      const names = keyPresses(chunk, NO_KEY).map(([input, key]) => keyName(input, key))
      expect(names).toEqual(presses.map(([, name]) => name))
    }))
  })

  it("keeps `/` then ctrl+u apart: the slash opens the filter, ctrl+u clears it", () => {
    const [slash, clear] = keyPresses("/\u0015", NO_KEY)
    expect(slash?.[0]).toBe("/")
    expect([clear?.[0], clear?.[1].ctrl]).toEqual(["u", true])
  })

  it("reads esc with the key right after it (alt+key to Ink, or a key whose esc it dropped) as the two presses: the dashboard has no alt keys", () => {
    fc.assert(fc.property(fc.integer({ min: 0x20, max: 0x7e }).filter((code) => code !== 0x5b && code !== 0x4f), fc.boolean(), (code, meta) => {
      const c = String.fromCharCode(code)
      const presses = keyPresses(c, { ...NO_KEY, meta, shift: /[A-Z]/.test(c) }, `\u001b${c}`).map(([input, key]) => keyName(input, key))
      expect(presses).toEqual(["escape", c === " " ? "space" : c])
    }))
    expect(keyPresses("", { ...NO_KEY, escape: true, meta: true }, "\u001b").map(([input, key]) => keyName(input, key))).toEqual(["escape"])
    expect(keyPresses("", { ...NO_KEY, upArrow: true }, "\u001b[A").map(([input, key]) => keyName(input, key))).toEqual(["up"])
  })

  it("leaves escape sequences and a lone key as Ink gave them", () => {
    expect(keyPresses("\u001B[A", { ...NO_KEY, upArrow: true })).toEqual([["\u001B[A", { ...NO_KEY, upArrow: true }]])
    expect(keyPresses("u", { ...NO_KEY, ctrl: true })).toEqual([["u", { ...NO_KEY, ctrl: true }]])
  })
})
