import { Text } from "ink"
import { focusHints, hintsFor, type Focus, type ViewName } from "../keys/Keymap.js"
import { paint, useDashboard } from "../runtime/context.js"
import type { Status } from "../state/ui.js"
import { fit } from "./layout.js"

/** Hints joined with ` | `, as many whole ones as fit in `width` (never one cut in half). */
export const fitHints = (hints: ReadonlyArray<string>, width: number): string => {
  let line = ""
  for (const hint of hints) {
    const next = line === "" ? hint : `${line} | ${hint}`
    if (next.length > width) break
    line = next
  }
  return line
}

/**
 * The bottom line: the last message (errors in red, never a stack trace), else the key hints of
 * what has the keys: the open dialog or prompt, or the view (from the keymap).
 */
export const StatusLine = ({ status, view, focus, width }: {
  readonly status: Status | undefined
  readonly view: ViewName
  readonly focus: Focus | undefined
  readonly width: number
}) => {
  const { colors, dashboard } = useDashboard()
  if (status !== undefined) {
    return (
      <Text bold={status.tone === "error"} {...paint(colors, status.tone === "error" ? "red" : "green")}>
        {fit(`${status.tone === "error" ? "error: " : ""}${status.text}`, width)}
      </Text>
    )
  }
  return <Text dimColor>{fit(fitHints(focus === undefined ? hintsFor(view, dashboard.readonly) : focusHints(focus), width), width)}</Text>
}
