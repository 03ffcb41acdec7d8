// Debian's Chromium driven by playwright-core: browsers cannot be downloaded here.
import { chromium } from 'playwright-core';

// args: more flags for one file's needs (the calls test's fake camera and microphone).
export function launchBrowser({ args = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.PA_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
  });
}

// Collects page errors, console errors and CSP violations for a test to assert on.
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return problems;
}
