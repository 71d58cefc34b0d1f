// tap.mjs — a minimal sequential test runner that prints TAP 13 for meson (protocol: 'tap').
// test(name, fn) registers; run() executes in order, prints "ok"/"not ok" with the error as a
// YAML-ish diagnostic, and exits 1 if any failed. skipAll(reason) prints "1..0 # SKIP reason".

const tests = [];

export function test(name, fn, { skip } = {}) {
  tests.push({ name, fn, skip });
}

export function skipAll(reason) {
  console.log('TAP version 13');
  console.log(`1..0 # SKIP ${reason}`);
  process.exit(0);
}

export async function run(setup, teardown) {
  console.log('TAP version 13');
  console.log(`1..${tests.length}`);
  let failed = 0;
  let ctx;
  try {
    ctx = setup ? await setup() : {};
  } catch (e) {
    tests.forEach((tc, i) => console.log(`not ok ${i + 1} - ${tc.name} # setup failed`));
    console.log(`# setup: ${(e && e.stack) || e}`.split('\n').join('\n# '));
    if (teardown) await teardown(undefined).catch(() => {});
    process.exit(1);
  }
  for (let i = 0; i < tests.length; i++) {
    const tc = tests[i];
    const skip = typeof tc.skip === 'function' ? tc.skip(ctx) : tc.skip;
    if (skip) {
      console.log(`ok ${i + 1} - ${tc.name} # SKIP ${skip}`);
      continue;
    }
    const t0 = Date.now();
    try {
      await tc.fn(ctx);
      console.log(`ok ${i + 1} - ${tc.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      console.log(`not ok ${i + 1} - ${tc.name}`);
      console.log(`# ${String((e && e.stack) || e).split('\n').join('\n# ')}`);
      if (ctx && ctx.onFailure) await ctx.onFailure(tc.name).catch(() => {});
    }
  }
  if (teardown) await teardown(ctx).catch((e) => console.log(`# teardown: ${e}`));
  process.exit(failed ? 1 : 0);
}
