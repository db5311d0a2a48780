/**
 * The web console in a real browser (headless Chromium through playwright-core) against a real local
 * cluster of 3 ZooKeeper servers and 3 brokers started by the launcher (`samsa-cluster up`): the leader
 * of an orders partition (orders-0, or the next one when orders-0 is led by the controller) is stopped
 * from the page, the page shows the new leader, the shrunk ISR and the timeline within 10 s; the broker
 * is started again from the page and the ISR expands. Screenshots go to
 * $SAMSA_TEST_ARTIFACTS (default <repo>/.scratch/artifacts/).
 * SAMSA_UPDATE_README_IMAGE=1 also copies one screenshot to docs/images/console.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePorts } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { startConsoleServer } from '../../admin-cli/src/console/console-server';
import { REPO_ROOT } from '../helpers/kafka-cluster';

const CHROMIUM = process.env.SAMSA_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = process.env.SAMSA_TEST_ARTIFACTS ?? path.join(REPO_ROOT, '.scratch', 'artifacts');
const README_IMAGE = path.join(REPO_ROOT, 'docs', 'images', 'console.png');
const TOPIC = 'orders';
const row = (partition: string): string => `tr[data-partition="${partition}"]`;

/** The page's document as the functions run inside the browser see it (the project has no DOM lib). */
interface PageNode {
  textContent: string | null;
}
declare const document: { querySelector(selector: string): PageNode | null; querySelectorAll(selector: string): Iterable<PageNode> };

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`console browser test skipped: no Chromium at ${CHROMIUM} (scripts/ensure-test-tools installs Debian's chromium)`);
const describeIfChromium = haveChromium ? describe : describe.skip;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface RunningCluster {
  url: string;
  bootstrapServers: string;
  zookeeperConnect: string;
  stop(): Promise<void>;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `samsa-cluster up` as a child in its own process group, once it has printed its ready lines. */
async function startLauncher(dataDir: string): Promise<RunningCluster> {
  const [firstPort] = await freePorts(1);
  const args = ['--import', 'tsx', 'admin-cli/src/cluster/samsa-cluster.ts', 'up', '--data-dir', dataDir, '--fresh', '--first-port', String(firstPort), '--console-port', '0', '--zookeepers', '3', '--brokers', '3'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  const pid = child.pid ?? 0;
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 60_000)))]);
    clearTimeout(timer);
    if (pid > 0 && groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    for (let i = 0; i < 50 && pid > 0 && groupAlive(pid); i++) await sleep(100);
    if (pid > 0 && groupAlive(pid)) throw new Error(`the launcher's process group ${pid} is still alive`);
  };
  const found = await new Promise<{ url: string; bootstrap: string; zookeeper: string } | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 120_000);
    const onData = (b: Buffer): void => {
      output += b.toString('utf8');
      const url = /^ {2}console: (http:\/\/\S+)$/m.exec(output)?.[1];
      const bootstrap = /^ {2}bootstrap\.servers=(\S+)$/m.exec(output)?.[1];
      const zookeeper = /^ {2}zookeeper\.connect=(\S+)$/m.exec(output)?.[1];
      if (url !== undefined && bootstrap !== undefined && zookeeper !== undefined) {
        clearTimeout(timer);
        resolve({ url, bootstrap, zookeeper });
      } else if (/press Ctrl-C/.test(output) || /^samsa: ready/m.test(output)) {
        clearTimeout(timer);
        resolve(null); // up, but without a console line
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  if (found === null) {
    await stop();
    throw new Error(`the launcher did not print its console line; its output:\n${output.slice(-1500)}`);
  }
  return { url: found.url, bootstrapServers: found.bootstrap, zookeeperConnect: found.zookeeper, stop };
}

async function cellText(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

async function timelineTexts(page: Page): Promise<string[]> {
  return page.$$eval('#timeline li', (items) => items.map((li) => li.textContent ?? ''));
}

/** Runs a wait; when it times out, saves a screenshot and says what the page showed instead. */
async function orExplain<T>(page: Page, what: string, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const shot = path.join(ARTIFACTS, `console-failed-${what.replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    const rows = await page.$$eval('tr[data-partition]', (trs) => trs.map((tr) => tr.textContent ?? '')).catch(() => []);
    const lines = await timelineTexts(page).catch(() => []);
    throw new Error(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\nrows: ${rows.slice(0, 3).join(' | ')}\ntimeline: ${lines.slice(0, 12).join(' | ')}\nscreenshot: ${shot}`, { cause: err });
  }
}

describeIfChromium('web console in headless Chromium', () => {
  let running: RunningCluster | null = null;
  let browser: Browser | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-console-test-'));

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    running = await startLauncher(dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await running?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('stopping the leader from the page shows the new leader, the shrunk ISR and the timeline within 10 s; starting it again shows the ISR expand', async () => {
    const { url, bootstrapServers } = running as RunningCluster;
    const kafka = new Kafka({ clientId: 'console-test', brokers: bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }

    // Bad input to the panel's API is a 400 with one line.
    const bad = await fetch(new URL('api/produce', url), { method: 'POST', body: '{"value":"x"}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'topic is required' });

    // A console that owns no processes (samsa-console on its own) offers no buttons and no control API.
    const plain = await startConsoleServer({ zookeeperConnect: (running as RunningCluster).zookeeperConnect, bootstrapServers, port: 0 });
    try {
      const control = await fetch(new URL('api/cluster', plain.url));
      expect(control.status).toBe(404);
      expect(await control.json()).toEqual({ error: "this console does not own the cluster's processes" });
      const snapshot = (await (await fetch(new URL('api/state', plain.url))).json()) as { hasControl: boolean; brokers: unknown[]; zookeepers: unknown[] };
      expect(snapshot).toMatchObject({ hasControl: false });
      expect(snapshot.brokers).toHaveLength(3);
      expect(snapshot.zookeepers).toHaveLength(3);
    } finally {
      await plain.close();
    }

    const page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => console.log(`page error: ${err.message}`));
    await page.goto(url);
    await orExplain(page, 'full ISRs', () =>
      page.waitForFunction((topic) => [0, 1, 2].every((p) => document.querySelector(`tr[data-partition="${topic}-${p}"] td.isr`)?.textContent?.split(',').length === 3), TOPIC, { timeout: 20_000 }),
    );
    // The lesson stops a leader that is not also the controller: killing the controller adds a
    // controller failover (its session timeout, then a new controller loading the cluster) before
    // any election, which is a lesson of its own and would not fit in the 10 s asked here.
    const controller = Number(await page.getAttribute('[data-broker][data-controller="true"]', 'data-broker'));
    let chosen = 0;
    while (chosen < 2 && Number(await cellText(page, `${row(`${TOPIC}-${chosen}`)} td.leader`)) === controller) chosen++;
    const partition = `${TOPIC}-${chosen}`;
    const P = row(partition);
    const leader = Number(await cellText(page, `${P} td.leader`));
    const epochBefore = Number(await cellText(page, `${P} td.epoch`));
    expect(await cellText(page, `${P} td.replicas`)).toMatch(/^\d,\d,\d$/);
    await page.waitForSelector(`[data-broker="${leader}"][data-state="alive"]`);

    // The producer panel tells where a record landed; the consumer panel reads it back.
    await page.selectOption('#produce-form select[name="topic"]', TOPIC);
    await page.fill('#produce-form input[name="value"]', 'first lesson');
    await page.fill('#produce-form input[name="partition"]', String(chosen));
    await page.click('#produce-form button[type="submit"]');
    await page.waitForSelector('#produce-results li.produced', { timeout: 10_000 });
    expect(await cellText(page, '#produce-results li.produced')).toBe(`${partition} at offset 0 (leader: broker ${leader})`);
    await page.selectOption('#consume-form select[name="topic"]', TOPIC);
    await page.fill('#consume-form input[name="partition"]', String(chosen));
    await page.click('#consume-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#consume-results')?.textContent?.includes('first lesson') === true, undefined, { timeout: 10_000 });
    // A consumer group shows with its state, member and lag per partition.
    const consumer = kafka.consumer({ groupId: 'lesson', sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
      await orExplain(page, 'consumer group', () =>
        page.waitForFunction(() => /lesson — Stable, 1 member/.test(document.querySelector('table[data-group="lesson"] caption')?.textContent ?? ''), undefined, { timeout: 30_000 }),
      );
      expect(await page.$$eval('table[data-group="lesson"] tbody tr', (rows) => rows.length)).toBe(3);
      await page.screenshot({ path: path.join(ARTIFACTS, 'console-1-healthy.png'), fullPage: true });
    } finally {
      await consumer.disconnect();
    }

    await page.click(`button[data-action="stop-broker"][data-id="${leader}"]`);
    const stoppedAt = Date.now();
    await orExplain(page, 'new leader within 10 s', () =>
      page.waitForFunction(
        ({ sel, old, name }) => {
          const leaderCell = document.querySelector(`${sel} td.leader`)?.textContent ?? '';
          const isr = (document.querySelector(`${sel} td.isr`)?.textContent ?? '').split(',');
          const lines = [...document.querySelectorAll('#timeline li')].map((li) => li.textContent ?? '');
          return (
            /^\d+$/.test(leaderCell) &&
            leaderCell !== String(old) &&
            isr.length === 2 &&
            !isr.includes(String(old)) &&
            lines.some((l) => l.includes(`${name}: leader ${old} → ${leaderCell}, ISR [`)) &&
            lines.some((l) => l.includes(`broker ${old} left: its ZooKeeper session ended`))
          );
        },
        { sel: P, old: leader, name: partition },
        { timeout: 10_000, polling: 100 },
      ),
    );
    const elapsed = Date.now() - stoppedAt;
    const newLeader = Number(await cellText(page, `${P} td.leader`));
    console.log(`console browser test: ${partition} leader ${leader} → ${newLeader} shown ${elapsed} ms after the click (controller: broker ${controller})`);
    expect(Number(await cellText(page, `${P} td.epoch`))).toBeGreaterThan(epochBefore);
    expect(await page.getAttribute(`[data-broker="${leader}"]`, 'data-state')).toBe('gone');
    expect(await page.getAttribute(P, 'class')).toContain('under-replicated');
    const afterStop = await timelineTexts(page);
    expect(afterStop.some((l) => l.includes(`ISR [`) && l.includes(`${partition}: leader ${leader} → ${newLeader}`))).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-2-leader-stopped.png'), fullPage: true });
    // The README shows the lesson's middle (a broker gone, a new leader, under-replicated partitions), one screen.
    const readme = path.join(ARTIFACTS, 'console-readme.png');
    await page.screenshot({ path: readme });
    if (process.env.SAMSA_UPDATE_README_IMAGE === '1' && fs.statSync(readme).size < 300_000) {
      fs.mkdirSync(path.dirname(README_IMAGE), { recursive: true });
      fs.copyFileSync(readme, README_IMAGE);
    }

    await page.click(`button[data-action="start-broker"][data-id="${leader}"]`, { timeout: 15_000 });
    await orExplain(page, 'ISR expanded', () =>
      page.waitForFunction(
        ({ sel, old, name }) => {
          const isr = (document.querySelector(`${sel} td.isr`)?.textContent ?? '').split(',');
          const lines = [...document.querySelectorAll('#timeline li')].map((li) => li.textContent ?? '');
          return isr.includes(String(old)) && lines.some((l) => l.includes(`ISR of ${name} expanded to [`));
        },
        { sel: P, old: leader, name: partition },
        { timeout: 60_000, polling: 200 },
      ),
    );
    const lines = await timelineTexts(page);
    expect(lines.some((l) => l.includes(`ISR of ${partition} expanded to [`))).toBe(true);
    expect(lines.some((l) => l.includes(`broker ${leader} joined`))).toBe(true);
    expect(await page.getAttribute(`[data-broker="${leader}"]`, 'data-state')).toBe('alive');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-3-isr-expanded.png'), fullPage: true });
    await page.close();
  }, 300_000);
});
