import { makeWorld, uiLogin, nowRfc3339, unwrap } from './lib/world.mjs';
import { launch, newPage, videoStats } from './lib/browser.mjs';
const w = await makeWorld();
const b = await launch();
try {
  const client = w.server.addUser({ email: 'c@e2e.test', name: 'Cilla Client', role: 'client', password: 'correct-horse-battery' });
  const bk = unwrap(await w.cwApi.post('/bookings', { staff_id: w.cw.id, client_id: client.id, start: nowRfc3339(), duration_minutes: 30 }), 'booking');
  const pages = {};
  for (const [who, email] of [['C', 'c@e2e.test'], ['S', 'karin@e2e.test']]) {
    const p = await newPage(b, w.url, { lang: 'en' });
    p.on('console', (m) => console.log(who, m.type(), m.text().slice(0, 6000)));
    await p.evaluate(() => localStorage.setItem('samtal.debug', '1'));
    await uiLogin(p, email);
    await p.goto(`/meet/${bk.id}`);
    await p.getByRole('button', { name: 'Join', exact: true }).click();
    pages[who] = p;
  }
  await pages.S.getByRole('button', { name: 'Admit', exact: true }).click();
  await pages.S.waitForTimeout(12000);
  for (const who of ['C', 'S']) {
    console.log(who, await pages[who].evaluate(() => [...document.querySelectorAll('.remotes .tile')].map((t) => t.dataset.participantId)));
    console.log(who, await videoStats(pages[who], '.remotes video'));
  }
} finally { await b.close(); const r = await w.server.stop(); console.log(w.server.stderr().slice(-3000)); }
