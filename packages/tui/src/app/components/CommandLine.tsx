import { Text } from "ink"
import { useRef, useState } from "react"
import { keyName } from "../keys/keyName.js"
import { useKeys } from "../keys/layers.js"
import { fit } from "./layout.js"
import { edit, TextField } from "./TextField.js"

/** The `:` commands: one per view, plus quitting. */
export const commandWords = ["users", "groups", "roles", "orgs", "apps", "approvals", "audit", "outbox", "tokens", "help", "quit"] as const

/** The commands a typed prefix could mean, in table order. */
export const complete = (typed: string): ReadonlyArray<string> => {
  const word = typed.trim().toLowerCase()
  return commandWords.filter((c) => c.startsWith(word))
}

/** Command mode: `:` then a view's name; tab completes (again: the next match), enter goes, esc leaves. */
export const CommandLine = ({ width, onDone }: { readonly width: number; readonly onDone: (command: string | undefined) => void }) => {
  // what is typed lives in a ref too, so keys typed faster than the screen redraws all count
  const text = useRef({ value: "", cursor: 0, typed: "" })
  const [state, setState] = useState(text.current)
  const value = state.value
  const matches = complete(state.typed)
  const change = (next: { value: string; cursor: number; typed: string }) => {
    text.current = next
    setState(next)
  }
  useKeys((input, key) => {
    const name = keyName(input, key)
    const now = text.current
    if (name === "escape") return onDone(undefined)
    if (name === "enter") return onDone(now.value.trim() === "" ? undefined : complete(now.value)[0] ?? now.value.trim())
    if (name === "tab") {
      const options = complete(now.typed)
      if (options.length === 0) return
      const next = options[(options.indexOf(now.value) + 1) % options.length]!
      return change({ value: next, cursor: next.length, typed: now.typed })
    }
    const next = edit(now, input, key)
    if (next !== undefined) change({ ...next, typed: next.value })
  })
  const own = complete(value)
  const suffix = own[0] !== undefined && value.trim() !== "" ? own[0].slice(value.trim().length) : ""
  const others = matches.length > 1 ? `   ${matches.join(" ")}` : matches.length === 0 ? "   (no such view)" : ""
  return (
    <Text>
      <Text bold>:</Text>
      <TextField state={state} focused />
      <Text dimColor>{fit(`${suffix}${others}`, Math.max(0, width - value.length - 3))}</Text>
    </Text>
  )
}
