import { Box, Text } from "ink"
import { useRef, useState } from "react"
import { keyName } from "../keys/keyName.js"
import { useKeys } from "../keys/layers.js"
import { paint, useDashboard } from "../runtime/context.js"
import type { FormSpec, Submitted } from "../state/ui.js"
import { fit, wrap } from "./layout.js"
import { fitHints } from "./StatusLine.js"
import { edit, TextField, type Editing } from "./TextField.js"

/** A refusal in the form's words: a malformed value is named by the label of its field, which takes the focus. */
const refusal = (form: FormSpec, outcome: Extract<Submitted, { ok: false }>): { readonly text: string; readonly focus?: number } => {
  const named = outcome.field
  if (named === undefined) return { text: outcome.error }
  const at = form.fields.findIndex((f) => (f.coreName ?? f.name) === named.name)
  if (at < 0) return { text: outcome.error }
  const label = form.fields[at]!.label
  return { text: label.toLowerCase() === named.name.toLowerCase() ? outcome.error : `${label}: ${named.reason}.`, focus: at }
}

/**
 * A form or confirmation dialog. Enter moves to the next field and submits on the last one;
 * ctrl+s submits from any field; tab and the arrows move between fields; left/right cycle a
 * choice; esc cancels. A refusal from core is shown in the dialog, which stays open so the input
 * can be corrected (the message goes once the input changes). Text is wrapped at spaces, never cut.
 */
export const Form = ({ form, width, onClose, cancellable = true }: {
  readonly form: FormSpec
  readonly width: number
  readonly onClose: (outcome: Extract<Submitted, { ok: true }> | undefined) => void
  /** false: esc does not close it (the setup form: closing it would leave nothing to do) */
  readonly cancellable?: boolean
}) => {
  const { colors } = useDashboard()
  // the fields and the focus live in a ref too: keys typed faster than the screen redraws all count
  const live = useRef<{ fields: Record<string, Editing>; focus: number }>({
    fields: Object.fromEntries(form.fields.map((f) => {
      const value = f.initial ?? f.choices?.[0] ?? ""
      return [f.name, { value, cursor: value.length }]
    })),
    focus: 0
  })
  const [{ fields, focus }, setLive] = useState(live.current)
  const update = (change: (now: typeof live.current) => typeof live.current) => {
    live.current = change(live.current)
    setLive(live.current)
  }
  const values: Record<string, string> = Object.fromEntries(Object.entries(fields).map(([k, e]) => [k, e.value]))
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const busyNow = useRef(false)
  const field = form.fields[focus]
  const last = Math.max(0, form.fields.length - 1)

  const submit = () => {
    const typed = Object.fromEntries(Object.entries(live.current.fields).map(([k, e]) => [k, e.value]))
    const refused = form.check?.(typed)
    if (refused !== undefined) return setError(refused)
    busyNow.current = true
    setBusy(true)
    setError(undefined)
    void form.submit(typed).then((outcome) => {
      busyNow.current = false
      setBusy(false)
      if (outcome.ok) return onClose(outcome)
      const shown = refusal(form, outcome)
      setError(shown.text)
      if (shown.focus !== undefined) update((n) => ({ ...n, focus: shown.focus! }))
    })
  }
  const setValue = (name: string, next: Editing) => {
    const before = live.current.fields[name]?.value
    update((n) => ({ ...n, fields: { ...n.fields, [name]: next } }))
    // what the message was about has changed: it no longer applies
    if (next.value !== before) setError(undefined)
  }
  // quitting would lose what was typed: any field differs from what the form opened with
  const unsaved = () => form.fields.some((f) => (live.current.fields[f.name]?.value ?? "") !== (f.initial ?? f.choices?.[0] ?? ""))

  useKeys((input, key) => {
    if (busyNow.current) return
    const name = keyName(input, key)
    const now = live.current
    const current = form.fields[now.focus]
    if (name === "escape") cancellable ? onClose(undefined) : setError("esc does not leave the setup, so nothing typed is lost: press ctrl+c to quit.")
    else if (name === "ctrl+s") submit()
    else if (name === "up" || name === "shift+tab") update((n) => ({ ...n, focus: Math.max(0, n.focus - 1) }))
    else if (name === "down" || name === "tab") update((n) => ({ ...n, focus: Math.min(last, n.focus + 1) }))
    else if (name === "enter") now.focus < last ? update((n) => ({ ...n, focus: n.focus + 1 })) : submit()
    else if (current?.choices !== undefined) {
      if (name !== "left" && name !== "right" && name !== "space") return
      const choices = current.choices
      const at = choices.indexOf(now.fields[current.name]?.value ?? "")
      const next = choices[(at + (name === "left" ? -1 : 1) + choices.length) % choices.length]!
      setValue(current.name, { value: next, cursor: next.length })
    } else if (current !== undefined) {
      const next = edit(now.fields[current.name] ?? { value: "", cursor: 0 }, input, key)
      if (next !== undefined) setValue(current.name, next)
    }
  }, unsaved)

  const inner = Math.max(20, width - 4)
  const labelWidth = Math.min(18, Math.max(0, ...form.fields.map((f) => f.label.length)) + 1)
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} width={width}>
      <Text bold>{fit(form.title, inner)}</Text>
      {(form.lines ?? []).flatMap((l) => wrap(l, inner)).map((l, i) => <Text key={`l${i}`}>{l}</Text>)}
      {form.fields.map((f, i) => (
        <Box key={f.name} flexDirection="column">
          <Box>
            <Text bold={i === focus} {...paint(colors, i === focus ? "cyan" : undefined)}>{fit(`${i === focus ? ">" : " "}${f.label}`, labelWidth + 1)} </Text>
            {f.choices !== undefined
              ? <Text>{f.choices.map((c) => c === values[f.name] ? `[${c}]` : ` ${c} `).join(" ")}</Text>
              : <TextField state={fields[f.name] ?? { value: "", cursor: 0 }} focused={i === focus && !busy} {...(f.secret === true ? { mask: "*" } : {})} />}
          </Box>
          {i === focus && f.hint !== undefined ? wrap(f.hint, inner - 2).map((l, h) => <Text key={`h${h}`} dimColor>{`  ${l}`}</Text>) : null}
        </Box>
      ))}
      {error !== undefined ? wrap(`error: ${error}`, inner).map((l, i) => <Text key={`e${i}`} bold {...paint(colors, "red")}>{l}</Text>) : null}
      <Text dimColor>
        {fit(busy ? "working..." : fitHints([
          `enter ${focus < last ? "next field" : form.submitLabel}`,
          ...(focus < last ? [`ctrl+s ${form.submitLabel}`] : []),
          ...(form.fields.length > 1 ? ["tab/up/down fields"] : []),
          ...(field?.choices ? ["left/right choose"] : [])
        ], inner, [cancellable ? `esc ${form.fields.length === 0 ? "close" : "cancel"}` : "ctrl+c quit"]), inner)}
      </Text>
    </Box>
  )
}
