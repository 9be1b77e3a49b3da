/**
 * One progress line for long-running commands: rewritten in place on a terminal, printed at
 * most every tenth of the way (and at the end) in CI logs.
 */
export function progressLine(prefix: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  return {
    update(done: number, total: number, detail = '') {
      const text = `${prefix} ${done}/${total}${detail ? ` ${detail}` : ''}`;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
        if (done === total) stream.write('\n');
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile !== lastDecile || done === total) {
        lastDecile = decile;
        stream.write(`${text}\n`);
      }
    },
  };
}
