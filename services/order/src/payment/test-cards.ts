// The test provider's card numbers and what each does, decided when a card is charged or tokenized.

/** Test card numbers (proto PaymentCard, README). Any other Luhn-valid number approves. */
export const TEST_CARDS = {
  approve: "4242424242424242",
  decline: "4000000000000002",
  providerError: "4000000000000119",
} as const;

export type TestDecision = "approve" | "decline" | "provider_error";

export function testCardDecision(cardNumber: string): TestDecision {
  if (cardNumber === TEST_CARDS.decline) return "decline";
  if (cardNumber === TEST_CARDS.providerError) return "provider_error";
  return "approve";
}
