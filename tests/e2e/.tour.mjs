import { makeWorld, uiLogin, nowRfc3339, unwrap } from './lib/world.mjs';
import { launch, newPage, checkAxe } from './lib/browser.mjs';
const w = await makeWorld();
const b = await launch();
try {
  const p = await newPage(b, w.url, { width: 360, height: 740 });
  const shot = (n) => p.screenshot({ path: `/tmp/webshots/${n}.png`, fullPage: true });
  await p.goto('/'); await p.waitForSelector('main h1'); await shot('landing');
  const client = w.server.addUser({ email: 'c@e2e.test', name: 'Cilla Client', role: 'client', password: 'correct-horse-battery' });
  const kase = unwrap(await w.cwApi.post('/cases', { client_id: client.id, title: 'Ekonomiskt bistånd' }), 'case');
  const bk = unwrap(await w.cwApi.post('/bookings', { staff_id: w.cw.id, client_id: client.id, start: nowRfc3339(), duration_minutes: 30, case_id: kase.id }), 'booking');
  await uiLogin(p, 'karin@e2e.test'); await shot('today');
  await p.goto('/availability'); await p.waitForSelector('main h1'); await shot('availability');
  await p.goto(`/meet/${bk.id}`); await p.waitForSelector('video.preview'); await p.waitForTimeout(1500); await shot('meet-staff');
  await p.getByRole('button', { name: 'Anslut' }).click(); await p.waitForTimeout(3000); await shot('meet-staff-joined');
  await checkAxe(p, 'meet staff joined');
  console.log(p.problems);
} finally { await b.close(); await w.server.stop(); }
