import { Text } from "ink"
import { useRef, useState } from "react"
import { keyName } from "../keys/keyName.js"
import { useKeys } from "../keys/layers.js"
import type { Prompt } from "../state/ui.js"
import { edit, TextField } from "./TextField.js"

/** Typing a filter: every key press filters at once; enter keeps the filter, esc restores the one before. */
export const PromptLine = ({ prompt }: { readonly prompt: Prompt }) => {
  // the text lives in a ref too: keys typed faster than the screen redraws each see the one before
  const text = useRef({ value: prompt.value, cursor: prompt.value.length })
  const [state, setState] = useState(text.current)
  useKeys((input, key) => {
    const name = keyName(input, key)
    if (name === "escape") return prompt.onDone(false)
    if (name === "enter") return prompt.onDone(true)
    const before = text.current
    const next = edit(before, input, key)
    if (next === undefined) return
    text.current = next
    setState(next)
    if (next.value !== before.value) prompt.onChange(next.value)
  })
  return (
    <Text>
      <Text bold>{prompt.label}</Text>
      <TextField state={state} focused />
    </Text>
  )
}
