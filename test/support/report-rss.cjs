// Preloaded with `node -r` into a child process under test: prints its peak resident set size at exit.
// VmHWM (/proc/self/status) is the high-water mark of this process's own memory. getrusage's maxRSS is not:
// Linux carries it over from before exec, so a child spawned by a big parent (a jest worker) reports the
// parent's size as its own.
const fs = require('fs');
process.on('exit', () => {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  process.stderr.write(`peak-rss-kib ${hwm ? hwm[1] : process.resourceUsage().maxRSS}\n`);
});
