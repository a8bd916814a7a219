import os from 'node:os';

/** What a figure was measured on, so anyone can compare or rerun it. */
export function machineLine(engine: string): string {
  const cpus = os.cpus();
  return [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
    `Node ${process.version}`,
    `${os.type()} ${os.release()}`,
    `load ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min, machine shared)`,
    `engine: ${engine}`,
    new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  ].join(' · ');
}
