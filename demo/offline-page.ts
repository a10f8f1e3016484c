import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

/** Debian's Chromium, which CI installs (`.ci/run`); playwright-core brings no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether {@link CHROMIUM} is installed. */
export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** What a page did besides rendering: requests that left it, and errors it reported. */
export interface PageLog {
  /** URLs requested other than the page itself. */
  readonly requests: string[];
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
}

/**
 * Opens the HTML file at `path` in headless Chromium with the network off (an offline context
 * that also aborts every request but the page's own) and hands the page to `use`.
 */
export async function withOfflinePage<T>(
  path: string,
  use: (page: Page, log: PageLog) => Promise<T>,
  viewport = { width: 1000, height: 800 },
): Promise<T> {
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const context = await browser.newContext({ offline: true, viewport });
    const url = pathToFileURL(path).href;
    const log: PageLog = { requests: [], errors: [] };
    await context.route('**/*', (route) =>
      route.request().url() === url ? route.continue() : route.abort('blockedbyclient'),
    );
    const page = await context.newPage();
    page.on('request', (request) => {
      if (request.url() !== url) log.requests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') log.errors.push(message.text());
    });
    page.on('pageerror', (error) => log.errors.push(error.message));
    await page.goto(url, { waitUntil: 'load' });
    return await use(page, log);
  } finally {
    await browser.close();
  }
}
