/** Which workspaces and which app the bot serves; anything else is refused before it reaches a listener. */
export interface Served {
  /** workspace ids (`T…`) and Enterprise Grid ids (`E…`) */
  readonly teams: ReadonlySet<string>
  /** the app's id; undefined when it could not be learned (then only the workspace is checked) */
  readonly appId: string | undefined
}

const strings = (...values: ReadonlyArray<unknown>) => values.filter((v): v is string => typeof v === "string" && v !== "")

/**
 * Why a request (slash command, click, modal submission) is not for this bot, or undefined when
 * it is: it names another app (`api_app_id`), or a workspace — its own, the clicking user's, the
 * one the modal was opened in — that is not on the list, unless its Enterprise Grid organization is.
 */
export const refusal = (body: unknown, served: Served): string | undefined => {
  const b = (body ?? {}) as Record<string, any>
  if (served.appId !== undefined && b["api_app_id"] !== served.appId) return `another app (${String(b["api_app_id"] ?? "none")})`
  const enterprises = strings(b["enterprise_id"], b["enterprise"]?.id, b["team"]?.enterprise_id, b["user"]?.enterprise_id)
  if (enterprises.some((e) => served.teams.has(e))) return undefined
  const teams = strings(b["team_id"], b["team"]?.id, b["user"]?.team_id, b["view"]?.app_installed_team_id)
  if (teams.length === 0) return "no workspace"
  const other = teams.find((t) => !served.teams.has(t))
  return other === undefined ? undefined : `another workspace (${other})`
}
