/** One word of a command's text, with Slack's escapes decoded. */
export interface Token {
  /** the text as a person reads it (`@bob` for a mention, the address of a mailto link) */
  readonly text: string
  /** the Slack user id, when the word is a user mention `<@U123|bob>` */
  readonly mention?: string
  /** whether the word was written in quotes (so `"--link"` is a word, not a flag) */
  readonly quoted: boolean
}

const QUOTES: Readonly<Record<string, string>> = { "\"": "\"", "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb" }

/** Decodes the three HTML entities Slack escapes in command text. */
export const decodeEntities = (text: string): string => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")

/** What an escape `<…>` stands for: a user mention, a mailto or other link, a channel, a special mention. */
const escapeToken = (inner: string): Omit<Token, "quoted"> => {
  const bar = inner.indexOf("|")
  const target = bar < 0 ? inner : inner.slice(0, bar)
  const label = bar < 0 ? undefined : inner.slice(bar + 1)
  if (/^@[UW][A-Z0-9]+$/.test(target)) return { text: `@${label ?? target.slice(1)}`, mention: target.slice(1) }
  if (target.startsWith("mailto:")) return { text: decodeEntities(target.slice("mailto:".length)) }
  if (target.startsWith("#")) return { text: `#${label ?? target.slice(1)}` }
  if (target.startsWith("!")) return { text: `@${label ?? target.slice(1).split("^")[0]}` }
  return { text: decodeEntities(label ?? target) }
}

const isSpace = (c: string) => /\s/.test(c)

/**
 * Splits command text into words: whitespace separates, a word that starts with a quote (straight
 * or typographic) runs to its closing quote, and Slack's escapes (`<@U123|bob>`,
 * `<mailto:a@b.c|a@b.c>`, `<#C1|general>`) are single words even when their label has spaces. An
 * unclosed quote is an ordinary character. Total: any text gives some list of tokens.
 */
export const tokenize = (input: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (isSpace(c)) {
      i++
      continue
    }
    const close = QUOTES[c]
    if (close !== undefined) {
      const end = input.indexOf(close, i + 1)
      if (end > i && (end + 1 >= input.length || isSpace(input[end + 1]!))) {
        tokens.push({ text: decodeEntities(input.slice(i + 1, end)), quoted: true })
        i = end + 1
        continue
      }
    }
    if (c === "<") {
      const end = input.indexOf(">", i + 1)
      if (end > i && (end + 1 >= input.length || isSpace(input[end + 1]!))) {
        tokens.push({ ...escapeToken(input.slice(i + 1, end)), quoted: false })
        i = end + 1
        continue
      }
    }
    let end = i
    while (end < input.length && !isSpace(input[end]!)) end++
    tokens.push({ text: decodeEntities(input.slice(i, end)), quoted: false })
    i = end
  }
  return tokens
}
