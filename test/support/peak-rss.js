// Preloaded (-r) into a child process by test/cli/large-files.test.ts: at exit, writes the
// process's peak resident set size (KiB, from getrusage) to standard error as `peak-rss=N`.
const process = require('node:process');
const fs = require('node:fs');

process.on('exit', () => {
  fs.writeSync(2, `peak-rss=${process.resourceUsage().maxRSS}\n`);
});
