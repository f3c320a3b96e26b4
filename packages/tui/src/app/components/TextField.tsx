import type { Key } from "ink"
import { Text } from "ink"

/** A text being edited: its value and the cursor's offset in it. */
export interface Editing {
  readonly value: string
  readonly cursor: number
}

const wordStart = (value: string, cursor: number) => {
  let at = cursor
  while (at > 0 && value[at - 1] === " ") at--
  while (at > 0 && value[at - 1] !== " ") at--
  return at
}

/**
 * Applies a key press to a text being edited (readline keys: ←/→, home/end, ctrl+a/e, backspace,
 * delete-word ctrl+w, clear ctrl+u); typed and pasted text is inserted. Undefined: not an editing key.
 */
export const edit = (state: Editing, input: string, key: Key): Editing | undefined => {
  const { value, cursor } = state
  if (key.leftArrow) return { value, cursor: Math.max(0, cursor - 1) }
  if (key.rightArrow) return { value, cursor: Math.min(value.length, cursor + 1) }
  if (key.home || (key.ctrl && input === "a")) return { value, cursor: 0 }
  if (key.end || (key.ctrl && input === "e")) return { value, cursor: value.length }
  if (key.backspace || key.delete) {
    return cursor === 0 ? state : { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 }
  }
  if (key.ctrl && input === "w") {
    const from = wordStart(value, cursor)
    return { value: value.slice(0, from) + value.slice(cursor), cursor: from }
  }
  if (key.ctrl && input === "u") return { value: value.slice(cursor), cursor: 0 }
  if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return undefined
  const text = input.replace(/[\u0000-\u001f\u007f]/g, "")
  if (text === "") return undefined
  return { value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length }
}

/** A text with its cursor drawn (inverse cell); `mask` hides what is typed. */
export const TextField = ({ state, focused, mask }: { readonly state: Editing; readonly focused: boolean; readonly mask?: string }) => {
  const shown = mask === undefined ? state.value : mask.repeat(state.value.length)
  if (!focused) return <Text>{shown}</Text>
  const at = Math.min(state.cursor, shown.length)
  return (
    <Text>
      {shown.slice(0, at)}
      <Text inverse>{shown[at] ?? " "}</Text>
      {shown.slice(at + 1)}
    </Text>
  )
}
