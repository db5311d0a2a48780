/**
 * The multi-znode path operations of ZkClient (Kafka's createRecursive, makeSurePersistentPathExists
 * and ZkUtils.deletePathRecursive): create with missing parents, mkdir -p, and delete a subtree.
 * They are built only on ZkClient's single-znode requests, so they live apart from client.ts (the
 * session and binding code); ZkClient's methods of the same names call these.
 */
import type { CreateMode } from './client-config';
import type { ZkClient } from './client';
import { isZkError } from './errors';

/** The single-znode requests the recursive operations are built on. */
type PathRequests = Pick<ZkClient, 'create' | 'getChildren' | 'delete'>;

function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** create(), making missing parents first (persistent, empty). NODEEXISTS when `path` exists. */
export async function createRecursive(zk: PathRequests, path: string, data: Buffer | null, options: { mode?: CreateMode } = {}): Promise<string> {
  try {
    return await zk.create(path, data, options);
  } catch (err) {
    if (!isZkError(err, 'NONODE')) throw err;
    await ensurePath(zk, parentPath(path));
    return zk.create(path, data, options);
  }
}

/** mkdir -p: makes `path` and its missing parents as persistent znodes without data. */
export async function ensurePath(zk: PathRequests, path: string): Promise<void> {
  if (path === '/' || path === '') return;
  try {
    await zk.create(path, null);
  } catch (err) {
    if (isZkError(err, 'NODEEXISTS')) return;
    if (!isZkError(err, 'NONODE')) throw err;
    await ensurePath(zk, parentPath(path));
    try {
      await zk.create(path, null);
    } catch (again) {
      if (!isZkError(again, 'NODEEXISTS')) throw again;
    }
  }
}

/** Deletes `path` and everything below it; a missing znode is not an error. */
export async function deleteRecursive(zk: PathRequests, path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let children: string[];
    try {
      children = await zk.getChildren(path);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return;
      throw err;
    }
    for (const child of children) await deleteRecursive(zk, childPath(path, child));
    try {
      await zk.delete(path);
      return;
    } catch (err) {
      if (isZkError(err, 'NONODE')) return;
      // someone created a child meanwhile: go round again
      if (!isZkError(err, 'NOTEMPTY') || attempt >= 5) throw err;
    }
  }
}
