/** Shared test helpers: temp databases with migrations, fixtures. */
export * from "./TempDatabase.js"
