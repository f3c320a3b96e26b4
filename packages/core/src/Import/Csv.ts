/**
 * Reading an import file: its header and its lines, with csv-parse. Pure.
 *
 * A record is one line. Quoted fields may hold commas and doubled quotes but no line break (no
 * column of a user can hold one), so a stray quote spoils its own line only and every problem
 * has the line number of the file. Lines are parsed a chunk at a time; a chunk that does not
 * come out as one record per line is parsed again line by line to find the bad ones.
 */
import { parse, type Options } from "csv-parse/sync"
import { Either } from "effect"
import { CsvHeaderInvalid, CsvLineMalformed } from "./Errors.js"

/** The columns an import file may have (the header names them, in any order). */
export const COLUMNS = ["email", "firstName", "lastName", "phone", "gender", "birthday", "orgUnit", "position", "orgs", "roles", "groups"] as const
export type Column = typeof COLUMNS[number]

const byKey = new Map<string, Column>(COLUMNS.map((c) => [c.toLowerCase(), c]))

/** The column a header cell names: case, spaces, `_` and `-` do not matter (`First Name`, `first_name`, `e-mail`). */
export const columnOf = (name: string): Column | undefined => byKey.get(name.trim().toLowerCase().replace(/[\s_-]+/g, ""))

/** A file's header: which column each field position holds. */
export interface Header {
  readonly columns: ReadonlyArray<Column>
  /** its line number (1 unless blank lines come first) */
  readonly line: number
}

/** One line of the file: its fields, or why it is not a record. */
export type Line =
  | { readonly line: number; readonly fields: ReadonlyArray<string> }
  | { readonly line: number; readonly error: CsvLineMalformed }

const OPTIONS: Options = { delimiter: ",", quote: "\"", escape: "\"", record_delimiter: "\n", relax_column_count: true, trim: true }

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "a quoted field is not closed (a field cannot continue on the next line)",
  CSV_INVALID_CLOSING_QUOTE: "a quoted field must end at a comma or at the end of the line",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "a quoted field must end at a comma or at the end of the line",
  INVALID_OPENING_QUOTE: "a quote inside an unquoted field; quote the whole field and double the quote (\"O\"\"Brien\")",
  CSV_INVALID_OPENING_QUOTE: "a quote inside an unquoted field; quote the whole field and double the quote (\"O\"\"Brien\")"
}

const reasonOf = (error: unknown): string => {
  const { code, message } = error as { code?: unknown; message?: unknown }
  const known = typeof code === "string" ? REASONS[code] : undefined
  return known ?? String(message ?? error).replace(/ at line \d+/, "").replace(/\.$/, "")
}

/** Parses one line on its own: exactly one record, or the reason it is none. */
export const parseLine = (text: string): Either.Either<ReadonlyArray<string>, CsvLineMalformed> => {
  try {
    const records = parse(text, OPTIONS) as Array<Array<string>>
    return records.length === 1
      ? Either.right(records[0]!)
      : Either.left(new CsvLineMalformed({ reason: "it is not one record" }))
  } catch (error) {
    return Either.left(new CsvLineMalformed({ reason: reasonOf(error) }))
  }
}

/** The file's physical lines (any of `\r\n`, `\n`, `\r` ends one), a leading byte-order mark dropped. */
export const splitLines = (text: string): ReadonlyArray<string> => {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/)
  if (lines.at(-1) === "") lines.pop()
  return lines
}

const isBlank = (text: string) => text.trim() === ""

/**
 * Reads the header: the first line that is not blank. Every field must name a known column,
 * once; `email` is required.
 */
export const readHeader = (lines: ReadonlyArray<string>): Either.Either<Header, CsvHeaderInvalid> => {
  const index = lines.findIndex((l) => !isBlank(l))
  if (index < 0) return Either.left(new CsvHeaderInvalid({ reason: "the file is empty" }))
  const fields = parseLine(lines[index]!)
  if (Either.isLeft(fields)) return Either.left(new CsvHeaderInvalid({ reason: fields.left.reason }))
  const columns: Array<Column> = []
  const unknown: Array<string> = []
  for (const [i, name] of fields.right.entries()) {
    const column = columnOf(name)
    if (column === undefined) {
      unknown.push(name.trim() === "" ? `(column ${i + 1} has no name)` : JSON.stringify(name.trim()))
    } else if (columns.includes(column)) {
      return Either.left(new CsvHeaderInvalid({ reason: `the column ${column} is named twice` }))
    } else {
      columns.push(column)
    }
  }
  if (unknown.length > 0) {
    const separator = fields.right.length === 1 && /[;\t]/.test(fields.right[0]!) ? "; columns are separated by commas" : ""
    return Either.left(new CsvHeaderInvalid({
      reason: `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (known: ${COLUMNS.join(", ")})${separator}`
    }))
  }
  if (!columns.includes("email")) return Either.left(new CsvHeaderInvalid({ reason: "there is no email column" }))
  return Either.right({ columns, line: index + 1 })
}

/** A line with nothing in any field (`,,,` as spreadsheets leave below the data) is no row. */
const isEmptyRecord = (line: Line) => "fields" in line && line.fields.every((f) => f === "")

/**
 * Parses lines `from` (0-based index) up to `to` of the file, skipping blank ones and ones with
 * only empty fields: each as its fields or as a malformed line, with its 1-based line number.
 */
export const parseLines = (lines: ReadonlyArray<string>, from: number, to: number): ReadonlyArray<Line> => {
  const numbers: Array<number> = []
  const texts: Array<string> = []
  for (let i = from; i < Math.min(to, lines.length); i++) {
    const text = lines[i]!
    if (isBlank(text)) continue
    numbers.push(i + 1)
    texts.push(text)
  }
  if (texts.length === 0) return []
  try {
    const records = parse(texts.join("\n"), OPTIONS) as Array<Array<string>>
    // no record can hold a line break, so as many records as lines means one record per line
    if (records.length === texts.length) return records.map((fields, i): Line => ({ line: numbers[i]!, fields })).filter((l) => !isEmptyRecord(l))
  } catch {
    // some line is malformed: find which, below
  }
  return texts.map((text, i) =>
    Either.match(parseLine(text), {
      onLeft: (error): Line => ({ line: numbers[i]!, error }),
      onRight: (fields): Line => ({ line: numbers[i]!, fields })
    })
  ).filter((l) => !isEmptyRecord(l))
}
