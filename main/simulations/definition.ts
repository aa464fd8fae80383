// What a simulation is: a made-up customer with a goal and an opening message, and what must
// happen for it to pass. The runner that plays it comes with a later issue; this is the stored form.
import { z } from 'zod';

export const expectationSchema = z.looseObject({
  name: z.string().trim().min(1),
  /** e.g. `reaches-step`, `calls-action`, `hands-off`, `ends`, or `judge` for a plain-language check. */
  kind: z.string().trim().min(1).default('judge'),
  description: z.string().default(''),
});

export const simulationDefinitionSchema = z.strictObject({
  description: z.string().default(''),
  customer: z.strictObject({
    persona: z.string().trim().min(1, 'describe the simulated customer'),
    opening: z.string().trim().min(1, 'give the customer\'s first message'),
    facts: z.record(z.string(), z.unknown()).default({}),
  }),
  expectations: z.array(expectationSchema).default([]),
  /** Canned connector results by `connector.action`. */
  mocks: z.record(z.string(), z.unknown()).default({}),
});

export type SimulationDefinition = z.infer<typeof simulationDefinitionSchema>;
export type SimulationDefinitionInput = z.input<typeof simulationDefinitionSchema>;

export const runStatusSchema = z.enum(['running', 'passed', 'failed', 'error']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const resultSchema = z.strictObject({ expectation: z.string().min(1), passed: z.boolean(), detail: z.string().default('') });
export type SimulationResult = z.infer<typeof resultSchema>;
