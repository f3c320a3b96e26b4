import { Box, Text } from "ink"
import { useRef, useState } from "react"
import { bindingsFor, focusKeys, shownKey, type Focus, type ViewName } from "../keys/Keymap.js"
import { keyName } from "../keys/keyName.js"
import { useKeys } from "../keys/layers.js"
import { paint, useDashboard } from "../runtime/context.js"
import type { MenuSpec, Notice } from "../state/ui.js"
import { fit, wrap } from "./layout.js"

/**
 * Text shown once (a temporary password, a link, per-row results); any of enter, esc or q closes
 * it. Lines wrap instead of being cut; what is to be copied stands below the box at the left edge,
 * with no border characters on its line, so it copies cleanly from any terminal (also over SSH).
 */
export const NoticeBox = ({ notice, width, screenWidth = width, height, onClose }: {
  readonly notice: Notice
  readonly width: number
  /** the terminal's width: the line to copy may use all of it */
  readonly screenWidth?: number
  readonly height: number
  readonly onClose: () => void
}) => {
  const [top, setTop] = useState(0)
  const inner = Math.max(10, width - 4)
  const copy = notice.copy === undefined ? [] : wrap(notice.copy, Math.max(10, screenWidth))
  const title = wrap(notice.title, inner)
  const lines = notice.lines.flatMap((l) => wrap(l, inner))
  // the border, the title and the hint line, and below the box the text to copy
  const room = Math.max(1, height - 3 - title.length - copy.length)
  useKeys((input, key) => {
    const name = keyName(input, key)
    if (name === "j" || name === "down") setTop((t) => Math.min(Math.max(0, lines.length - room), t + 1))
    else if (name === "k" || name === "up") setTop((t) => Math.max(0, t - 1))
    else if (name === "enter" || name === "escape" || name === "q") onClose()
  })
  const hint = `enter close${lines.length > room ? " | j/k scroll" : ""}`
  return (
    <Box flexDirection="column">
      <Box flexDirection="column" borderStyle="single" paddingX={1} width={width}>
        {title.map((l, i) => <Text key={`t${i}`} bold>{l}</Text>)}
        {lines.slice(top, top + room).map((l, i) => <Text key={i}>{l}</Text>)}
        {copy.length === 0 ? <Text dimColor>{fit(hint, inner)}</Text> : null}
      </Box>
      {copy.length === 0 ? null : (
        <>
          {copy.map((l, i) => <Text key={`c${i}`} bold>{l}</Text>)}
          <Text dimColor>{fit(`${copy.length > 1 ? `(one line, wrapped in ${copy.length}: join them)  ` : ""}${hint}`, screenWidth)}</Text>
        </>
      )}
    </Box>
  )
}

/** A short list to pick from: j/k or arrows, enter picks, esc cancels. */
export const Menu = ({ menu, width, onClose }: { readonly menu: MenuSpec; readonly width: number; readonly onClose: () => void }) => {
  const { colors } = useDashboard()
  // the item under the cursor lives in a ref too: `j` then enter in one chunk picks the second item
  const live = useRef(0)
  const [at, setAt] = useState(0)
  const moveTo = (to: number) => {
    live.current = Math.max(0, Math.min(menu.items.length - 1, to))
    setAt(live.current)
  }
  useKeys((input, key) => {
    const name = keyName(input, key)
    if (name === "j" || name === "down") moveTo(live.current + 1)
    else if (name === "k" || name === "up") moveTo(live.current - 1)
    else if (name === "escape") onClose()
    else if (name === "enter") menu.items[live.current]?.run()
  })
  const inner = Math.max(10, width - 4)
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} width={width}>
      <Text bold>{fit(menu.title, inner)}</Text>
      {menu.items.map((item, i) => (
        <Text key={item.label} inverse={i === at} {...paint(colors, i === at ? "cyan" : undefined)}>{fit(` ${item.label}`, inner)}</Text>
      ))}
      <Text dimColor>{fit("enter choose | esc cancel", inner)}</Text>
    </Box>
  )
}

const DIALOGS: ReadonlyArray<readonly [Focus, string]> = [
  ["form", "In a form:"],
  ["confirm", "In a confirmation:"],
  ["menu", "In a menu:"],
  ["prompt", "Typing a filter (/):"],
  ["command", "In command mode (:):"]
]

/** The help, generated from the keymap for the current view; read-only sessions mark what is disabled. */
export const Help = ({ view, width, height, onClose }: {
  readonly view: ViewName
  readonly width: number
  readonly height: number
  readonly onClose: () => void
}) => {
  const { dashboard } = useDashboard()
  const [top, setTop] = useState(0)
  const lines = [
    ...bindingsFor(view).map((b) =>
      `${b.keys.map(shownKey).join(" ").padEnd(16)} ${b.description}${b.mutating === true && dashboard.readonly ? "  (disabled: read-only)" : ""}`
    ),
    ...DIALOGS.flatMap(([focus, title]) => ["", title, ...focusKeys[focus].map(([keys, description]) => `${keys.padEnd(16)} ${description}`)])
  ]
  const room = Math.max(1, height - 4)
  useKeys((input, key) => {
    const name = keyName(input, key)
    const end = Math.max(0, lines.length - room)
    const step = name === "j" || name === "down" ? 1 : name === "k" || name === "up" ? -1 : name === "pagedown" || name === "ctrl+f" ? room
      : name === "pageup" || name === "ctrl+b" ? -room : name === "G" || name === "end" ? lines.length : name === "g" || name === "home" ? -lines.length : 0
    if (step !== 0) setTop((t) => Math.max(0, Math.min(end, t + step)))
    else if (name === "escape" || name === "?" || name === "q" || name === "enter") onClose()
  })
  const inner = Math.max(10, width - 4)
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} width={width}>
      <Text bold>{fit(`Keys in ${view}${lines.length > room ? ` (${top + 1}-${Math.min(lines.length, top + room)} of ${lines.length}, j/k scroll)` : ""}`, inner)}</Text>
      {lines.slice(top, top + room).map((l, i) => <Text key={i}>{fit(l, inner)}</Text>)}
      <Text dimColor>{fit("esc close", inner)}</Text>
    </Box>
  )
}
