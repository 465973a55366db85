/** Terminal output of `npm start`: colours only on a TTY, service logs compacted there, raw JSON otherwise. */
const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);

export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

const serviceColours: Record<string, (t: string) => string> = {
  gateway: paint(35),
  auth: paint(34),
  mfa: paint(32),
  accounts: paint(33),
  nats: paint(36),
};

export function info(message: string): void {
  process.stdout.write(`${cyan('twofold')} ${message}\n`);
}
export function warn(message: string): void {
  process.stderr.write(`${yellow('twofold')} ${yellow(message)}\n`);
}
export function fail(message: string): void {
  process.stderr.write(`${red('twofold')} ${red(message)}\n`);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const QUIET_KEYS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** Formats one line a service printed: on a TTY a pino JSON line becomes `12:00:01 INFO msg {rest}`. */
export function serviceLine(service: string, line: string): string {
  const label = (serviceColours[service] ?? ((t: string) => t))(service.padEnd(8));
  if (!tty || !line.startsWith('{')) return `${label} │ ${line}`;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? '');
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
    const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !QUIET_KEYS.has(key)));
    const levelText = Number(entry.level) >= 50 ? red(level.padEnd(5)) : Number(entry.level) >= 40 ? yellow(level.padEnd(5)) : dim(level.padEnd(5));
    const extra = Object.keys(rest).length ? ` ${dim(JSON.stringify(rest))}` : '';
    return `${label} │ ${dim(time)} ${levelText} ${String(entry.msg ?? '')}${extra}`;
  } catch {
    return `${label} │ ${line}`;
  }
}
