import type { Key } from "ink"
import fc from "fast-check"
import stringWidth from "string-width"
import { describe, expect, it } from "vitest"
import { age, fit, layoutColumns, type Column } from "../../src/app/components/layout.js"
import { edit } from "../../src/app/components/TextField.js"
import { userColumns } from "../../src/app/screens/Users.js"

const column: fc.Arbitrary<Column> = fc.record({
  title: fc.string({ maxLength: 8 }),
  min: fc.integer({ min: 1, max: 30 }),
  grow: fc.integer({ min: 0, max: 4 }),
  drop: fc.integer({ min: 0, max: 5 })
})

const plainKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false
}

describe("layout", () => {
  it("fit gives exactly the width asked for, whatever the text (wide characters included)", () => {
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: "grapheme" }), fc.integer({ min: 1, max: 50 }), (text, width) => {
      expect(stringWidth(fit(text, width))).toBe(width)
    }))
    expect(fit("abcdef", 4)).toBe("abc~")
    expect(fit("ab", 4, "right")).toBe("  ab")
  })

  it("columns fit the width: dropped highest first, never a column that may not be dropped, spare width shared", () => {
    fc.assert(fc.property(fc.array(column, { minLength: 1, maxLength: 8 }), fc.integer({ min: 20, max: 240 }), (columns, width) => {
      const widths = layoutColumns(columns, width)
      const kept = widths.filter((w) => w > 0).length
      const used = widths.reduce((a, b) => a + b, 0) + Math.max(0, kept - 1)
      const undroppable = columns.filter((c) => (c.drop ?? 0) === 0)
      const floor = undroppable.reduce((a, c) => a + c.min, 0) + Math.max(0, undroppable.length - 1)
      if (floor <= width) expect(used).toBeLessThanOrEqual(width)
      columns.forEach((c, i) => {
        if ((c.drop ?? 0) === 0) expect(widths[i]).toBeGreaterThanOrEqual(c.min)
      })
      if (columns.some((c, i) => (c.grow ?? 0) > 0 && widths[i]! > 0) && floor <= width) expect(used).toBe(width)
    }))
  })

  it("the users table keeps name, e-mail, status, roles and last activity at 80 columns, everything at 120", () => {
    const at = (width: number) => layoutColumns(userColumns, width - 2).map((w, i) => w > 0 ? userColumns[i]!.title : "").filter(Boolean)
    expect(at(80)).toEqual(["NAME", "E-MAIL", "STATUS", "ROLES", "LAST SEEN"])
    expect(at(120)).toEqual(userColumns.map((c) => c.title))
  })

  it("a column that wants a width gets it before others grow, and yielding columns are dropped for it", () => {
    const columns: ReadonlyArray<Column> = [
      { title: "A", min: 8, grow: 2 },
      { title: "B", min: 20, grow: 1, want: 40 },
      { title: "C", min: 10, drop: 2, yields: true },
      { title: "D", min: 10, drop: 1 }
    ]
    // 8 + 20 + 10 + 10 + 3 = 51: 29 spare, 20 of them to B first; B stops at what it wants, A gets the rest
    expect(layoutColumns(columns, 80)).toEqual([17, 40, 10, 10])
    // 19 spare is not enough for B: C gives way, D (which does not yield) stays; the rest grows as usual
    const narrow = layoutColumns(columns, 70)
    expect(narrow[1]).toBeGreaterThanOrEqual(40)
    expect([narrow[2], narrow[3]]).toEqual([0, 10])
    // without a want nothing is dropped
    expect(layoutColumns(columns.map(({ want: _, ...c }) => c), 70).every((w) => w > 0)).toBe(true)
  })

  it("edits text like a shell line: insert, backspace, cursor keys, ctrl+w, ctrl+u; pasted text goes in whole", () => {
    let state = { value: "", cursor: 0 }
    for (const ch of "ada lovelace") state = edit(state, ch, plainKey)!
    expect(state).toEqual({ value: "ada lovelace", cursor: 12 })
    state = edit(state, "w", { ...plainKey, ctrl: true })!
    expect(state).toEqual({ value: "ada ", cursor: 4 })
    state = edit(state, "", { ...plainKey, leftArrow: true })!
    state = edit(state, "", { ...plainKey, backspace: true })!
    expect(state).toEqual({ value: "ad ", cursor: 2 })
    state = edit(state, "+44 20", plainKey)!
    expect(state.value).toBe("ad+44 20 ")
    expect(edit(state, "u", { ...plainKey, ctrl: true })).toEqual({ value: " ", cursor: 0 })
    expect(edit(state, "", { ...plainKey, return: true })).toBeUndefined()
  })

  it("says how long ago in the largest whole unit", () => {
    const now = Date.parse("2030-01-10T00:00:00Z")
    expect(age("2030-01-09T23:59:30Z", now)).toBe("30s")
    expect(age("2030-01-09T23:00:00Z", now)).toBe("1h")
    expect(age("2030-01-01T00:00:00Z", now)).toBe("9d")
  })
})
