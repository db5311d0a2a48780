// The Samsa console page: renders the state the server pushes over Server-Sent Events (/events) and
// sends the buttons' and the producer/consumer panel's requests. Plain DOM, no build step.
'use strict';

(function () {
  let state = null;
  const $ = (id) => document.getElementById(id);

  /** Creates an element: el('td', { class: 'leader' }, '3'). Children are nodes or text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  const ids = (list) => list.join(',');
  const leaderText = (id) => (id < 0 ? 'none' : String(id));

  function notice(text) {
    const n = $('notice');
    n.textContent = text;
    n.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => (n.hidden = true), 6000);
  }

  async function request(method, url, body) {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
    return data;
  }

  // ---- control buttons (only when the server owns the processes) ----

  const ROUTES = {
    'stop-broker': (id) => `/api/brokers/${id}/stop`,
    'stop-broker-graceful': (id) => `/api/brokers/${id}/stop?graceful=1`,
    'start-broker': (id) => `/api/brokers/${id}/start`,
    'pause-broker': (id) => `/api/brokers/${id}/pause`,
    'resume-broker': (id) => `/api/brokers/${id}/resume`,
    'stop-zookeeper': (id) => `/api/zookeepers/${id}/stop`,
    'start-zookeeper': (id) => `/api/zookeepers/${id}/start`,
  };
  const pending = new Set();

  function actionButton(action, id, label, title) {
    const key = `${action}:${id}`;
    return el('button', {
      type: 'button', 'data-action': action, 'data-id': id, title, disabled: pending.has(key),
      onclick: async () => {
        pending.add(key);
        render();
        try {
          await request('POST', ROUTES[action](id));
        } catch (err) {
          notice(`${label} ${id}: ${err.message}`);
        } finally {
          pending.delete(key);
          render();
        }
      },
    }, label);
  }

  function processState(kind, id) {
    const list = state.processes ? state.processes[kind] : [];
    const p = list.find((x) => x.id === id);
    return p ? p.state : null;
  }

  // ---- sections ----

  function renderZooKeepers() {
    const box = $('zookeepers');
    box.replaceChildren(...state.zookeepers.map((z) => {
      const proc = processState('zookeepers', z.id);
      const actions = [];
      if (state.hasControl) {
        if (proc === 'stopped') actions.push(actionButton('start-zookeeper', z.id, 'start', 'start this ZooKeeper server'));
        else actions.push(actionButton('stop-zookeeper', z.id, 'kill -9', 'kill this ZooKeeper server'));
      }
      return el('div', { class: 'card', 'data-zookeeper': z.id, 'data-mode': z.mode },
        el('div', { class: 'title' }, `server ${z.id}`, el('span', { class: `badge ${z.mode}` }, z.mode)),
        el('div', { class: 'detail' }, `${z.host}:${z.port}`),
        actions.length ? el('div', { class: 'actions' }, actions) : null);
    }));
  }

  function renderBrokers() {
    $('controller-epoch').textContent = state.controllerEpoch === null ? '' : `controller epoch ${state.controllerEpoch}`;
    const box = $('brokers');
    if (state.brokers.length === 0) return box.replaceChildren(el('p', { class: 'empty' }, 'no broker registered'));
    box.replaceChildren(...state.brokers.map((b) => {
      const proc = processState('brokers', b.id);
      const isController = state.controller === b.id;
      const actions = [];
      if (state.hasControl) {
        if (proc === 'stopped') actions.push(actionButton('start-broker', b.id, 'start', 'start this broker'));
        else if (proc === 'paused') actions.push(actionButton('resume-broker', b.id, 'resume', 'SIGCONT'));
        else {
          actions.push(actionButton('stop-broker', b.id, 'kill -9', 'kill the broker: its ZooKeeper session expires later'));
          actions.push(actionButton('stop-broker-graceful', b.id, 'stop', 'controlled shutdown (SIGTERM)'));
          actions.push(actionButton('pause-broker', b.id, 'pause', 'SIGSTOP: a zombie that will be fenced'));
        }
      }
      return el('div', { class: 'card', 'data-broker': b.id, 'data-state': b.alive ? 'alive' : 'gone', 'data-controller': String(isController), 'data-process': proc || undefined },
        el('div', { class: 'title' }, `broker ${b.id}`,
          isController ? el('span', { class: 'badge controller' }, 'controller') : null,
          b.alive ? null : el('span', { class: 'badge gone' }, 'gone'),
          proc === 'paused' ? el('span', { class: 'badge paused' }, 'paused') : null),
        el('div', { class: 'detail' }, b.endpoints.join(' ') || '(never registered)'),
        proc && proc !== 'running' ? el('div', { class: 'detail' }, `process: ${proc}`) : null,
        actions.length ? el('div', { class: 'actions' }, actions) : null);
    }));
  }

  // Internal topics (__consumer_offsets has 50 partitions) start folded; the user's choice is kept.
  const unfolded = new Set();

  function partitionRow(p) {
    const classes = [p.underReplicated ? 'under-replicated' : '', p.offline ? 'offline' : ''].join(' ').trim();
    return el('tr', { 'data-partition': `${p.topic}-${p.partition}`, class: classes || undefined },
      el('td', { class: 'partition' }, p.partition),
      el('td', { class: 'replicas' }, ids(p.replicas)),
      el('td', { class: 'leader' }, p.hasState ? leaderText(p.leader) : '…'),
      el('td', { class: 'isr' }, ids(p.isr)),
      el('td', { class: 'epoch' }, p.hasState ? p.leaderEpoch : ''),
      el('td', {},
        p.offline ? el('span', { class: 'flag offline' }, 'OFFLINE') : null,
        !p.offline && p.underReplicated ? el('span', { class: 'flag under-replicated' }, 'under-replicated') : null));
  }

  function topicSummary(t) {
    const under = t.partitions.filter((p) => p.underReplicated && !p.offline).length;
    const offline = t.partitions.filter((p) => p.offline).length;
    return el('span', {}, `${t.name} `, el('small', {}, `${t.partitions.length} partitions`),
      offline ? el('span', { class: 'flag offline' }, ` ${offline} offline`) : null,
      under ? el('span', { class: 'flag under-replicated' }, ` ${under} under-replicated`) : null);
  }

  function topicTable(t) {
    return el('table', { 'data-topic': t.name },
      el('thead', {}, el('tr', {}, ['partition', 'replicas', 'leader', 'ISR', 'leader epoch', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, t.partitions.map(partitionRow)));
  }

  function renderTopics() {
    const box = $('topics');
    if (state.topics.length === 0) return box.replaceChildren(el('p', { class: 'empty' }, 'no topics yet'));
    const user = state.topics.filter((t) => !t.name.startsWith('__'));
    const internal = state.topics.filter((t) => t.name.startsWith('__'));
    box.replaceChildren(
      ...user.map((t) => el('div', { class: 'topic' }, el('h3', {}, topicSummary(t)), topicTable(t))),
      ...internal.map((t) => {
        const details = el('details', { class: 'topic internal', open: unfolded.has(t.name) },
          el('summary', {}, topicSummary(t)), topicTable(t));
        details.addEventListener('toggle', () => (details.open ? unfolded.add(t.name) : unfolded.delete(t.name)));
        return details;
      }));
  }

  function renderGroups() {
    const box = $('groups');
    if (state.groups.length === 0) return box.replaceChildren(el('p', { class: 'empty' }, 'no consumer groups'));
    box.replaceChildren(...state.groups.map((g) => el('table', { 'data-group': g.groupId },
      el('caption', {}, `${g.groupId} — ${g.state}, ${g.members.length} member${g.members.length === 1 ? '' : 's'}`),
      el('thead', {}, el('tr', {}, ['partition', 'committed', 'log end', 'lag', 'member'].map((h) => el('th', {}, h)))),
      el('tbody', {}, g.partitions.map((p) => el('tr', {},
        el('td', {}, `${p.topic}-${p.partition}`),
        el('td', {}, p.committedOffset ?? '-'),
        el('td', {}, p.logEndOffset ?? '-'),
        el('td', { class: 'lag' }, p.lag ?? '-'),
        el('td', {}, p.owner ?? '-')))))));
  }

  function renderTopicSelects() {
    for (const select of document.querySelectorAll('.topic-select')) {
      const current = select.value;
      const names = state.topics.map((t) => t.name).filter((n) => !n.startsWith('__'));
      if (ids(names) === select.dataset.names) continue;
      select.dataset.names = ids(names);
      select.replaceChildren(...names.map((n) => el('option', { value: n, selected: n === current }, n)));
    }
  }

  function renderProblems() {
    const box = $('problems');
    box.hidden = state.problems.length === 0;
    box.textContent = state.problems.join(' · ');
  }

  function render() {
    if (state === null) return;
    renderZooKeepers();
    renderBrokers();
    renderTopics();
    renderGroups();
    renderTopicSelects();
    renderProblems();
  }

  function addTimeline(events, fresh) {
    const list = $('timeline');
    for (const e of events) {
      const time = new Date(e.time).toLocaleTimeString([], { hour12: false });
      list.prepend(el('li', { 'data-kind': e.kind, 'data-seq': e.seq, class: fresh ? 'fresh' : undefined }, el('time', {}, time), e.text));
    }
  }

  // ---- live updates ----

  function connect() {
    const source = new EventSource('/events');
    const status = $('connection');
    source.addEventListener('snapshot', (m) => {
      const data = JSON.parse(m.data);
      state = data.state;
      $('timeline').replaceChildren();
      addTimeline(data.timeline, false);
      status.textContent = 'live';
      status.dataset.state = 'live';
      render();
    });
    source.addEventListener('state', (m) => {
      state = JSON.parse(m.data);
      render();
    });
    source.addEventListener('timeline', (m) => addTimeline(JSON.parse(m.data), true));
    source.onerror = () => {
      status.textContent = 'connection lost, retrying…';
      status.dataset.state = 'lost';
    };
  }

  // ---- producer / consumer panel ----

  $('produce-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { topic: f.get('topic'), value: f.get('value') };
    if (f.get('key')) body.key = f.get('key');
    if (f.get('partition') !== '') body.partition = Number(f.get('partition'));
    const results = $('produce-results');
    try {
      const r = await request('POST', '/api/produce', body);
      results.prepend(el('li', { class: 'produced' }, `${r.topic}-${r.partition} at offset ${r.offset} (leader: broker ${r.leader})`));
    } catch (err) {
      results.prepend(el('li', { class: 'failed' }, `failed: ${err.message}`));
    }
  });

  $('consume-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const q = new URLSearchParams({ topic: f.get('topic'), partition: f.get('partition') || '0', max: f.get('max') || '10' });
    if (f.get('offset') !== '') q.set('offset', f.get('offset'));
    const box = $('consume-results');
    try {
      const r = await request('GET', `/api/consume?${q}`);
      box.replaceChildren(
        el('p', { class: 'detail' }, `${r.topic}-${r.partition} from leader broker ${r.leader}, high watermark ${r.highWatermark}`),
        el('table', {}, el('thead', {}, el('tr', {}, ['offset', 'key', 'value'].map((h) => el('th', {}, h)))),
          el('tbody', {}, r.records.map((rec) => el('tr', {}, el('td', {}, rec.offset), el('td', {}, rec.key ?? ''), el('td', {}, rec.value ?? ''))))));
    } catch (err) {
      box.replaceChildren(el('p', { class: 'failed' }, `failed: ${err.message}`));
    }
  });

  connect();
})();
