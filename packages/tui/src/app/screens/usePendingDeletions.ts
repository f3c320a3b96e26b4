import * as Core from "@usher/core"
import { useMemo } from "react"
import { useDashboard, useQuery } from "../runtime/context.js"

/**
 * The deletion requests waiting for approval that the actor may see (their own, those they could
 * decide, all with `audit.read` at provider), by the id of the account they would delete; live.
 */
export const usePendingDeletions = (): ReadonlyMap<string, Core.ApprovalRequest> => {
  const { dashboard } = useDashboard()
  const pending = useQuery(() => Core.listApprovals({ status: "pending" }), [dashboard.actor?.id], { enabled: dashboard.actor !== undefined })
  return useMemo(
    () => new Map((pending.data ?? []).flatMap((a) => a.payload._tag === "user.delete" ? [[a.payload.user.id, a] as const] : [])),
    [pending.data]
  )
}
