export { VagrantKernel, type VagrantKernelOptions } from './kernel.js';
export { findVagrant, VAGRANT_INSTALL_HINT } from './locate.js';
export { GUEST_PROJECT_ROOT } from './paths.js';
export { shCommand, shQuote } from './quote.js';
