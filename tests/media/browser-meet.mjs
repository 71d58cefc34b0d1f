// browser-meet.mjs — drives headless Chromium (Debian's /usr/bin/chromium, fake camera) through
// playwright-core to the media test page and waits until the page decoded --frames video frames
// from --expect participant ids (comma separated). Prints one JSON line with the page's results;
// exit 0 when reached, 1 on timeout or error. Usage:
//   node browser-meet.mjs --url URL [--frames N] [--expect u7,u12] [--timeout S] [--linger S]
//                         [--consent S]
// After reaching the goal it stays --linger seconds (default 5) before leaving. With --consent it
// first waits up to S seconds until the browser's connectivity checks on the selected ICE pair
// that it sent after the goal (pings, consent checks) were answered: by then the relay reads its
// socket itself (relay/README.md), so its own STUN answers are what keeps the browser connected.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');

function option(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const url = option('url');
const frames = Number(option('frames', '60'));
const expect = (option('expect', '') || '').split(',').filter((s) => s.length > 0);
const timeoutMs = Number(option('timeout', '90')) * 1000;

function reached(result) {
  if (!result || result.framesDecoded < frames) return false;
  return expect.every((id) => (result.byParticipant[id] || 0) >= frames);
}

// A negotiation error cannot heal: stop waiting at once.
function fatal(result) {
  return !!result && (result.errors || []).some((e) => /setRemoteDescription|setLocalDescription|createAnswer|getUserMedia/.test(e));
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
           '--allow-loopback-in-peer-connection', '--no-sandbox',
           '--disable-background-networking', '--disable-gpu'],
  });
  let result = null;
  let ok = false;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => process.stderr.write('page: ' + m.text() + '\n'));
    page.on('pageerror', (e) => process.stderr.write('page error: ' + e + '\n'));
    await page.goto(url);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      result = await page.evaluate(() => window.samtalTest);
      if (reached(result) || (result && result.state === 'refused') || fatal(result)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    ok = reached(result);
    const consentS = Number(option('consent', '0'));
    if (ok && consentS > 0) {
      const start = (await page.evaluate(() => window.samtalTest)).pair;
      let answered = false;
      const until = Date.now() + consentS * 1000;
      while (start && Date.now() < until && !answered) {
        await new Promise((r) => setTimeout(r, 250));
        const now = (await page.evaluate(() => window.samtalTest)).pair;
        answered = !!now && now.id === start.id && now.requestsSent > start.requestsSent &&
          now.responsesReceived > start.responsesReceived && now.state === 'succeeded';
      }
      result = await page.evaluate(() => window.samtalTest);
      result.consentAnswered = answered;
      ok = answered;
    }
    // Stay a little longer, like samtal-client does, so the other side can finish counting ours.
    if (ok) await new Promise((r) => setTimeout(r, Number(option('linger', '5')) * 1000));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ ok, ...(result || {}) }) + '\n');
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
