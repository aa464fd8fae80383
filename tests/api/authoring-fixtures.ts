// The Procedure the fake author model drafts in the "Draft a Procedure" tests (tests/api/authoring.test.ts,
// tests/e2e/simulations.test.ts): valid in the example workspace, and named nothing it has.
export const LOST_PARCEL_DRAFT = `---
name: Lost parcel
trigger: The customer says their parcel never arrived.
attributes:
  order_number:
    type: string
    description: The order number from the confirmation email.
---

## Find the order
Ask for the order number and collect {order_number}.

## Send it again
Say sorry, and tell the customer a new parcel goes out today. @end
`;
