// Preloaded with `node -r` into a child process under test: prints its peak resident set size at exit.
process.on('exit', () => {
  process.stderr.write(`peak-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
