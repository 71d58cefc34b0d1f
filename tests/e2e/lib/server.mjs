// server.mjs — starts the built samtal-server for one test file: a free loopback port, a fresh
// temporary data dir, --demo, --ice-address 127.0.0.1 and --web-dir <source>/web; waits for its
// "listening on http://" line; stop() sends SIGTERM (then SIGKILL after a grace period) and removes
// the data dir. Also a tiny JSON API client for setting up data as a program would (Bearer token).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const START_TIMEOUT_MS = 90000;
const STOP_GRACE_MS = 15000;
// GOption converts arguments from the locale's charset: make it UTF-8 (unit names have å, ä, ö).
// No leak report at exit: libsoup 3.2 leaks a GSocket per closed connection (see the core
// integration harness), which would only turn the exit status into noise here.
const ENV = { ...process.env, LC_ALL: 'C.UTF-8',
  ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ? process.env.ASAN_OPTIONS + ':' : ''}detect_leaks=0` };

export const sourceRoot = process.env.SAMTAL_SOURCE_ROOT || path.resolve(new URL('../../..', import.meta.url).pathname);
export const buildRoot = process.env.SAMTAL_BUILD_ROOT || path.join(sourceRoot, 'build');
export const serverBin = path.join(buildRoot, 'server', 'samtal-server');

export function serverMissing() {
  try {
    fs.accessSync(serverBin, fs.constants.X_OK);
    return null;
  } catch {
    return `samtal-server not built at ${serverBin}`;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samtal-e2e-'));
  const port = await freePort();
  const args = ['--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`,
    '--ice-address', '127.0.0.1', '--web-dir', path.join(sourceRoot, 'web')];
  const child = spawn(serverBin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${stderr}`)), START_TIMEOUT_MS);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${stderr}`)); });
  });
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
  // The server must not outlive this test (meson's timeout sends SIGTERM; a crash exits).
  const killChild = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  process.once('exit', killChild);
  for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => { killChild(); process.exit(1); });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    // For failure reports: whether it still runs, and the tail of its log.
    diag: () => `server ${alive() ? 'running' : `exited ${child.exitCode ?? child.signalCode}`}; stderr tail:\n${stderr.slice(-4000)}`,
    // Runs `samtal-server user add` against this server's data dir (password on stdin).
    addUser({ email, name, role, unit, password }) {
      const a = ['user', 'add', '--data-dir', dataDir, '--email', email, '--name', name, '--role', role];
      if (unit) a.push('--unit', unit);
      const r = spawnSync(serverBin, a, { input: password + '\n', encoding: 'utf8', timeout: 60000, env: ENV });
      if (r.status !== 0) throw new Error(`user add ${email} failed (${r.status}): ${r.stderr}`);
      const out = r.stdout.trim();
      const obj = JSON.parse(out.slice(out.indexOf('{')));
      return obj.user || obj;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        const r = await exited;
        clearTimeout(timer);
        fs.rmSync(dataDir, { recursive: true, force: true });
        return r;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      return { code: child.exitCode, sig: child.signalCode };
    },
  };
}

// A JSON API client for test set-up: api = apiClient(url); await api.login(email, pw); api.post(…)
export function apiClient(base) {
  let token = null;
  async function call(method, p, body) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    const res = await fetch(base + '/api/v1' + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    if (!res.ok) {
      const err = new Error(`${method} ${p} → ${res.status} ${text}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }
  return {
    async login(email, password) {
      const r = await call('POST', '/session', { email, password });
      token = r.token;
      return r.user;
    },
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b === undefined ? {} : b),
    del: (p) => call('DELETE', p),
  };
}

export function unwrap(ans, key) {
  if (ans && typeof ans === 'object' && !Array.isArray(ans) && ans[key] && typeof ans[key] === 'object') return ans[key];
  return ans;
}

export function unwrapList(ans, key) {
  if (Array.isArray(ans)) return ans;
  if (ans && Array.isArray(ans[key])) return ans[key];
  return [];
}
