// Preloaded with `node --require` by test/cli.spec.ts: at exit, says whether the process loaded
// Playwright, so that a test can tell a command's start-up stays light.
process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]playwright(-core)?[\\/]/.test(file));
  process.stderr.write(`\nplaywright loaded: ${loaded}\n`);
});
