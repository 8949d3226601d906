// The built-in test payment provider's tokenization endpoint, served on the gateway's HTTP server as a real
// provider's test mode serves its own: the storefront posts the card here (POST /test-payments/v1/tokens, JSON
// {number, expiryMonth, expiryYear, cvc, holderName}) and gets a single-use token for SubmitOrder's payment_token.
// It stands for the provider, not for the mesh: the card is checked and turned into a token here and goes no
// further (services/order/src/payment/test-tokens.ts keeps the outcome and last four digits, never the number or
// the CVC), and nothing of the request is logged. Errors answer like Connect's JSON errors, with the bad field
// ({"code": "invalid_argument", "message": "card.number: ...", "field": "card.number", "description": "..."}), so
// the storefront shows them at the field.
import type http from "node:http";
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { PaymentCardSchema } from "../../gen/shop/order/v1/order_pb.js";
import { validateCard } from "../../services/order/src/domain/card.js";
import type { TestTokenVault } from "../../services/order/src/payment/test-tokens.js";
import type { Logger } from "../../services/lib/log.js";

export const TEST_PAYMENTS_TOKENS_PATH = "/test-payments/v1/tokens";
/** A card is a few dozen bytes of JSON. */
const MAX_BODY_BYTES = 4096;

/** Handles the request when it is for the tokenization endpoint (returns true), else leaves it (false). */
export function testPaymentsEndpoint(vault: TestTokenVault, log: Logger): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  return (req, res) => {
    if ((req.url ?? "").split("?")[0] !== TEST_PAYMENTS_TOKENS_PATH) return false;
    if (req.method !== "POST") {
      answer(res, 405, { code: "unimplemented", message: "POST a card to create a payment token" }, { allow: "POST" });
      return true;
    }
    void tokenize(vault, req).then(
      (issued) => answer(res, 200, issued),
      (err) => {
        if (err instanceof ConnectError) {
          // validateCard's "card.number: must contain only digits": the field and what is wrong with it.
          const [, field = "card", description = err.rawMessage] = /^([\w.]+): (.*)$/s.exec(err.rawMessage) ?? [];
          return answer(res, 400, { code: "invalid_argument", message: err.rawMessage, field, description });
        }
        if (err instanceof BadRequest) return answer(res, err.status, { code: err.code, message: err.message });
        log.error({ err: (err as Error).message }, "test payments: tokenization failed");
        answer(res, 503, { code: "unavailable", message: "the payment provider is unavailable; retry shortly" });
      },
    );
    return true;
  };
}

class BadRequest extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function tokenize(vault: TestTokenVault, req: http.IncomingMessage) {
  if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
    throw new BadRequest(415, "invalid_argument", "send the card as application/json");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(413, "resource_exhausted", `a card is at most ${MAX_BODY_BYTES} bytes of JSON`);
    chunks.push(chunk as Buffer);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest(400, "invalid_argument", "the body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequest(400, "invalid_argument", "the body must be a JSON object");
  const str = (name: string) => (typeof body[name] === "string" ? body[name] as string : "");
  const int = (name: string) => (Number.isInteger(body[name]) ? body[name] as number : 0);
  // The same rules SubmitOrder applied to card fields, with the same field names in the messages.
  const card = validateCard(create(PaymentCardSchema, {
    number: str("number"), expiryMonth: int("expiryMonth"), expiryYear: int("expiryYear"), cvc: str("cvc"), holderName: str("holderName"),
  }));
  const issued = await vault.issue(card);
  return { token: issued.token, last4: issued.last4, expiresAt: issued.expiresAt.toISOString() };
}

function answer(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  // A token is a credential for one charge: no cache may keep it.
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers }).end(JSON.stringify(body));
}
