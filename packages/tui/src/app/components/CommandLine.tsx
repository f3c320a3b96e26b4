import { Text } from "ink"
import { useRef, useState } from "react"
import { keyName } from "../keys/keyName.js"
import { useKeys } from "../keys/layers.js"
import { fit } from "./layout.js"
import { edit, TextField } from "./TextField.js"

/** The `:` commands: one per view, plus quitting; `whocan` takes a permission and a scope after it. */
export const commandWords = ["users", "groups", "roles", "orgs", "apps", "approvals", "audit", "outbox", "tokens", "whocan", "help", "quit"] as const

/** The commands a typed prefix could mean, in table order (the first word: what follows it is the command's arguments). */
export const complete = (typed: string): ReadonlyArray<string> => {
  const word = typed.trim().toLowerCase().split(/\s+/)[0] ?? ""
  return commandWords.filter((c) => c.startsWith(word))
}

/** What enter runs: the command the first word completes to, with the arguments typed after it. */
const chosen = (value: string): string => {
  const [first = "", ...rest] = value.trim().split(/\s+/)
  return [complete(first)[0] ?? first, ...rest].join(" ")
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
    if (name === "enter") return onDone(now.value.trim() === "" ? undefined : chosen(now.value))
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
  // the completion of the word typed so far, or what a command takes after it
  const suffix = value.trim() === "whocan" ? " PERMISSION [SCOPE]"
    : own[0] !== undefined && value.trim() !== "" && !/\s/.test(value.trim()) ? own[0].slice(value.trim().length) : ""
  const others = matches.length > 1 ? `   ${matches.join(" ")}` : matches.length === 0 ? "   (no such view)" : ""
  return (
    <Text>
      <Text bold>:</Text>
      <TextField state={state} focused />
      <Text dimColor>{fit(`${suffix}${others}`, Math.max(0, width - value.length - 3))}</Text>
    </Text>
  )
}
