// Decides how the sandbox gets the privileges it needs to build namespaces: real root uses the real
// ids; anyone else (including root without CAP_SYS_ADMIN, as in an unprivileged container) enters a
// user namespace, mapped through /etc/subuid + newuidmap when configured (so images with several
// users keep their ownership), else with the single mapping "me = root".
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { TsbuildError } from '../../lib/errors.js';
import { findHostTool, type HostTools } from './host-tools.js';

export type Privileges =
  | { readonly kind: 'root' }
  | { readonly kind: 'rootless'; readonly mapping: 'subid' | 'single' };

const CAP_SYS_ADMIN = 21;

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function hasSysAdmin(): Promise<boolean> {
  const status = (await readText('/proc/self/status')) ?? '';
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return effective !== undefined && (BigInt(`0x${effective}`) & (1n << BigInt(CAP_SYS_ADMIN))) !== 0n;
}

async function hasSubordinateIds(file: string, uid: number, name: string): Promise<boolean> {
  const text = (await readText(file)) ?? '';
  return text.split('\n').some((line) => {
    const [owner, , count] = line.split(':');
    return (owner === name || owner === String(uid)) && Number(count) > 0;
  });
}

/** The login name, or '' for a uid without a passwd entry (subid lines may still name the uid). */
function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/** The subid mapping needs both ranges and both setuid helpers (Debian package uidmap). */
async function subidMappingAvailable(): Promise<boolean> {
  const uid = process.getuid?.() ?? -1;
  const name = userName();
  const helpers = (await findHostTool('newuidmap')) !== undefined && (await findHostTool('newgidmap')) !== undefined;
  return helpers && (await hasSubordinateIds('/etc/subuid', uid, name)) && (await hasSubordinateIds('/etc/subgid', uid, name));
}

/** Human advice for each kernel switch that disables unprivileged user namespaces. */
async function userNamespaceAdvice(): Promise<string[]> {
  const advice: string[] = [];
  if ((await readText('/proc/sys/kernel/unprivileged_userns_clone'))?.trim() === '0') {
    advice.push('enable them: sysctl -w kernel.unprivileged_userns_clone=1');
  }
  if ((await readText('/proc/sys/user/max_user_namespaces'))?.trim() === '0') {
    advice.push('allow them: sysctl -w user.max_user_namespaces=28633');
  }
  if ((await readText('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'))?.trim() === '1') {
    advice.push('AppArmor restricts them: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give unshare an AppArmor profile with "userns,"');
  }
  return advice;
}

/** Proves, once, that this user can build the namespaces the sandbox needs; fails with advice otherwise. */
async function probeUserNamespaces(tools: HostTools): Promise<void> {
  const args = ['--user', '--map-root-user', '--mount', '--pid', '--fork', '--uts', '--ipc', '--', tools.mount, '-t', 'tmpfs', 'probe', '/tmp'];
  try {
    await promisify(execFile)(tools.unshare, args, { timeout: 10_000 });
  } catch (error) {
    const advice = await userNamespaceAdvice();
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    const hint = advice.length ? advice.join('; ') : 'check that user namespaces are enabled for unprivileged users';
    throw new TsbuildError('E_STEP', `rootless sandbox unavailable: cannot create a user namespace (${detail}); ${hint}`, { cause: error });
  }
}

export async function detectPrivileges(tools: HostTools): Promise<Privileges> {
  if (process.getuid?.() === 0 && (await hasSysAdmin())) return { kind: 'root' };
  await probeUserNamespaces(tools);
  return { kind: 'rootless', mapping: (await subidMappingAvailable()) ? 'subid' : 'single' };
}
