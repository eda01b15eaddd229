import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../../errors.js';

/** What to do when vagrant is missing, for the error's hint. */
export const VAGRANT_INSTALL_HINT =
  'apt-get update && apt-get install -y vagrant; Vagrant also needs a provider: libvirt ' +
  '(apt-get install -y vagrant-libvirt libvirt-daemon-system, with /dev/kvm) or VirtualBox. ' +
  'Without a hypervisor, use --kernel uml or --kernel qemu.';

/**
 * The absolute path of the `vagrant` program on `pathEnv` (a PATH value), or an EnvironmentError
 * that says how to install it. Looks at the file system only: starting vagrant costs seconds.
 */
export function findVagrant(pathEnv: string | undefined = process.env.PATH): string {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'vagrant');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: keep looking.
    }
  }
  throw new EnvironmentError(
    `--kernel vagrant needs vagrant, which is not installed (not found on PATH=${pathEnv ?? ''})`,
    { hint: VAGRANT_INSTALL_HINT },
  );
}
