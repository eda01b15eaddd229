/**
 * Builds the image's filesystem without Docker, from the Dockerfile's own steps, then runs the
 * entrypoint in it the way `docker run --privileged` would. No Docker engine runs on this
 * project's machines; this is the closest check they allow. As root:
 *
 *   npx tsx docker/check-build.ts [--keep] [--fresh] [--work DIR]
 *   npx tsx docker/check-build.ts --clean      # removes DIR, the cached base image included
 *
 * Each stage starts from a stand-in for its base image (base-image.ts, cached after the first
 * run) or from an earlier stage, and its RUN, COPY, WORKDIR and ENV steps run in order in a
 * chroot, each RUN in its own PID namespace with the mounts a build container gets. COPY takes
 * the build context less .dockerignore. Then, in the last stage's root, in a new PID and network
 * namespace with a host folder bound on each VOLUME: `doctor` (the CMD), a scenario under
 * --kernel uml, --kernel host, and auto. Afterwards it checks that no mount, process or network
 * namespace is left, and removes the stage roots (kept with --keep).
 *
 * Differences from a real `docker build`, on purpose: the check passes the host's npm CA bundle
 * to RUN steps (this machine reaches the npm registry through a TLS-inspecting proxy), as a
 * read-only file outside the image; there are no layers, so no layer cache and no image size,
 * only the size of each root on disk.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
} from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseImage, unpackBase, type BaseImage } from './base-image.js';
import {
  exec,
  mountContainer,
  mountsUnder,
  must,
  runInRoot,
  stopRunning,
  Teardown,
  type Exit,
} from './chroot.js';
import { canSkipFolder, isExcluded, readDockerignore } from './dockerignore.js';
import { parseDockerfile, type Stage, type Step } from './dockerfile.js';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..');
const INNER = 'BONDLAB_DOCKER_CHECK_INNER';

interface Options {
  work: string;
  keep: boolean;
  fresh: boolean;
  clean: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    work: '/var/tmp/bondlab-docker-check',
    keep: false,
    fresh: false,
    clean: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keep') o.keep = true;
    else if (a === '--fresh') o.fresh = true;
    else if (a === '--clean') o.clean = true;
    else if (a === '--work' && argv[i + 1] !== undefined) o.work = argv[++i] as string;
    else {
      console.error('usage: check-build.ts [--keep] [--fresh] [--clean] [--work DIR]');
      process.exit(2);
    }
  }
  if (!/^\/(tmp|var\/tmp)\/[A-Za-z0-9._-]+$/.test(o.work)) {
    console.error(`--work must be a folder directly under /tmp or /var/tmp: ${o.work}`);
    process.exit(2);
  }
  return o;
}

const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function sizeMb(dir: string): Promise<number> {
  const r = await must(['du', '-sxm', dir], { quiet: true });
  return Number(r.stdout.split('\t')[0]);
}

/** Processes whose root directory is inside `dir`: what a chroot left running. */
function processesRootedIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const root = readlinkSync(`/proc/${pid}/root`);
      if (root === dir || root.startsWith(`${dir}/`)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}`);
      }
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return found;
}

/** Removes a folder that must hold no mount: refuses otherwise, and never crosses filesystems. */
async function removeTree(dir: string): Promise<void> {
  const mounts = mountsUnder(dir);
  if (mounts.length > 0)
    throw new Error(`not removing ${dir}: still mounted: ${mounts.join(', ')}`);
  await must(['rm', '-rf', '--one-file-system', dir], { quiet: true });
}

// --- the steps --------------------------------------------------------------------------------

interface Image {
  root: string;
  env: Record<string, string>;
  workdir: string;
  volumes: string[];
  entrypoint: string[];
  cmd: string[];
}

/** COPY from the build context: the project less .dockerignore, as `docker build` sends it. */
function copyFromContext(step: Extract<Step, { kind: 'COPY' }>, img: Image): void {
  const rules = readDockerignore(join(PROJECT, '.dockerignore'));
  for (const source of step.sources) {
    const rel = posix
      .normalize(source)
      .replace(/^\.?\/*/, '')
      .replace(/\/$/, '');
    const abs = join(PROJECT, rel);
    if ((rel !== '' && isExcluded(rules, rel)) || !existsSync(abs)) {
      throw new Error(`Dockerfile:${step.line}: COPY ${source}: not in the build context`);
    }
    const dir = statSync(abs).isDirectory();
    const dest = posix.resolve(img.workdir, step.dest);
    const target = join(
      img.root,
      dir || !step.dest.endsWith('/') ? dest : posix.join(dest, posix.basename(rel)),
    );
    cpSync(abs, target, {
      recursive: true,
      preserveTimestamps: true,
      verbatimSymlinks: true,
      filter: (src) => {
        const r = relative(PROJECT, src);
        return r === rel || !(isExcluded(rules, r) || canSkipFolder(rules, r));
      },
    });
  }
}

/** COPY --from: the files of an earlier stage's root, with their owners and modes (cp -a). */
async function copyFromStage(step: Extract<Step, { kind: 'COPY' }>, img: Image, from: Image) {
  for (const source of step.sources) {
    const src = join(from.root, posix.resolve(from.workdir, source));
    const dest = join(img.root, posix.resolve(img.workdir, step.dest));
    if (statSync(src).isDirectory()) {
      mkdirSync(dest, { recursive: true });
      await must(['cp', '-a', `${src}/.`, `${dest}/`], { quiet: true });
    } else {
      await must(['cp', '-a', src, step.dest.endsWith('/') ? `${dest}/` : dest], { quiet: true });
    }
  }
}

async function buildStage(
  stage: Stage,
  index: number,
  o: Options,
  done: Map<string, Image>,
  hostCa: string | undefined,
): Promise<Image> {
  const label = stage.name ?? `stage ${index}`;
  const root = join(o.work, 'stages', `${index}-${stage.name ?? 'image'}`);
  await removeTree(root);
  const parent = done.get(stage.from);
  let base: BaseImage | undefined;
  const t0 = performance.now();
  if (parent !== undefined) {
    mkdirSync(root, { recursive: true });
    await must(['cp', '-a', `${parent.root}/.`, `${root}/`], { quiet: true });
  } else {
    base = baseImage(stage.from);
    await unpackBase(base, root, join(o.work, 'cache'), o.fresh);
  }
  console.log(`\n== ${label}: FROM ${stage.from} (${seconds(t0)})`);
  const img: Image = parent
    ? { ...parent, root, env: { ...parent.env }, volumes: [...parent.volumes] }
    : { root, env: { ...base?.env }, workdir: '/', volumes: [], entrypoint: [], cmd: [] };

  const t = new Teardown();
  let failed: Error | undefined;
  try {
    await mountContainer(t, root, {
      sysReadOnly: true,
      files: [
        ['/etc/resolv.conf', '/etc/resolv.conf'],
        ...(hostCa === undefined ? [] : [[hostCa, '/run/secrets/host-ca.crt'] as [string, string]]),
      ],
    });
    for (const step of stage.steps) {
      const ts = performance.now();
      console.log(`\n-- ${label} (Dockerfile:${step.line}) ${describe(step)}`);
      switch (step.kind) {
        case 'RUN': {
          const env = {
            ...img.env,
            HOME: '/root',
            ...(hostCa === undefined ? {} : { npm_config_cafile: '/run/secrets/host-ca.crt' }),
          };
          const r = await runInRoot(['/bin/sh', '-c', step.command], {
            root,
            workdir: img.workdir,
            env,
            ownNetwork: false,
          });
          if (r.code !== 0) {
            throw new Error(
              `Dockerfile:${step.line}: RUN failed (${r.signal ?? `exit ${r.code}`})`,
            );
          }
          break;
        }
        case 'COPY':
          if (step.from === undefined) copyFromContext(step, img);
          else {
            const from = done.get(step.from);
            if (from === undefined)
              throw new Error(`Dockerfile:${step.line}: no stage ${step.from}`);
            await copyFromStage(step, img, from);
          }
          break;
        case 'WORKDIR':
          img.workdir = posix.resolve(img.workdir, step.path);
          mkdirSync(join(root, img.workdir), { recursive: true });
          break;
        case 'ENV':
          for (const [k, v] of step.vars) img.env[k] = v;
          break;
        case 'VOLUME':
          img.volumes.push(...step.paths);
          break;
        case 'ENTRYPOINT':
          img.entrypoint = step.argv;
          img.cmd = [];
          break;
        case 'CMD':
          img.cmd = step.argv;
          break;
      }
      console.log(`   (${seconds(ts)})`);
    }
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
  }
  // The unmounts run whatever happened; a failed step is reported before a failed teardown.
  const failures = await t.run();
  if (failed !== undefined) throw failed;
  if (failures.length > 0) throw new Error(`teardown of ${label}: ${failures.join('; ')}`);
  if (stage.name !== undefined) done.set(stage.name, img);
  return img;
}

function describe(step: Step): string {
  switch (step.kind) {
    case 'RUN':
      return `RUN ${step.command.replace(/\s+/g, ' ').slice(0, 110)}`;
    case 'COPY':
      return `COPY ${step.from === undefined ? '' : `--from=${step.from} `}${step.sources.join(' ')} ${step.dest}`;
    case 'WORKDIR':
      return `WORKDIR ${step.path}`;
    case 'ENV':
      return `ENV ${step.vars.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'VOLUME':
      return `VOLUME ${step.paths.join(' ')}`;
    default:
      return `${step.kind} ${JSON.stringify(step.argv)}`;
  }
}

// --- docker run --privileged IMAGE ... -------------------------------------------------------

interface Expect {
  args: string[];
  /** Exit statuses that pass: a run whose case reached its verdict exits 0 (every expectation
   * met) or 1 (one missed: timing bounds can be missed on a loaded machine). */
  codes: number[];
  output: RegExp[];
  why: string;
}

/** The summary of a run whose one case reached a verdict (no "N errors": it ran to its end). */
const VERDICT = /1 case: [01] passed, [01] failed in/;

async function runChecks(img: Image, o: Options): Promise<boolean> {
  const volumes = join(o.work, 'volumes');
  // Each check starts from empty volumes, as a fresh `docker run -v` of an empty folder would.
  await removeTree(volumes);
  const t = new Teardown();
  const results: string[] = [];
  let ok = true;
  try {
    const folders: [string, string, boolean][] = img.volumes.map((v) => {
      const host = join(volumes, v.replace(/^\//, '').replace(/\//g, '_'));
      mkdirSync(host, { recursive: true });
      return [host, v, false];
    });
    // What docs/containers.md asks for: -v /lib/modules:/lib/modules:ro, and guest memory in RAM
    // that may hold code (Docker's /dev/shm is noexec, and UML refuses it).
    if (existsSync('/lib/modules')) folders.push(['/lib/modules', '/lib/modules', true]);
    const tmpfs: [string, string][] = [['/tmp', 'rw,nosuid,nodev,exec,size=1g']];
    await mountContainer(t, img.root, { sysReadOnly: false, folders, tmpfs });
    console.log(
      `\n== as: docker run --rm --privileged --tmpfs /tmp:exec,size=1g ${folders
        .map(([h, p, ro]) => `-v ${h}:${p}${ro ? ':ro' : ''}`)
        .join(' ')} IMAGE ...`,
    );
    const env = { ...img.env, HOME: '/root', HOSTNAME: 'bondlab-check' };
    const docker = (args: string[]): Promise<Exit> =>
      runInRoot([...img.entrypoint, ...(args.length > 0 ? args : img.cmd)], {
        root: img.root,
        workdir: img.workdir,
        env,
        ownNetwork: true,
      });

    const doctor = await timed(results, 'docker run IMAGE (CMD: doctor)', () => docker([]), {
      args: [],
      codes: [0],
      output: [/ok\s+guest: uml/, /bondlab can run here/],
      why: 'doctor passes: a guest kernel makes up for the host',
    });
    ok &&= doctor.pass;
    const hostBonding = /ok\s+bonding/.test(doctor.output);
    console.log(`\nthe host kernel ${hostBonding ? 'has' : 'has no'} bonding (from doctor)`);
    const cases: [string, Expect][] = [
      [
        'run seed-failover --kernel uml',
        {
          args: ['run', 'seed-failover', '--kernel', 'uml'],
          codes: [0, 1],
          output: [/kernel: uml/, VERDICT, /results: results\/\S+\/run\.json/],
          why: 'the scenario runs to its verdict in User-mode Linux inside the container',
        },
      ],
      [
        'run seed-failover --kernel host',
        hostBonding
          ? {
              args: ['run', 'seed-failover', '--kernel', 'host'],
              codes: [0, 1],
              output: [VERDICT],
              why: 'the host kernel has bonding',
            }
          : {
              args: ['run', 'seed-failover', '--kernel', 'host'],
              codes: [2],
              output: [/this kernel has no bonding driver/],
              why: 'a clear message: the host kernel has no bonding',
            },
      ],
      [
        'run seed-failover (auto)',
        {
          args: ['run', 'seed-failover'],
          codes: [0, 1],
          output: [
            hostBonding
              ? /kernel: host \(auto/
              : /kernel: uml \S* ?\(auto: this kernel has no bonding/,
            VERDICT,
          ],
          why: hostBonding ? 'auto picks the host kernel' : 'auto falls back to User-mode Linux',
        },
      ],
    ];
    for (const [name, expect] of cases) {
      ok = (await timed(results, name, () => docker(expect.args), expect)).pass && ok;
    }

    // Nothing the runs made may be left inside the container either.
    const netnsDir = join(img.root, 'run', 'netns');
    const leftNetns = existsSync(netnsDir) ? readdirSync(netnsDir) : [];
    const leftProcs = processesRootedIn(img.root);
    results.push(
      `${leftNetns.length === 0 ? 'ok  ' : 'FAIL'} no network namespace left in the container's /run/netns (${leftNetns.join(' ') || 'none'})`,
    );
    results.push(
      `${leftProcs.length === 0 ? 'ok  ' : 'FAIL'} no process left in the container (${leftProcs.join(', ') || 'none'})`,
    );
    ok &&= leftNetns.length === 0 && leftProcs.length === 0;
    // Every run wrote its run.json to ./results, the volume: look on the host's side of it.
    const resultsVolume = folders.find(([, p]) => p === posix.join(img.workdir, 'results'));
    const runs =
      resultsVolume === undefined
        ? []
        : readdirSync(resultsVolume[0]).filter((d) =>
            existsSync(join(resultsVolume[0], d, 'run.json')),
          );
    results.push(
      `${runs.length >= 2 ? 'ok  ' : 'FAIL'} run.json in the volume ./results (host ${resultsVolume?.[0] ?? 'none: no VOLUME at WORKDIR/results'}): ${runs.join(', ') || 'none'}`,
    );
    ok &&= runs.length >= 2;
  } finally {
    const failures = await t.run();
    if (failures.length > 0) {
      ok = false;
      results.push(`FAIL teardown: ${failures.join('; ')}`);
    }
    console.log(`\n== checks in the image\n${results.join('\n')}`);
  }
  return ok;
}

/** Runs one check, shows it as it runs, and adds its line to `results`. */
async function timed(
  results: string[],
  name: string,
  fn: () => Promise<Exit>,
  e: Expect,
): Promise<{ pass: boolean; output: string }> {
  console.log(`\n-- docker run --privileged IMAGE ${e.args.join(' ')}`);
  const t0 = performance.now();
  const r = await fn();
  const output = r.stdout + r.stderr;
  const missing = e.output.filter((re) => !re.test(output));
  const pass = r.code !== null && e.codes.includes(r.code) && missing.length === 0;
  // Which expectations of the scenario were met, when it reached a verdict.
  const verdict = /^(\d+ cases?: .*)$/m.exec(output)?.[1];
  results.push(
    `${pass ? 'ok  ' : 'FAIL'} ${name}: exit ${r.code ?? r.signal} (passes with ${e.codes.join(' or ')}) in ${seconds(t0)}; ${e.why}` +
      (verdict === undefined ? '' : `\n       bondlab: ${verdict}`) +
      (missing.length > 0 ? `\n       missing from the output: ${missing.join(', ')}` : ''),
  );
  return { pass, output };
}

// --- the two processes -----------------------------------------------------------------------

/** Inside the private mount namespace: builds every stage, then runs the checks. */
async function inner(o: Options): Promise<number> {
  // The outer part passes its own mount namespace: this one must be another.
  if (readlinkSync('/proc/self/ns/mnt') === process.env[INNER]) {
    throw new Error('not in a private mount namespace: run this script, not its inner part');
  }
  const stages = parseDockerfile(readFileSync(join(PROJECT, 'Dockerfile'), 'utf8'));
  let hostCa: string | undefined;
  try {
    const ca = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).trim();
    if (ca !== '' && ca !== 'null' && existsSync(ca)) hostCa = ca;
  } catch {
    /* npm has no cafile setting */
  }
  if (hostCa !== undefined)
    console.log(`RUN steps get npm's CA bundle ${hostCa}, read-only, outside the image`);
  const done = new Map<string, Image>();
  let image: Image | undefined;
  const t0 = performance.now();
  for (const [i, stage] of stages.entries()) image = await buildStage(stage, i, o, done, hostCa);
  if (image === undefined) throw new Error('no stage');
  console.log(`\n== built in ${seconds(t0)}`);
  for (const dir of readdirSync(join(o.work, 'stages'))) {
    console.log(`   ${dir}: ${await sizeMb(join(o.work, 'stages', dir))} MB on disk`);
  }
  console.log(
    `   image config: WORKDIR ${image.workdir}, VOLUME ${image.volumes.join(' ')}, ENTRYPOINT ${JSON.stringify(image.entrypoint)}, CMD ${JSON.stringify(image.cmd)}`,
  );
  return (await runChecks(image, o)) ? 0 : 1;
}

/** Starts the inner part in a private mount namespace, then checks that nothing was left. */
async function outer(o: Options): Promise<number> {
  if (o.clean) {
    const procs = processesRootedIn(o.work);
    if (procs.length > 0) throw new Error(`processes still run in ${o.work}: ${procs.join(', ')}`);
    await removeTree(o.work);
    console.log(`removed ${o.work}`);
    return 0;
  }
  const netnsBefore = (await exec(['ip', 'netns', 'list'], { quiet: true })).stdout;
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, [INNER]: readlinkSync('/proc/self/ns/mnt') } },
  );
  // The inner part stops its commands and unmounts on these; this one waits for it.
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    process.on(s, () => {
      child.kill(s);
    });
  }
  const code = await new Promise<number>((resolve) => {
    child.once('close', (c, sig) => {
      resolve(c ?? (sig === 'SIGINT' ? 130 : 143));
    });
  });
  const netnsAfter = (await exec(['ip', 'netns', 'list'], { quiet: true })).stdout;
  const mounts = mountsUnder(o.work);
  const procs = processesRootedIn(o.work);
  const uml = procs.filter((p) => p.includes('linux.uml') || p.includes('vmlinux'));
  const newNetns = netnsAfter.split('\n').filter((l) => l !== '' && !netnsBefore.includes(l));
  console.log('\n== after the check, on the host');
  console.log(
    `${mounts.length === 0 ? 'ok  ' : 'FAIL'} mounts under ${o.work}: ${mounts.join(', ') || 'none'}`,
  );
  console.log(
    `${procs.length === 0 ? 'ok  ' : 'FAIL'} processes rooted in ${o.work}: ${procs.join(', ') || 'none'} (UML among them: ${uml.length})`,
  );
  console.log(
    `${newNetns.length === 0 ? 'ok  ' : 'FAIL'} network namespaces the host gained (ip netns list): ${newNetns.join(' ') || 'none'}`,
  );
  const clean = mounts.length === 0 && procs.length === 0 && newNetns.length === 0;
  if (clean && !o.keep && existsSync(join(o.work, 'stages'))) {
    await removeTree(join(o.work, 'stages'));
    await removeTree(join(o.work, 'volumes'));
    console.log(
      `removed the stage roots; the cached base image stays in ${join(o.work, 'cache')} (--clean removes it)`,
    );
  } else if (o.keep) {
    console.log(`kept the stage roots in ${join(o.work, 'stages')} (--clean removes them)`);
  }
  return code !== 0 ? code : clean ? 0 : 1;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.error('check-build.ts: run as root (debootstrap, chroot, mounts)');
    return 2;
  }
  if (process.env[INNER] === undefined) return outer(o);
  let stopping: NodeJS.Signals | undefined;
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    process.on(s, () => {
      stopping = s;
      stopRunning();
    });
  }
  try {
    return await inner(o);
  } catch (error) {
    if (stopping !== undefined) return stopping === 'SIGINT' ? 130 : 143;
    throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`check-build.ts: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
