import { Box, Text } from "ink"
import { focusHints, hintGroups, type CommandId, type Focus, type ViewName } from "../keys/Keymap.js"
import { paint, useDashboard } from "../runtime/context.js"
import type { Status } from "../state/ui.js"
import { fit, wrapAtMost } from "./layout.js"

/** The most lines a message takes at the bottom (the view gives up the room). */
export const STATUS_LINES = 3

/**
 * A message as the status line shows it: wrapped onto up to three lines, never cut while it fits
 * in them (only a longer one is cut, at the end of the third).
 */
export const statusLines = (status: Status | undefined, width: number): ReadonlyArray<string> =>
  status === undefined ? [""] : wrapAtMost(`${status.tone === "error" ? "error: " : ""}${status.text}`, width, STATUS_LINES)

/**
 * Hints joined with ` | `, as many whole ones as fit in `width` (never one cut in half), in order;
 * the `tail` (back, quit) is kept at the end whenever it fits at all.
 */
export const fitHints = (hints: ReadonlyArray<string>, width: number, tail: ReadonlyArray<string> = []): string => {
  const join = (parts: ReadonlyArray<string>) => parts.join(" | ")
  const reserved = tail.length === 0 || join(tail).length > width ? 0 : join(tail).length + 3
  const kept: Array<string> = []
  for (const hint of hints) {
    if (join([...kept, hint]).length + reserved > width) break
    kept.push(hint)
  }
  return reserved === 0 ? join(kept) : join([...kept, ...tail])
}

/**
 * The bottom line: the last message (errors in red, never a stack trace; a long one wrapped onto
 * the lines above, see `statusLines`), else the key hints of what has the keys: the open dialog
 * or prompt, or the view (from the keymap).
 */
export const StatusLine = ({ status, view, focus, width, unavailable }: {
  readonly status: Status | undefined
  readonly view: ViewName
  readonly focus: Focus | undefined
  readonly width: number
  /** the view's commands that cannot apply to the row under its cursor (left out of the hints) */
  readonly unavailable: ReadonlySet<CommandId>
}) => {
  const { colors, dashboard } = useDashboard()
  if (status !== undefined) {
    return (
      <Box flexDirection="column">
        {statusLines(status, width).map((l, i) => (
          <Text key={i} bold={status.tone === "error"} {...paint(colors, status.tone === "error" ? "red" : "green")}>{fit(l, width)}</Text>
        ))}
      </Box>
    )
  }
  const hints = focus === undefined ? hintGroups(view, dashboard.readonly, unavailable) : { lead: focusHints(focus), tail: [] }
  return <Text dimColor>{fit(fitHints(hints.lead, width, hints.tail), width)}</Text>
}
