// Global setup/teardown run in jest's parent process, outside its module system: they import the
// compiled harness from dist/ (`npm test` builds first), via the package's "#testing" import map.
export async function loadHarness() {
  try {
    return await import('#testing');
  } catch (err) {
    throw new Error(`Cannot load the compiled test harness (dist/libs/testing). Run \`npm run build\` first.\n${err?.stack ?? err}`);
  }
}
