import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

// playwright-core brings no browser of its own (its download needs a CDN): Spotlab drives the
// system's Chromium. Debian's package installs /usr/bin/chromium, Homebrew's cask an app bundle.
const MACOS_CHROMIUM = '/Applications/Chromium.app/Contents/MacOS/Chromium';

/**
 * Path of the Chromium to drive: `$CHROMIUM_PATH` when set, else `chromium` on the `PATH`, else
 * the macOS app bundle; `undefined` when none is installed.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'chromium'))
    .find((candidate) => existsSync(candidate));
  return onPath ?? (existsSync(MACOS_CHROMIUM) ? MACOS_CHROMIUM : undefined);
}

/** Raised when no Chromium is installed; the message says how to install one. */
export class ChromiumMissingError extends Error {
  constructor() {
    super(
      'Chromium is not installed. Debian: apt-get install -y chromium; macOS: brew install --cask chromium; ' +
        'or set CHROMIUM_PATH to a Chromium binary.',
    );
    this.name = 'ChromiumMissingError';
  }
}

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
  const executablePath = findChromium();
  if (executablePath === undefined) throw new ChromiumMissingError();
  const browser = await chromium.launch({ executablePath });
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
