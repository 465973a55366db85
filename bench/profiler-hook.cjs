// Loaded with NODE_OPTIONS=--require by `BENCH_PROFILE=1 npm run bench` (--cpu-prof itself is not
// allowed in NODE_OPTIONS). SIGUSR2 starts a V8 CPU profile; the next SIGUSR2 writes it to
// $BENCH_PROFILE_DIR/<pid>-<n>.cpuprofile. Nothing happens without the signal.
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_PROFILE_DIR || '/tmp';
let session;
let count = 0;
process.on('SIGUSR2', () => {
  if (!session) {
    session = new Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
    return;
  }
  const current = session;
  session = undefined;
  current.post('Profiler.stop', (err, result) => {
    if (!err) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${require("node:path").basename(process.argv[1] ? require("node:path").dirname(require("node:path").dirname(process.argv[1])) : "node")}-${process.pid}-${++count}.cpuprofile`), JSON.stringify(result.profile));
    }
    current.disconnect();
  });
});
