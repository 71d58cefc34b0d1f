// browser.mjs — Debian's chromium through playwright-core, with fake camera and microphone, plus
// the checks every browser test wants: axe-core on a page (zero violations), no request to any
// origin other than the server's, no Content-Security-Policy violation and no uncaught page error.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const artifactsDir = path.resolve(new URL('../artifacts', import.meta.url).pathname);

export const CHROMIUM_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--no-sandbox', '--disable-background-networking', '--disable-gpu'];

export function chromiumMissing() {
  return fs.existsSync('/usr/bin/chromium') ? null : '/usr/bin/chromium not installed';
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60000 });
}

// A new page (own context = own cookies and sessionStorage) with the watchers attached.
// opts: {lang: 'en'|'sv', width, height}
export async function newPage(browser, base, opts = {}) {
  const context = await browser.newContext({
    viewport: { width: opts.width || 1024, height: opts.height || 800 },
    permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'],
    baseURL: base,
    locale: opts.lang === 'en' ? 'en-GB' : 'sv-SE',
    timezoneId: 'Europe/Stockholm',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeout || 20000);
  const origin = new URL(base).origin;
  const problems = [];
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    let o;
    try { o = new URL(u).origin; } catch { o = u; }
    const wsOrigin = origin.replace(/^http/, 'ws');
    if (o !== origin && o !== wsOrigin) problems.push(`request to another origin: ${u}`);
  });
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(origin.replace(/^http/, 'ws'))) problems.push(`websocket to another origin: ${ws.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(text)) problems.push(`CSP: ${text}`);
    if (/samtal: missing string/.test(text)) problems.push(text);
  });
  if (opts.lang) {
    await page.goto(`/?lang=${opts.lang}`);
    await page.waitForSelector('main h1');
  }
  page.problems = problems;
  page.context_ = context;
  return page;
}

// Throws if the page saw another origin, a CSP violation, a page error or a missing string.
export function assertClean(page) {
  if (page.problems.length) throw new Error(`page problems:\n  ${page.problems.join('\n  ')}`);
}

// Runs axe-core (WCAG 2.0/2.1 A and AA, and best practices) on the page; throws on any violation.
export async function checkAxe(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  if (result.length) {
    const text = result.map((v) => `${v.id} (${v.help})\n      ${v.nodes.join('\n      ')}`).join('\n    ');
    throw new Error(`axe violations on ${label}:\n    ${text}`);
  }
  return result;
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, name), fullPage: true });
}

// Waits until the page's main heading is shown (a route finished rendering).
export async function heading(page, text) {
  await page.getByRole('heading', { level: 1, name: text }).waitFor();
}

// Frames decoded by the video element matching selector: {width, frames, time}.
export async function videoStats(page, selector) {
  return page.evaluate((sel) => {
    const v = document.querySelector(sel);
    if (!v) return null;
    const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
    return { width: v.videoWidth, frames: q.totalVideoFrames, time: v.currentTime };
  }, selector);
}

// Waits until the video at selector has a size and its decoded frames and time advance.
export async function waitForVideo(page, selector, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let first = null;
  let last = null;
  while (Date.now() < deadline) {
    last = await videoStats(page, selector);
    if (last && last.width > 0 && last.frames > 0) {
      if (!first) first = last;
      else if (last.frames > first.frames + 5 && last.time > first.time) return last;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`video ${selector} did not play: first ${JSON.stringify(first)} last ${JSON.stringify(last)}`);
}
