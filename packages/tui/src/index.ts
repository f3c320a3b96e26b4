/** The `usher` command line (and, later, the dashboard). */
export { main, helpText, type ExitCode, type Io } from "./cli/main.js"
export { formatCause, formatError, type ShownError } from "./present/formatError.js"
