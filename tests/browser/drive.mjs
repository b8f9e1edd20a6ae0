// The browser the review page's tests drive: Debian's Chromium, headless, through
// playwright-core, with the DevTools Protocol's WebAuthn virtual authenticator standing in for
// the approver's phone. One JSON request per line on stdin, one JSON answer per line on
// stdout, so a Rust test (tests/support/browser.rs) runs the browser step by step against a
// real `postgate` server. Nothing here checks anything: the tests do.
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(process.env.POSTGATE_PLAYWRIGHT_DIR + '/node_modules/');
const { chromium } = require('playwright-core');

// The flags that run Chromium here, headless, with no network beyond what the test opens.
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TIMEOUT = 20000;

const browser = await chromium.launch({
  executablePath: process.env.POSTGATE_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: FLAGS,
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(TIMEOUT);
const cdp = await context.newCDPSession(page);
await cdp.send('WebAuthn.enable');
const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
  options: {
    protocol: 'ctap2',
    transport: 'internal',
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    automaticPresenceSimulation: true,
  },
});
const messages = [];
page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));

const ops = {
  async goto({ url }) {
    const answer = await page.goto(url);
    return { status: answer.status(), title: await page.title() };
  },
  async click({ selector }) {
    await page.click(selector);
    return {};
  },
  async fill({ selector, text }) {
    await page.fill(selector, text);
    return {};
  },
  // Waits (Playwright polls, up to TIMEOUT) until the element's text holds `contains`.
  async waitText({ selector, contains }) {
    await page.waitForFunction(
      ([s, c]) => (document.querySelector(s)?.textContent || '').includes(c),
      [selector, contains],
      { timeout: TIMEOUT },
    );
    return { text: await page.textContent(selector) };
  },
  async text({ selector }) {
    return { text: await page.textContent(selector) };
  },
  async html() {
    return { html: await page.content() };
  },
  async viewport({ width, height }) {
    await page.setViewportSize({ width, height });
    return {};
  },
  async screenshot({ path, fullPage }) {
    await page.screenshot({ path, fullPage: Boolean(fullPage) });
    return {};
  },
  // A request made by the page's own origin, as a script injected into it would.
  async fetch({ url, method, headers, body }) {
    return page.evaluate(async ([u, m, h, b]) => {
      const r = await fetch(u, { method: m, headers: h, body: b });
      return { status: r.status, body: await r.text() };
    }, [url, method, headers, body]);
  },
  async eval({ expression }) {
    return { value: await page.evaluate(expression) };
  },
  async box({ selector }) {
    return { box: await page.locator(selector).boundingBox() };
  },
  async credentials() {
    return cdp.send('WebAuthn.getCredentials', { authenticatorId });
  },
  async userVerified({ value }) {
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: value });
    return {};
  },
  async console() {
    return { messages };
  },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.op === 'close') break;
    const op = ops[request.op];
    answer = op ? await op(request) : { error: `no op ${request.op}` };
  } catch (e) {
    answer = { error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await browser.close();
// stdin stays open until the test drops its end; nothing more is read from it.
process.exit(0);
