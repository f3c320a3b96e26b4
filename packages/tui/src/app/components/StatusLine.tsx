import { Text } from "ink"
import { bindingsFor, type ViewName } from "../keys/Keymap.js"
import { paint, useDashboard } from "../runtime/context.js"
import type { Status } from "../state/ui.js"
import { fit } from "./layout.js"

const HINTED = new Set(["open", "filter", "command", "help", "quit", "back", "bulk", "approval.approve", "approval.deny"])

/** The key hints of a view, from the keymap. */
export const hints = (view: ViewName): string =>
  bindingsFor(view)
    .filter((b) => HINTED.has(b.command))
    .map((b) => `${b.keys[0] === "escape" ? "esc" : b.keys[0]} ${b.description.split(/[:(]/)[0]!.trim()}`)
    .join(" | ")

/** The bottom line: the last message (errors in red, never a stack trace), else the view's main keys. */
export const StatusLine = ({ status, view, width }: { readonly status: Status | undefined; readonly view: ViewName; readonly width: number }) => {
  const { colors } = useDashboard()
  if (status !== undefined) {
    return (
      <Text bold={status.tone === "error"} {...paint(colors, status.tone === "error" ? "red" : "green")}>
        {fit(`${status.tone === "error" ? "error: " : ""}${status.text}`, width)}
      </Text>
    )
  }
  return <Text dimColor>{fit(hints(view), width)}</Text>
}
