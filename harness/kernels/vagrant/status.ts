/** One line of `vagrant ... --machine-readable`: timestamp,target,type,data... */
export interface MachineReadableLine {
  timestamp: number;
  target: string;
  type: string;
  data: string[];
}

/**
 * Parses Vagrant's machine-readable output. Commas inside a field are written `%!(VAGRANT_COMMA)`
 * and newlines as the two characters `\n`.
 */
export function parseMachineReadable(text: string): MachineReadableLine[] {
  const lines: MachineReadableLine[] = [];
  for (const raw of text.split('\n')) {
    const fields = raw.split(',');
    const [timestamp, target, type, ...data] = fields;
    if (type === undefined || target === undefined || !/^\d+$/.test(timestamp ?? '')) continue;
    lines.push({
      timestamp: Number(timestamp),
      target,
      type,
      data: data.map((d) => d.replaceAll('%!(VAGRANT_COMMA)', ',').replaceAll('\\n', '\n')),
    });
  }
  return lines;
}

/** A machine's state and provider, as `vagrant status --machine-readable` tells them. */
export interface MachineStatus {
  /** e.g. running, not_created, poweroff (VirtualBox), shutoff (libvirt), saved, aborted. */
  state: string;
  provider: string | undefined;
}

/** The status of `machine`, or undefined when the output does not name it. */
export function machineStatus(text: string, machine: string): MachineStatus | undefined {
  let state: string | undefined;
  let provider: string | undefined;
  for (const line of parseMachineReadable(text)) {
    if (line.target !== machine) continue;
    if (line.type === 'state') state = line.data[0];
    if (line.type === 'provider-name') provider = line.data[0];
  }
  return state === undefined ? undefined : { state, provider };
}

/** Why a machine-readable command failed (its `error-exit` line): "Class: message". */
export function machineError(text: string): string | undefined {
  const line = parseMachineReadable(text).find((l) => l.type === 'error-exit');
  if (line === undefined) return undefined;
  const [errorClass, message] = line.data;
  return message === undefined ? errorClass : `${errorClass ?? 'error'}: ${message}`;
}
