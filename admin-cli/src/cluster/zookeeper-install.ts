/**
 * Finds a ZooKeeper server installation and a java binary, the same way scripts/ensure-zookeeper does:
 * ZOOKEEPER_HOME (an Apache tarball: lib/*.jar, *.jar, conf/) first, then the Debian package's jars.
 */
import fs from 'node:fs';
import path from 'node:path';

export const DEBIAN_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** The Debian jar's manifest pulls in its dependencies but no SLF4J binding; this one logs to stderr. */
const DEBIAN_SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';

export const MISSING_ZOOKEEPER_MESSAGE =
  "samsa: no ZooKeeper server found; install the Debian package 'zookeeper' or set ZOOKEEPER_HOME (run scripts/ensure-zookeeper)";
export const MISSING_JAVA_MESSAGE =
  "samsa: no java found; install a Java runtime (Debian: 'default-jre-headless') or set JAVA_HOME";

export interface ZooKeeperInstall {
  readonly source: 'ZOOKEEPER_HOME' | 'debian';
  /** Entries for java -cp, in order. */
  readonly classpath: readonly string[];
}

function jarsIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.jar'))
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

function isZooKeeperJar(file: string): boolean {
  return /^zookeeper(-\d[\w.-]*)?\.jar$/.test(path.basename(file));
}

/** Classpath of the ZooKeeper server, or null when none is installed. */
export function findZooKeeperInstall(env: NodeJS.ProcessEnv = process.env): ZooKeeperInstall | null {
  const home = env.ZOOKEEPER_HOME;
  if (home !== undefined && home !== '') {
    const jars = [...jarsIn(path.join(home, 'lib')), ...jarsIn(home)];
    if (jars.some(isZooKeeperJar)) {
      // conf/ carries the tarball's logback/log4j configuration.
      return { source: 'ZOOKEEPER_HOME', classpath: [path.join(home, 'conf'), ...jars] };
    }
  }
  if (fs.existsSync(DEBIAN_ZOOKEEPER_JAR)) {
    const classpath = [DEBIAN_ZOOKEEPER_JAR];
    if (fs.existsSync(DEBIAN_SLF4J_SIMPLE_JAR)) classpath.push(DEBIAN_SLF4J_SIMPLE_JAR);
    return { source: 'debian', classpath };
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** JAVA_HOME/bin/java, else the first java on PATH, else null. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | null {
  const javaHome = env.JAVA_HOME;
  if (javaHome !== undefined && javaHome !== '' && isExecutable(path.join(javaHome, 'bin', 'java'))) {
    return path.join(javaHome, 'bin', 'java');
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && isExecutable(path.join(dir, 'java'))) return path.join(dir, 'java');
  }
  return null;
}
