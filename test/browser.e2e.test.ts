// The storefront in a real browser: Debian's Chromium driven by playwright-core, against the whole mesh
// started in-process. Journey 1 (desktop): register, search (autocomplete), open the item, add to cart,
// check out (countdown visible), pay with the test card, see the order; a warehouse user ships it and the
// customer's open order page turns SHIPPED without a reload. Journey 2 (phone): the last unit is bought by
// someone else while it sits in the cart, and checkout shows the out-of-stock alert. Journey 3: a lapsed access
// token is renewed with the refresh token, and Sign out revokes it on the server.
// Screenshots of every step go to test-output/browser/.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { Code, ConnectError } from "@connectrpc/connect";
import { IdentityService } from "../gen/shop/identity/v1/identity_pb.js";
import { CHROMIUM_PATH } from "../deploy/infra/packages.js";
import { SearchService } from "../gen/shop/search/v1/search_pb.js";
import { eventually } from "./harness.js";
import { PASSWORD, startShop, type Shop } from "./shop-fixture.js";

const OUT = path.resolve("test-output/browser");
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 860 } };

describe("storefront in Chromium (browser journeys)", function () {
  this.timeout(240_000);
  let shop: Shop;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];

  async function context(opts: typeof DESKTOP | typeof PHONE): Promise<Page> {
    const ctx = await browser.newContext({ ...opts, baseURL: shop.url, locale: "en-US", timezoneId: "America/Chicago" });
    contexts.push(ctx);
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    page.on("console", (msg) => { if (msg.type() === "error" && !/ERR_NAME_NOT_RESOLVED|images\.shop-mesh\.dev/.test(msg.text())) consoleErrors.push(msg.text()); });
    page.on("pageerror", (err) => consoleErrors.push(err.message));
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    // From the top: a full-page capture of a scrolled page would draw sticky parts (the countdown) mid-page.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  }

  before(async function () {
    // test/global-setup.ts installs it (ensureBrowser) or stops the run naming the command
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with 'apt-get install -y chromium' (or set CHROMIUM_PATH)`);
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const [started, launched] = await Promise.all([
      startShop({ seedItems: 120, warehouses: 2 }),
      chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
          "--no-first-run", "--disable-sync", "--disable-extensions", "--host-resolver-rules=MAP images.shop-mesh.dev ~NOTFOUND"],
      }),
    ]);
    shop = started;
    browser = launched;
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await shop?.stop();
  });

  afterEach(function () {
    expect(consoleErrors, "errors in the browser console").to.deep.equal([]);
  });

  /** Waits until search has indexed an item (the read model follows catalog and stock events). */
  async function searchable(name: string): Promise<void> {
    await eventually(async () => {
      const res = await shop.client(SearchService).getItemCatalog({ query: name });
      return res.items.some((i) => i.name === name && i.stockLeft > 0);
    }, 20_000, `search finds ${name}`);
  }

  it("registers, searches, buys with the test card, and sees the order ship live", async () => {
    const lamp = await shop.newItem({ name: "Aurora Desk Lamp", brand: "Lumen", priceCents: 4999, stock: [[0, 3]],
      description: "A warm, dimmable desk lamp with a weighted base." });
    await searchable(lamp.name);
    const page = await context(DESKTOP);

    await page.goto("/");
    await page.getByRole("heading", { level: 1 }).waitFor();
    await shot(page, "01-home");

    await page.getByRole("link", { name: "Create account" }).click();
    await page.getByLabel("Your name").fill("Ada Shopper");
    const email = `ada-${Date.now()}@example.com`;
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await shot(page, "02-register");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Hi, Ada Shopper").waitFor();

    const box = page.getByRole("combobox", { name: "Search the shop" });
    await box.click();
    await box.pressSequentially("Auro", { delay: 40 });
    await page.getByRole("option", { name: /Aurora Desk Lamp/ }).first().waitFor();
    await shot(page, "03-autocomplete");
    await box.fill("aurora lamp");
    await box.press("Enter");
    // Found by its link: the suite's other shops share one NATS, and their items may show up in this index too.
    const card = page.locator(`.card:has(a[href="/item/${lamp.id}"])`);
    await card.waitFor();
    expect(await card.locator(".badge").textContent()).to.equal("Only 3 left");
    await shot(page, "04-results");

    await card.getByRole("link").click();
    await page.getByRole("heading", { name: "Aurora Desk Lamp" }).waitFor();
    // Cannot ask for more than is left.
    expect(await page.getByLabel("Quantity").getAttribute("max")).to.equal("3");
    await page.getByLabel("Quantity").fill("2");
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.locator("main").getByText("Added 2 × Aurora Desk Lamp to your cart.").waitFor();
    await shot(page, "05-item-added");

    await page.getByRole("link", { name: /^Cart/ }).click();
    await page.getByRole("heading", { name: "Your cart" }).waitFor();
    await page.getByText("Subtotal (2 items)").waitFor();
    await shot(page, "06-cart");

    await page.getByRole("button", { name: "Proceed to checkout" }).click();
    const timer = page.getByRole("timer");
    await timer.waitFor();
    const shown = await timer.locator(".countdown-time").textContent();
    expect(shown).to.match(/^(10:00|9:[0-5]\d)$/);
    await page.getByLabel("Full name").fill("Ada Shopper");
    await page.getByLabel("Address", { exact: true }).fill("100 Main St");
    await page.getByLabel("City").fill("Minneapolis");
    await page.getByLabel("State").fill("MN");
    await page.getByLabel("ZIP code").fill("55401");
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry month").selectOption("12");
    await page.getByLabel("Expiry year").selectOption(String(new Date().getFullYear() + 2));
    await page.getByLabel("Security code (CVC)").fill("123");
    await page.getByLabel("Name on card").fill("Ada Shopper");
    await shot(page, "07-checkout-countdown");
    // The countdown really counts.
    await eventually(async () => (await timer.locator(".countdown-time").textContent()) !== shown, 5000, "countdown ticks");

    // A mistyped card number: the order service refuses it, and the form marks the field its BadRequest detail names.
    const cardNumber = page.getByLabel("Card number");
    await cardNumber.fill("4242 4242 4242 4241");
    await page.getByRole("button", { name: /^Place order/ }).click();
    await page.locator('[data-field="card.number"][aria-invalid="true"]').waitFor();
    const cardError = await page.locator(`#${await cardNumber.getAttribute("id")}-error`).textContent();
    expect(cardError).to.equal("Card number is not a valid card number (please check the digits).");
    await shot(page, "07b-checkout-card-refused");
    // Chromium logs every 4xx answer in the console; this one (the refused card) is the step's point, no other is.
    const refusal = await eventually(async () => consoleErrors.find((e) => /status of 400 \(Bad Request\)/.test(e)), 5000, "the 400 logged");
    consoleErrors.splice(consoleErrors.indexOf(refusal), 1);
    await cardNumber.fill("4242 4242 4242 4242");

    await page.getByRole("button", { name: /^Place order/ }).click();
    await page.getByText("Thank you! Your order is placed.").waitFor();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?placed=1$/);
    const orderId = /\/orders\/([0-9a-f-]{36})/.exec(page.url())![1];
    await page.locator(".shipment").waitFor(); // assigned to a warehouse, shown live
    await shot(page, "08-order-confirmation");
    // Marks this document: if the page reloads, the mark is gone.
    await page.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true; });

    // The warehouse user ships it from their own browser.
    const wh = await context(DESKTOP);
    await wh.goto("/signin");
    await wh.getByLabel("Email").fill(shop.warehouseUser.email);
    await wh.getByLabel("Password").fill(PASSWORD);
    await wh.getByRole("button", { name: "Sign in" }).click();
    await wh.getByRole("heading", { name: "Warehouse orders" }).waitFor();
    const order = wh.locator(`.wh-order[data-order-id="${orderId}"]`);
    await order.waitFor();
    await shot(wh, "09-warehouse-orders");
    await order.getByRole("button", { name: "Mark picked" }).click();
    await order.getByRole("button", { name: "Mark packed" }).click();
    await order.getByLabel("Tracking number").fill("1Z999AA10123456784");
    await shot(wh, "10-warehouse-shipping");
    await order.getByRole("button", { name: "Mark shipped" }).click();
    await wh.getByText(/Nothing to do right now/).waitFor();

    // The customer's page shows it without a reload.
    await page.locator('[data-status="SHIPPED"]').waitFor({ timeout: 20_000 });
    await page.getByText("1Z999AA10123456784").waitFor();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).to.equal(true);
    await shot(page, "11-order-shipped-live");
  });

  it("on a phone, shows which items ran out when checkout begins", async () => {
    const lamp = await shop.newItem({ name: "Solo Reading Lamp", brand: "Lumen", priceCents: 2599, stock: [[1, 1]] });
    await searchable(lamp.name);
    const page = await context(PHONE);
    await page.goto("/register");
    await page.getByLabel("Your name").fill("Bo Phone");
    await page.getByLabel("Email").fill(`bo-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Hi, Bo Phone").waitFor();
    await shot(page, "20-phone-home");

    await page.getByRole("combobox", { name: "Search the shop" }).fill("solo reading");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    const card = page.locator(`.card:has(a[href="/item/${lamp.id}"])`);
    await card.waitFor();
    expect(await card.locator(".badge").textContent()).to.equal("Only 1 left");
    await shot(page, "21-phone-results");
    await card.getByRole("link").click();
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.locator("main").getByText("Added 1 × Solo Reading Lamp to your cart.").waitFor();
    await shot(page, "22-phone-item");

    await page.getByRole("link", { name: /^Cart/ }).click();
    await page.getByRole("heading", { name: "Your cart" }).waitFor();
    await shot(page, "23-phone-cart");

    // Someone else buys the last one while this shopper looks at the cart.
    await shop.placeOrder(await shop.newCustomer("Quick Buyer"), [[lamp.id, 1]]);

    await page.getByRole("button", { name: "Proceed to checkout" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "no longer available" });
    await alert.waitFor();
    expect(await alert.textContent()).to.contain("Solo Reading Lamp: out of stock (you wanted 1)");
    await shot(page, "24-phone-out-of-stock-alert");

    // Keyboard only: the alert's first action is reachable and usable.
    await page.getByRole("button", { name: "Update my cart to what's available" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("main").getByText("Your cart is empty now.").waitFor();
    await shot(page, "25-phone-cart-fixed");
  });

  it("renews a lapsing session without signing the shopper out, and Sign out ends it on the server too", async () => {
    const customer = await shop.newCustomer("Rene Renew");
    const page = await context(DESKTOP);
    await page.goto("/signin");
    await page.getByLabel("Email").fill(customer.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Hi, Rene Renew").waitFor();
    type Stored = { token: string; expiresAt: number; refreshToken: string };
    const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem("shop.session") ?? "null") as Stored | null);

    // The access token has lapsed (as after a quarter of an hour away); the refresh token has not.
    const lapsed = await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem("shop.session")!);
      s.expiresAt = Date.now() - 1000;
      localStorage.setItem("shop.session", JSON.stringify(s));
      return s as Stored;
    });
    expect(lapsed.refreshToken).to.be.a("string");
    await page.goto("/orders");
    await page.getByRole("heading", { name: "Your orders" }).waitFor();
    // The orders page's first call renewed the session before it left.
    await page.waitForFunction((old) => JSON.parse(localStorage.getItem("shop.session") ?? "null")?.token !== old, lapsed.token, { timeout: 30_000 });
    await page.getByText("You haven't ordered anything yet").or(page.locator(".order-row")).first().waitFor();
    await page.getByText("Hi, Rene Renew").waitFor();
    const renewed = (await stored())!;
    expect(renewed.token).not.to.equal(lapsed.token);
    expect(renewed.refreshToken).not.to.equal(lapsed.refreshToken);
    expect(renewed.expiresAt).to.be.above(Date.now() + 60_000);
    await shot(page, "30-session-renewed");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    expect(await stored()).to.equal(null);
    // Signed out on the server: the refresh token the page held is refused.
    const err = await shop.client(IdentityService).refresh({ refreshToken: renewed.refreshToken }).then(() => undefined, (e: unknown) => e);
    expect(ConnectError.from(err).code).to.equal(Code.Unauthenticated);
  });
});
