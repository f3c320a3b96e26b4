import * as Core from "@usher/core"
import { Box, Text } from "ink"
import { settled, optional } from "../actions/forms.js"
import { Form } from "../components/Form.js"
import { fit, wrap } from "../components/layout.js"
import type { Acting } from "../runtime/Dashboard.js"
import { useDashboard } from "../runtime/context.js"

/**
 * First run: the directory is empty, so the dashboard asks for the first organization and its
 * provider admin (the same use case as `usher init`) and then acts as that admin. Esc does not
 * leave it (what was typed would be lost) and q is typed like any letter: ctrl+c quits.
 */
export const SetupScreen = ({ width, height, onDone }: {
  readonly width: number
  readonly height: number
  readonly onDone: (acting: Acting) => void
}) => {
  const { dashboard } = useDashboard()
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold>{fit("Welcome to usher: this directory is empty.", width)}</Text>
      {wrap("Create the first organization and its provider admin (the account you will act as).", width).map((l) => <Text key={l}>{l}</Text>)}
      <Form
        width={Math.min(width, 78)}
        onClose={() => undefined}
        cancellable={false}
        form={{
          title: "Set up the directory",
          fields: [
            { name: "email", label: "Admin e-mail" },
            { name: "firstName", label: "First name", initial: "Provider" },
            { name: "lastName", label: "Last name", initial: "Admin" },
            { name: "org", label: "Organization", hint: "slug; empty: from the e-mail's domain" },
            { name: "orgName", label: "Org name", hint: "optional" }
          ],
          submitLabel: "set up",
          submit: async (v) => {
            const outcome = await dashboard.runAsSystem(Core.init({
              adminEmail: v["email"] ?? "",
              ...optional("firstName", v["firstName"]),
              ...optional("lastName", v["lastName"]),
              ...optional("org", v["org"]),
              ...optional("orgName", v["orgName"])
            }))
            return settled(outcome, (done) => {
              onDone({ id: done.admin.id, email: done.admin.email })
              return { ok: true, message: `Set up ${done.org.slug}; you act as ${done.admin.email}.` }
            })
          }
        }}
      />
    </Box>
  )
}
