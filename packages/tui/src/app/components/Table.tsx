import { Box, Text } from "ink"
import { paint, useDashboard } from "../runtime/context.js"
import { layoutColumns, line, wanting, type Column } from "./layout.js"

/** One row of a table: its cells, and how it stands out. */
export interface TableRow {
  readonly key: string
  readonly cells: ReadonlyArray<string>
  readonly color?: string
  readonly marked?: boolean
}

/**
 * A windowed table: a header and exactly the rows that fit, one `Text` per row (cheap to render
 * at any list size: the caller passes only the visible window). `undefined` rows are still loading.
 */
export const Table = ({ columns, rows, selected, width, height, empty, markable = false }: {
  readonly columns: ReadonlyArray<Column>
  readonly rows: ReadonlyArray<TableRow | undefined>
  /** index into `rows` of the cursor, or -1 */
  readonly selected: number
  readonly width: number
  /** lines for header and rows */
  readonly height: number
  readonly empty?: string
  readonly markable?: boolean
}) => {
  const { colors } = useDashboard()
  const gutter = markable ? 2 : 0
  const widths = layoutColumns(wanting(columns, rows), width - gutter)
  const header = line(columns.map((c) => c.title), widths, columns)
  const visible = rows.slice(0, Math.max(0, height - 1))
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold dimColor={!colors} {...paint(colors, "cyan")}>{" ".repeat(gutter)}{header}</Text>
      {visible.length === 0 && empty !== undefined ? <Text dimColor>{empty}</Text> : null}
      {visible.map((row, i) =>
        row === undefined
          ? <Text key={`loading-${i}`} dimColor>{" ".repeat(gutter)}...</Text>
          : (
            <Text key={row.key} inverse={i === selected} {...paint(colors, row.color)}>
              {markable ? (row.marked === true ? "* " : "  ") : ""}
              {line(row.cells, widths, columns)}
            </Text>
          )
      )}
    </Box>
  )
}
