// What a coordinator tells the person who started it, on standard error: a progress bar across all
// workers on a terminal, and always the chunks that failed for good, the workers that refused the
// run and a closing summary (standard output carries only what the single-machine command prints).
import type { Poison, QueueEvent, QueueProgress } from './coordinator.js';

const n = (x: number) => Math.round(x).toLocaleString('en');

export function queueReporter(command: string, out: NodeJS.WriteStream): (e: QueueEvent) => void {
  const tty = out.isTTY === true;
  let last = 0;
  let drawn = false;
  const line = (text: string) => {
    out.write(`${drawn ? '\r\x1b[K' : ''}${text}\n`);
    drawn = false;
  };
  return (e) => {
    if (e.kind === 'progress') {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      out.write(`\r${progressText(command, e.progress)}\x1b[K`);
      drawn = true;
    } else if (e.kind === 'poison') line(poisonText(command, e.poison));
    else if (e.kind === 'refused') line(`yakkan ${command}: worker ${e.worker} refused the run: ${e.why}`);
    else {
      const s = e.summary;
      const resumed = s.resumedChunks ? ` (${s.resumedChunks} decided before a restart)` : '';
      const workers = `${s.workersSeen} worker${s.workersSeen === 1 ? '' : 's'}`;
      line(
        `yakkan ${command}: ${s.chunks} chunks on ${workers}${resumed}, ` +
          `${s.completedTwice} decided twice, ${s.poison} failed on every attempt`,
      );
    }
  };
}

// `diff [########----------------] 42% 21/~50 chunks, 3 workers, 42,000 cases, 9,800/s, 12 s left`
export function progressText(command: string, p: QueueProgress): string {
  const share = p.bytesTotal ? p.bytesDone / p.bytesTotal : undefined;
  const width = 24;
  const filled = Math.round(Math.min(1, share ?? 0) * width);
  const total = share !== undefined && p.chunksDone > 0 ? `/~${n((p.bytesTotal! * p.chunksDone) / p.bytesDone)}` : '';
  const rate = p.seconds > 0 ? (p.cases - p.resumedCases) / p.seconds : 0;
  const byteRate = p.seconds > 0 ? (p.bytesDone - p.resumedBytes) / p.seconds : 0;
  const left = share !== undefined && share < 1 && byteRate > 0 ? (p.bytesTotal! - p.bytesDone) / byteRate : undefined;
  const eta =
    left === undefined ? '' : left >= 90 ? `, ${Math.round(left / 60)} min left` : `, ${Math.ceil(left)} s left`;
  const pct = share === undefined ? '' : ` ${String(Math.floor(share * 100)).padStart(3)}%`;
  return (
    `${command} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${pct} ${n(p.chunksDone)}${total} chunks, ` +
    `${p.workers} worker${p.workers === 1 ? '' : 's'}, ${n(p.cases)} cases, ${n(rate)}/s${eta}`
  );
}

// The chunk's place in the corpus and its first input lines (all of them are in the corpus at
// those line numbers).
export function poisonText(command: string, p: Poison): string {
  const where = p.lines ? `lines ${p.lines[0]}–${p.lines[1]}` : `chunk ${p.seq + 1}`;
  const shown = p.input.slice(0, 3).map((l, i) => {
    const no = p.lines ? `line ${p.lines[0] + i}` : `#${i + 1}`;
    return `  ${no}: ${l.length > 160 ? `${l.slice(0, 160)}…` : l}`;
  });
  const more = p.input.length > 3 ? [`  … ${p.input.length - 3} more line${p.input.length === 4 ? '' : 's'}`] : [];
  return [
    `yakkan ${command}: ${where} failed on every attempt (${p.attempts}), left out of the result: ${p.why}`,
    ...shown,
    ...more,
  ].join('\n');
}
