import type * as Core from "@usher/core"

/** What an API token may be used for, as the CLI and the dashboard show it: `check, org:acme`, `any API`. */
export const tokenLimits = (t: Core.ApiToken): string => [t.only ?? "any API", t.org === null ? "" : `org:${t.org}`].filter((x) => x !== "").join(", ")
