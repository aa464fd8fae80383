// What the authoring model is told about the Procedure language (docs/procedure-language.md is the
// full reference), and about the workspace it writes for: its connectors' actions, teams and
// other Procedures, so references in what it writes can resolve.
import type { Workspace } from '../store/workspace';
import { procedureFacts } from '../procedures/text';

export const LANGUAGE_GUIDE = `A Procedure is a Markdown document with YAML front matter, written the way support ops would train a new teammate.

Front matter (between two --- lines at the top):
- name: the Procedure's name (required).
- trigger: when it runs, in plain language (required unless sub_procedure: true).
- attributes: the typed values it collects or computes. Each is \`name: type\` or a mapping with type (string, number, boolean, date, enum, list, object), values (for enum, e.g. [refund, replacement]), description, required.
  Attribute names are identifiers: a letter or _, then letters, digits and _.
- escalation (optional): the team that takes the agent's escalations while this Procedure runs (escalation: Tier 2), or teams by reason under default (reasons: customer_asked_for_human, loop, no_progress, connector_failures, runaway, stuck, other). Only teams that exist in the workspace.

Body:
- Text before the first step is an overview. Each step starts with "## Title" at column 0.
- {attribute} reads an attribute; after the verb "collect" (collect {x}, collect their {x}) the step collects it. Every attribute used must be declared.
- @connector.action calls a connector action (only actions that exist in the workspace).
- [[Other Procedure]] runs another Procedure as a sub-procedure and comes back; [[#Step title]] links to a step of this Procedure ("Go back to [[#Check the code]].").
- @handoff Team name hands the conversation to a human team (optionally "@handoff Team: internal note"); @switch [[Procedure]] leaves for another Procedure; @tag label labels the conversation; @end completes the Procedure.
- A directive that begins a sentence is unconditional: nothing after it in the same list runs.
- A fenced block tagged python is a code step run by the runtime in a sandbox: it reads attributes["x"] and data["connector.action"] (connector results), calls today() and now(), and sets attributes by assignment (attributes["x"] = …). No imports other than datetime-style standard helpers the sandbox allows; no file or network access.
- Conditions: a line that is exactly "If <test>:" then its items two spaces deeper ("  - …"), then optional "Otherwise, if <test>:" and "Otherwise:" branches at the same level.
  A test that is exactly one backtick span is Python, evaluated by the runtime: If \`attributes["days"] <= 30\`:
  Any other test is plain language, decided by the agent: If the customer describes a safety hazard:
- A literal @, { or [ is written \\@, \\{ and \\[.

Example:
---
name: Damaged order claim
trigger: The customer says an item in their order arrived damaged.
attributes:
  order_number:
    type: string
    description: The order number from the confirmation email.
  preferred_resolution:
    type: enum
    values: [refund, replacement]
---

## Find the order
Ask for their order number and collect {order_number}. Look it up with @shop.get_order.

## Resolve
Ask whether they prefer a refund or a replacement, and collect {preferred_resolution}.
If \`attributes["preferred_resolution"] == "refund"\`:
  - Issue it with @payments.create_refund once they confirm.
Otherwise:
  - Create the replacement with @shop.create_replacement.
  - @end`;

/** The workspace as the author sees it: actions it may call, teams, and Procedures it may reference. */
export function workspaceBrief(workspace: Workspace, exclude?: string): string {
  const connectors = workspace.connectors.list();
  const actions = connectors.flatMap((connector) =>
    connector.actions.map((action) => {
      const properties = Object.keys((action.inputSchema.properties ?? {}) as Record<string, unknown>);
      return `- @${connector.name}.${action.name}: ${action.description}${properties.length > 0 ? ` (input: ${properties.join(', ')})` : ''}${action.confirm ? ' [needs the customer\'s agreement]' : ''}`;
    }),
  );
  const teams = workspace.teams.list().map((team) => `- ${team.name}${team.description ? `: ${team.description}` : ''}`);
  const procedures = workspace.procedures
    .list()
    .filter((record) => record.name !== exclude)
    .map((record) => {
      const facts = procedureFacts(record.draftText);
      return `- [[${record.name}]]${facts.subProcedure ? ' (sub-procedure)' : ''}`;
    });
  return [
    `Connector actions in this workspace (use no others):\n${actions.join('\n') || '(none)'}`,
    `Human teams for @handoff:\n${teams.join('\n') || '(any team name)'}`,
    `Other Procedures that can be called with [[…]]:\n${procedures.join('\n') || '(none)'}`,
  ].join('\n\n');
}
