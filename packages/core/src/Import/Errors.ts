import { Schema } from "effect"
import type { HttpStatus } from "../Domain/HttpStatus.js"

/** The first line of an import file does not name usable columns; nothing was imported. */
export class CsvHeaderInvalid extends Schema.TaggedError<CsvHeaderInvalid>()("CsvHeaderInvalid", { reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `The file's first line must name its columns: ${this.reason}. Nothing was imported.`
  }
}

/** One line of an import file that is not a CSV record of the header's shape. */
export class CsvLineMalformed extends Schema.TaggedError<CsvLineMalformed>()("CsvLineMalformed", { reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `Malformed CSV line: ${this.reason}.`
  }
}

/** A second row for an e-mail that an earlier line of the same file has already. */
export class DuplicateRow extends Schema.TaggedError<DuplicateRow>()("DuplicateRow", { email: Schema.String, firstLine: Schema.Number }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `${this.email} appears already on line ${this.firstLine}; only that first row is imported.`
  }
}

/** An import that stopped part-way on a failure of the system (disk, database): the batches before it stay applied. */
export class ImportStopped extends Schema.TaggedError<ImportStopped>()("ImportStopped", {
  lastLine: Schema.Number,
  batches: Schema.Number,
  reason: Schema.String
}) {
  static readonly httpStatus = 503 satisfies HttpStatus
  override get message() {
    return `The import stopped after line ${this.lastLine}, with ${this.batches} batch${this.batches === 1 ? "" : "es"} applied: ${this.reason}. ` +
      "Run it again with the same file to import the rest; the lines already imported stay as they are."
  }
}
