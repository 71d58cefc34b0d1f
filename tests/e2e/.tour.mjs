import { makeWorld, uiLogin, nowRfc3339, unwrap } from './lib/world.mjs';
import { launch, newPage, checkAxe } from './lib/browser.mjs';
const w = await makeWorld();
const b = await launch();
try {
  const p = await newPage(b, w.url, { lang: 'en' });
  const client = w.server.addUser({ email: 'c@e2e.test', name: 'Cilla Client', role: 'client', password: 'correct-horse-battery' });
  await w.cwApi.post('/cases', { client_id: client.id, title: 'Old case' });
  const bk = unwrap(await w.cwApi.post('/bookings', { staff_id: w.cw.id, client_id: client.id, start: nowRfc3339(), duration_minutes: 30 }), 'booking');
  await uiLogin(p, 'karin@e2e.test');
  await p.goto(`/meet/${bk.id}`);
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.getByLabel("Choose one of the client's cases").waitFor();
  await checkAxe(p, 'case pick');
  await p.getByRole('button', { name: 'Use this case' }).click();
  await p.getByLabel('New note').fill('Hello note');
  await p.getByRole('button', { name: 'Save note' }).click();
  await p.locator('.note-body', { hasText: 'Hello note' }).waitFor();
  console.log(await p.locator('.case-panel').innerText());
  await checkAxe(p, 'case with note');
  console.log('problems', p.problems);
} finally { await b.close(); await w.server.stop(); }
