import { useRef, useState } from "react"
import type { CommandId } from "../keys/Keymap.js"

/**
 * A cursor over a list of `count` rows shown `visible` at a time; `handle` takes the navigation
 * commands. Command handlers read the row with `current()`: keys typed ahead (`ja` in one chunk)
 * run before the screen redraws, so `cursor` (as last drawn) may be behind.
 */
export const useListCursor = (count: number, visible: number) => {
  const [state, setState] = useState({ cursor: 0, top: 0 })
  // the position as of the last key (keys may come faster than renders)
  const latest = useRef(state)
  latest.current = state
  const last = Math.max(0, count - 1)
  const clamp = (s: { cursor: number; top: number }) => {
    const cursor = Math.min(s.cursor, last)
    return { cursor, top: Math.max(0, Math.min(s.top, cursor, Math.max(0, count - visible))) }
  }
  const { cursor, top } = clamp(state)
  const moveTo = (target: (cursor: number) => number) => {
    const now = clamp(latest.current)
    const to = Math.max(0, Math.min(target(now.cursor), last))
    latest.current = { cursor: to, top: to < now.top ? to : to >= now.top + visible ? to - visible + 1 : now.top }
    setState(latest.current)
  }
  const handle = (command: CommandId): boolean => {
    switch (command) {
      case "cursor.down": return moveTo((c) => c + 1), true
      case "cursor.up": return moveTo((c) => c - 1), true
      case "cursor.top": return moveTo(() => 0), true
      case "cursor.bottom": return moveTo(() => last), true
      case "page.down": return moveTo((c) => c + visible), true
      case "page.up": return moveTo((c) => c - visible), true
      default: return false
    }
  }
  const reset = () => {
    latest.current = { cursor: 0, top: 0 }
    setState(latest.current)
  }
  /** the cursor as of the last key, not the last render */
  const current = () => clamp(latest.current).cursor
  return { cursor, top, handle, reset, current }
}
