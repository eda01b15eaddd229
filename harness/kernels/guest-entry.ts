import { builtModulePath, projectRoot } from '../project.js';

export { projectRoot };

/**
 * The compiled guest entry (`dist/harness/kernels/guest-main.js`), which the guest runs with the
 * host's node. Raises if it is not built or older than its sources.
 */
export function guestEntryPath(root = projectRoot()): string {
  return builtModulePath(['harness/kernels/guest-main', 'harness/kernels/guest-protocol'], root);
}
