// vigil web viewer: the pages, drawn in the browser from the JSON API
// (docs/web.md).  No framework and no build step.
//
// Safety rules, kept everywhere below: every value that comes from an
// event is put into the page with textContent (never innerHTML, never an
// attribute that a browser would act on), and every link is built by
// route() from this viewer's own pages, with event values only
// percent-encoded inside the fragment.  The server's CSP forbids inline
// script and every other origin on top of that.
'use strict';

const PAGE = 100;
const LIVE_MS = 2000;
const GUID_FIELDS = new Set(['ProcessGuid', 'ParentProcessGuid',
	'SourceProcessGuid', 'SourceProcessGUID', 'TargetProcessGuid',
	'TargetProcessGUID']);
const FILTER_KEYS = ['id', 'since', 'until', 'field', 'q', 'host'];

let source = '';		// '' : the server's default (the first source)
let liveTimer = 0;
let catalog = null;		// /api/catalog: event ids, names, fields
const metas = new Map();	// source ('' the default) -> its /api/meta

// ---- DOM helpers -----------------------------------------------------

// el('tr', {class: 'x', dataset: {rid: 1}}, child...): children that are
// strings become text nodes.
function el(tag, props, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props || {})) {
		if (k === 'class')
			e.className = v;
		else if (k === 'text')
			e.textContent = v;
		else if (k === 'dataset')
			Object.assign(e.dataset, v);
		else if (k.startsWith('on'))
			e.addEventListener(k.slice(2), v);
		else if (k === 'href')
			throw new Error('links are made with link()');
		else
			e.setAttribute(k, v);
	}
	for (const kid of kids) {
		if (kid === null || kid === undefined)
			continue;
		e.append(typeof kid === 'string' || typeof kid === 'number'
			? document.createTextNode(String(kid)) : kid);
	}
	return e;
}

// The fragment of one of our pages: path parts and query values are
// percent-encoded, so no value can leave the fragment or make a scheme.
function route(parts, params) {
	let r = '#/' + parts.map(encodeURIComponent).join('/');
	const q = new URLSearchParams();
	for (const [k, v] of params || [])
		q.append(k, v);
	if (source)
		q.set('source', source);
	const s = q.toString();
	return s ? r + '?' + s : r;
}

function link(text, parts, params, props) {
	const a = el('a', props, text);
	a.href = route(parts, params);
	return a;
}

function clear(node) {
	while (node.firstChild)
		node.firstChild.remove();
	return node;
}

function main() {
	return clear(document.getElementById('main'));
}

// ---- API -------------------------------------------------------------

class ApiError extends Error {}

async function api(path, params) {
	const q = new URLSearchParams(params || []);
	if (source && !q.has('source'))
		q.set('source', source);
	const r = await fetch('/api/' + path + (q.toString() ? '?' + q : ''),
		{ credentials: 'same-origin', headers: { Accept: 'application/json' } });
	if (r.status === 401) {
		location.assign('/login');
		throw new ApiError('not logged in');
	}
	let body;
	try {
		body = await r.json();
	} catch (e) {
		throw new ApiError('HTTP ' + r.status);
	}
	if (!r.ok)
		throw new ApiError(body && body.error ? body.error : 'HTTP ' + r.status);
	return body;
}

function showError(where, err) {
	where.append(el('p', { class: 'error', role: 'alert' }, String(err.message || err)));
}

// ---- events: reading a record ---------------------------------------

function sys(rec) {
	return (rec && rec.Event && rec.Event.System) || {};
}

function data(rec) {
	return (rec && rec.Event && rec.Event.EventData) || {};
}

function taskName(id) {
	if (catalog)
		for (const e of catalog.events)
			if (e.id === id)
				return e.task;
	return 'Event ' + id;
}

// The fields that say what an event is about, per event id.
function summary(id, d) {
	const v = (k) => (d[k] !== undefined && d[k] !== '-' ? d[k] : '');
	switch (id) {
	case 1: return v('CommandLine') || v('Image');
	case 3: return [v('Protocol'), v('SourceIp') + ':' + v('SourcePort'),
		'->', v('DestinationIp') + ':' + v('DestinationPort'),
		v('DestinationHostname')].join(' ').trim();
	case 5: return v('Image');
	case 8: case 10: return v('TargetImage');
	case 11: case 23: case 26: case 29: return v('TargetFilename');
	case 22: return v('QueryName') + ' ' + v('QueryResults');
	case 255: return v('Description') || v('ID');
	default: {
		const skip = new Set(['RuleName', 'UtcTime', 'ProcessGuid',
			'ProcessId', 'Image', 'User']);
		return Object.entries(d).filter(([k]) => !skip.has(k))
			.slice(0, 3).map(([k, x]) => k + '=' + x).join('  ');
	}
	}
}

// ---- the hash router --------------------------------------------------

function parseHash() {
	const h = location.hash.replace(/^#\/?/, '');
	const qi = h.indexOf('?');
	const path = (qi < 0 ? h : h.slice(0, qi)).split('/').map((p) => {
		try { return decodeURIComponent(p); } catch (e) { return ''; }
	});
	const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
	return { path, params };
}

// The meta data of the current source (its hosts), read once.
async function meta() {
	if (!metas.has(source))
		metas.set(source, await api('meta'));
	return metas.get(source);
}

// [['host', h]] when h is set: an event or process of one host (record
// ids and GUIDs are per host in the fleet).
function hostParam(h) {
	return h ? [['host', h]] : [];
}

async function render() {
	clearTimeout(liveTimer);
	liveTimer = 0;
	const { path, params } = parseHash();
	source = params.get('source') || '';
	const sel = document.getElementById('source');
	if (sel && sel.options.length)
		sel.value = source || sel.options[0].value;
	try {
		if (!catalog)
			catalog = await api('catalog');
		const m = await meta();
		document.getElementById('meta').textContent = (m.hosts.length > 3
			? m.hosts.length + ' hosts' : m.hosts.join(', ')) + ' - ' +
			(m.events !== undefined ? m.events + ' events' : m.last_rid + ' records');
		if (path[0] === 'event' && path[1])
			await pageEvent(path[1], params);
		else if (path[0] === 'process' && path[1])
			await pageProcess(path[1], params);
		else
			await pageEvents(params);
	} catch (e) {
		if (!(e instanceof ApiError && e.message === 'not logged in'))
			showError(document.getElementById('main'), e);
	}
}

// ---- page: the event list ---------------------------------------------

function filterParams(params) {
	const out = [];
	for (const k of FILTER_KEYS)
		for (const v of params.getAll(k))
			if (v !== '')
				out.push([k, v]);
	return out;
}

function msToText(ms) {
	return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function filterForm(params, hosts) {
	const form = el('form', { class: 'filters', id: 'filters' });
	const idSel = el('select', { id: 'f-id', name: 'id' },
		el('option', { value: '' }, 'All events'));
	for (const e of catalog.events)
		idSel.append(el('option', { value: String(e.id) }, e.id + ' ' + e.task));
	idSel.value = params.get('id') || '';
	if (idSel.value !== (params.get('id') || '')) {
		// a list like "1,3" from a pivot: keep it as an option
		const v = params.get('id');
		idSel.append(el('option', { value: v }, v));
		idSel.value = v;
	}
	const timeText = (v) => (/^\d+$/.test(v || '') ? msToText(Number(v)) : v || '');
	const since = el('input', { id: 'f-since', name: 'since', placeholder: 'since: 2025-01-31 10:00, 15m, 2h' });
	since.value = timeText(params.get('since'));
	since.dataset.raw = params.get('since') || '';
	const until = el('input', { id: 'f-until', name: 'until', placeholder: 'until' });
	until.value = timeText(params.get('until'));
	until.dataset.raw = params.get('until') || '';
	const q = el('input', { id: 'f-q', name: 'q', placeholder: 'free text' });
	q.value = params.get('q') || '';
	const conds = el('div', { class: 'conds', id: 'f-conds' });
	const addCond = (v) => {
		const i = el('input', { class: 'cond', placeholder: 'Field=value or Field~text', list: 'field-names' });
		i.value = v || '';
		const row = el('span', { class: 'cond-row' }, i,
			el('button', { type: 'button', class: 'x', title: 'remove', onclick: () => row.remove() }, '\u00d7'));
		conds.append(row);
		return i;
	};
	for (const v of params.getAll('field'))
		addCond(v);
	const names = el('datalist', { id: 'field-names' });
	const seen = new Set();
	for (const e of catalog.events)
		for (const f of e.fields)
			if (!seen.has(f)) {
				seen.add(f);
				names.append(el('option', { value: f + '=' }));
			}
	// the host filter, where there is more than one host (the fleet)
	let hostSel = null;
	if (hosts.length > 1 || params.get('host')) {
		hostSel = el('select', { id: 'f-host', name: 'host' },
			el('option', { value: '' }, 'All hosts'));
		for (const h of hosts)
			hostSel.append(el('option', { value: h }, h));
		const h = params.get('host') || '';
		if (h && !hosts.includes(h))
			hostSel.append(el('option', { value: h }, h));
		hostSel.value = h;
	}
	const live = el('input', { type: 'checkbox', id: 'f-live' });
	live.checked = params.get('live') === '1';
	form.append(
		hostSel ? el('label', {}, 'Host ', hostSel) : null,
		el('label', {}, 'Event ', idSel),
		el('label', {}, 'Since ', since),
		el('label', {}, 'Until ', until),
		el('label', { class: 'grow' }, 'Text ', q),
		conds, names,
		el('button', { type: 'button', onclick: () => addCond('').focus() }, '+ field'),
		el('label', { class: 'live' }, live, ' Live'),
		el('button', { type: 'submit', class: 'primary', id: 'f-apply' }, 'Apply'),
		link('Reset', ['events'], [], { class: 'button' }));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const p = [];
		if (idSel.value)
			p.push(['id', idSel.value]);
		// a time the brush set stays exact while its text is untouched
		for (const inp of [since, until]) {
			const raw = inp.dataset.raw;
			const v = raw && timeText(raw) === inp.value ? raw : inp.value.trim();
			if (v)
				p.push([inp.name, v]);
		}
		for (const c of conds.querySelectorAll('input.cond'))
			if (c.value.trim())
				p.push(['field', c.value.trim()]);
		if (q.value)
			p.push(['q', q.value]);
		if (hostSel && hostSel.value)
			p.push(['host', hostSel.value]);
		if (live.checked)
			p.push(['live', '1']);
		location.hash = route(['events'], p);
	});
	live.addEventListener('change', () => form.requestSubmit());
	if (hostSel)
		hostSel.addEventListener('change', () => form.requestSubmit());
	return form;
}

function eventRow(r) {
	const rec = r.record;
	if (!rec)
		return el('tr', { class: 'event damaged', dataset: { rid: r.rid, host: r.host || '' } },
			el('td', {}, String(r.rid)), el('td', { colspan: 5 }, '(damaged record)'));
	const s = sys(rec), d = data(rec);
	const at = hostParam(r.host);
	const tr = el('tr', { class: 'event ev' + s.EventID, dataset: { rid: r.rid, host: r.host || '' } },
		el('td', { class: 'num' }, link(String(r.rid), ['event', String(r.rid)], at, { class: 'rid' })),
		el('td', { class: 'time' }, d.UtcTime || ''),
		el('td', { class: 'id' }, el('span', { class: 'badge ev' + s.EventID }, String(s.EventID)),
			' ', taskName(s.EventID)),
		el('td', { class: 'host' }, s.Computer || ''),
		el('td', { class: 'image' }, d.Image || d.TargetImage || ''),
		el('td', { class: 'summary' }, summary(s.EventID, d)));
	tr.addEventListener('click', (ev) => {
		if (ev.target.tagName !== 'A')
			location.hash = route(['event', String(r.rid)], at);
	});
	return tr;
}

function eventTable(id) {
	return el('table', { class: 'events', id },
		el('thead', {}, el('tr', {},
			el('th', {}, 'Record'), el('th', {}, 'UtcTime'), el('th', {}, 'Event'),
			el('th', {}, 'Computer'), el('th', {}, 'Image'), el('th', {}, 'Details'))),
		el('tbody', {}));
}

async function pageEvents(params) {
	const m = main();
	const filters = filterParams(params);
	m.append(filterForm(params, (await meta()).hosts));
	const hist = el('section', { class: 'histogram', id: 'histogram' });
	m.append(hist);
	const info = el('p', { class: 'muted', id: 'list-info' });
	const table = eventTable('event-list');
	const more = el('button', { id: 'more', hidden: '' }, 'Older events');
	m.append(info, table, more);
	histogram(hist, filters).catch((e) => showError(hist, e));
	const tbody = table.tBodies[0];
	let shown = 0;
	const load = async (before) => {
		more.disabled = true;
		const p = filters.concat([['limit', String(PAGE)]]);
		if (before)
			p.push(['before', String(before)]);
		const page = await api('events', p);
		for (const r of page.events)
			tbody.append(eventRow(r));
		shown += page.events.length;
		info.textContent = shown + ' event' + (shown === 1 ? '' : 's') + ' shown' +
			(!page.more ? '' : page.scanned_from !== undefined
				? ' (records ' + page.scanned_from + ' and older left to read)' : ' (more)');
		more.hidden = !page.more;
		more.disabled = false;
		more.onclick = () => load(page.next_before).catch((e) => showError(m, e));
		return page;
	};
	const first = await load(0);
	// the local store goes on by record id, the fleet by key
	if (params.get('live') === '1')
		live(filters, first.live_after !== undefined ? first.live_after : first.scanned_to, tbody, info);
}

// Live mode: poll for record ids above the last one read.
function live(filters, after, tbody, info) {
	const tick = async () => {
		liveTimer = 0;
		let page;
		try {
			page = await api('events', filters.concat([['after', String(after)], ['limit', '500']]));
		} catch (e) {
			info.textContent = 'live: ' + e.message;
			liveTimer = setTimeout(tick, LIVE_MS * 2);
			return;
		}
		if (!document.getElementById('f-live') || document.getElementById('event-list').tBodies[0] !== tbody)
			return; // the page changed meanwhile
		for (const r of page.events) {
			const tr = eventRow(r);
			tr.classList.add('new');
			tbody.prepend(tr);
		}
		after = page.next_after;
		info.dataset.live = String(after);
		liveTimer = setTimeout(tick, page.more ? 0 : LIVE_MS);
	};
	liveTimer = setTimeout(tick, LIVE_MS);
}

// ---- histogram with a brush -----------------------------------------------

async function histogram(box, filters) {
	const width = Math.max(300, Math.min(1400, box.clientWidth || 900));
	const buckets = Math.max(20, Math.min(200, Math.floor(width / 6)));
	const h = await api('histogram', filters.concat([['buckets', String(buckets)]]));
	const canvas = el('canvas', { id: 'histogram-canvas', width: String(width), height: '90' });
	const label = el('p', { class: 'muted', id: 'histogram-info' });
	box.append(canvas, label);
	const n = h.counts.length;
	const max = Math.max(1, ...h.counts);
	const ctx = canvas.getContext('2d');
	const bw = width / Math.max(1, n);
	const draw = (x0, x1) => {
		ctx.clearRect(0, 0, width, 90);
		ctx.fillStyle = '#3b82c4';
		h.counts.forEach((c, i) => {
			if (!c)
				return;
			const bh = Math.max(1, Math.round(c / max * 80));
			ctx.fillRect(i * bw + 0.5, 90 - bh, Math.max(1, bw - 1), bh);
		});
		if (x0 !== undefined) {
			ctx.fillStyle = 'rgba(240, 160, 40, 0.3)';
			ctx.fillRect(Math.min(x0, x1), 0, Math.abs(x1 - x0), 90);
		}
	};
	draw();
	const toMs = (x) => Math.round(h.from_ms + (x / width) * (h.to_ms - h.from_ms));
	label.textContent = h.total + ' events from ' + msToText(h.from_ms) + ' to ' +
		msToText(h.to_ms) + ' UTC, ' + h.bucket_ms + ' ms per bar' +
		(h.text_ignored ? ' (free text not applied here)' : '') +
		'. Drag across the bars to narrow the time range.';
	let start = null;
	const xOf = (ev) => {
		const r = canvas.getBoundingClientRect();
		return Math.max(0, Math.min(width, (ev.clientX - r.left) * width / r.width));
	};
	canvas.addEventListener('mousedown', (ev) => { start = xOf(ev); });
	canvas.addEventListener('mousemove', (ev) => {
		if (start !== null)
			draw(start, xOf(ev));
		else
			canvas.title = msToText(toMs(xOf(ev))) + ': ' +
				(h.counts[Math.floor(xOf(ev) / bw)] || 0) + ' events';
	});
	canvas.addEventListener('mouseup', (ev) => {
		if (start === null)
			return;
		const x0 = Math.min(start, xOf(ev)), x1 = Math.max(start, xOf(ev));
		start = null;
		if (x1 - x0 < 3) {
			draw();
			return;
		}
		const p = parseHash().params;
		p.set('since', String(toMs(x0)));
		p.set('until', String(Math.max(toMs(x1), toMs(x0) + 1)));
		p.delete('source');
		location.hash = route(['events'], [...p.entries()]);
	});
	canvas.addEventListener('mouseleave', () => { if (start !== null) { start = null; draw(); } });
}

// ---- page: one event ----------------------------------------------------

function pivotCell(name, value, host) {
	const td = el('td', { class: 'value' });
	if (value === '-' || value === '') {
		td.textContent = value;
		return td;
	}
	td.append(link(value, ['events'], [['field', name + '=' + value]],
		{ class: 'pivot', dataset: { field: name }, title: 'events with ' + name + ' = this value' }));
	if (GUID_FIELDS.has(name))
		td.append(' ', link('process', ['process', value], hostParam(host),
			{ class: 'goto-process', dataset: { field: name } }));
	return td;
}

async function pageEvent(rid, params) {
	const m = main();
	const host = params.get('host');
	const r = await api('event', [['rid', rid]].concat(hostParam(host)));
	const rec = r.record;
	if (!rec) {
		m.append(el('p', { class: 'error' }, 'Record ' + r.rid + ' is damaged.'));
		return;
	}
	const s = sys(rec), d = data(rec);
	const box = el('section', { id: 'detail', class: 'detail', dataset: { rid: String(r.rid) } });
	box.append(el('h1', {}, el('span', { class: 'badge ev' + s.EventID }, String(s.EventID)), ' ',
		taskName(s.EventID), el('span', { class: 'muted' }, '  record ' + r.rid)));
	const t = el('table', { class: 'fields', id: 'fields' });
	for (const [k, v] of Object.entries(d))
		t.append(el('tr', { dataset: { field: k } }, el('th', {}, k), pivotCell(k, String(v), host)));
	box.append(t);
	const st = el('table', { class: 'fields system' });
	const add = (k, v) => st.append(el('tr', {}, el('th', {}, k), el('td', {}, String(v))));
	add('Computer', s.Computer);
	add('Channel', s.Channel);
	add('Provider', (s.Provider || {}).Name);
	add('TimeCreated', (s.TimeCreated || {}).SystemTime);
	add('EventRecordID', s.EventRecordID);
	box.append(el('h2', {}, 'System'), st);
	const nav = el('p', { class: 'nav' });
	if (d.ProcessGuid && d.ProcessGuid !== '-')
		nav.append(link('Process view', ['process', d.ProcessGuid], hostParam(host), { class: 'button', id: 'to-process' }), ' ');
	nav.append(link('Events around this one', ['events'], [['since', String(Date.parse((d.UtcTime || '').replace(' ', 'T') + 'Z') - 60000 || '')],
		['until', String(Date.parse((d.UtcTime || '').replace(' ', 'T') + 'Z') + 60000 || '')]].concat(hostParam(host)), { class: 'button' }));
	box.append(nav);
	const raw = el('pre', { class: 'raw', id: 'raw' });
	raw.textContent = JSON.stringify(rec, null, 2);
	box.append(el('details', {}, el('summary', {}, 'JSON'), raw));
	m.append(box);
}

// ---- page: one process ------------------------------------------------------

function procLine(p, cls, host) {
	const li = el('li', { class: cls || '' });
	if (!p.known) {
		li.append(el('span', { class: 'muted' }, (p.pid || '?') + ' ' + (p.image || '?') +
			(p.before_log ? ' (started before the log)' : ' (no ProcessCreate in the log)')));
		return li;
	}
	li.append(link(p.image + ' (' + p.pid + ')', ['process', p.guid], hostParam(host), { class: 'proc', dataset: { guid: p.guid } }),
		el('span', { class: 'muted' }, '  ' + p.time + '  '), el('code', {}, p.cmdline));
	return li;
}

async function pageProcess(guid, params) {
	const m = main();
	const p = await api('process', [['guid', guid]].concat(hostParam(params.get('host'))));
	const host = params.get('host') || p.host || '';
	const box = el('section', { id: 'process', class: 'process', dataset: { guid } });
	const me = p.process;
	box.append(el('h1', {}, me ? me.image + ' (' + me.pid + ')' : 'Process', el('span', { class: 'muted guid' }, '  ' + guid),
		host ? el('span', { class: 'muted', id: 'process-host' }, '  on ' + host) : null));
	if (me) {
		const t = el('table', { class: 'fields' });
		const add = (k, v, pivot) => t.append(el('tr', {}, el('th', {}, k), pivot ? pivotCell(k, v, host) : el('td', {}, v)));
		add('CommandLine', me.cmdline, true);
		add('Image', me.image, true);
		add('User', me.user, true);
		add('Started', me.time);
		add('Ended', p.terminated ? p.terminated.time : '(still running, or not logged)');
		add('ParentProcessGuid', me.parent_guid, true);
		box.append(t);
	} else {
		box.append(el('p', { class: 'muted' }, 'No ProcessCreate event for this GUID in the log; its events follow.'));
	}
	const tree = el('div', { class: 'tree' });
	const anc = el('ol', { id: 'ancestors', class: 'ancestors' });
	for (const a of p.ancestors)
		anc.append(procLine(a, 'ancestor', host));
	if (me)
		anc.append(el('li', { class: 'self' }, el('strong', {}, me.image + ' (' + me.pid + ')')));
	else
		anc.append(el('li', { class: 'self muted' }, 'this process has no ProcessCreate in the log'));
	const kids = el('ul', { id: 'children' });
	for (const c of p.children)
		kids.append(procLine(c, 'child', host));
	const sibs = el('ul', { id: 'siblings' });
	for (const c of p.siblings)
		sibs.append(procLine(c, 'sibling', host));
	tree.append(el('div', {}, el('h2', {}, 'Ancestors'), anc),
		el('div', {}, el('h2', {}, 'Children (' + p.children.length + (p.children_more ? '+' : '') + ')'),
			p.children.length ? kids : el('p', { class: 'muted' }, 'none')),
		el('div', {}, el('h2', {}, 'Siblings (' + p.siblings.length + (p.siblings_more ? '+' : '') + ')'),
			p.siblings.length ? sibs : el('p', { class: 'muted' }, 'none')));
	box.append(tree);
	box.append(el('h2', {}, 'Timeline'));
	const strip = el('canvas', { id: 'timeline-strip', width: '1000', height: '46' });
	const table = eventTable('timeline');
	const info = el('p', { class: 'muted', id: 'timeline-info' });
	const more = el('button', { hidden: '' }, 'Later events');
	box.append(strip, info, table, more);
	m.append(box);
	const all = [];
	const load = async (after) => {
		const page = await api('events', [['process', guid], ['order', 'asc'], ['limit', '500'], ['after', String(after)]].concat(hostParam(host)));
		for (const r of page.events) {
			all.push(r);
			table.tBodies[0].append(eventRow(r));
		}
		info.textContent = all.length + ' events of this process (its own, its children\'s creation, what it did to others)';
		more.hidden = !page.more;
		more.onclick = () => load(page.next_after).then(() => drawStrip(strip, all));
		return page;
	};
	await load(0);
	drawStrip(strip, all);
}

const COLORS = { 1: '#2f855a', 3: '#2b6cb0', 5: '#718096', 11: '#b7791f', 22: '#6b46c1', 23: '#c53030' };

// The process's events on one time axis, one dot per event.
function drawStrip(canvas, rows) {
	const ctx = canvas.getContext('2d');
	const w = canvas.width, h = canvas.height;
	ctx.clearRect(0, 0, w, h);
	const times = rows.map((r) => Date.parse(((data(r.record).UtcTime) || '').replace(' ', 'T') + 'Z'))
		.filter((t) => !Number.isNaN(t));
	if (!times.length)
		return;
	const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1);
	ctx.strokeStyle = '#a0aec0';
	ctx.beginPath();
	ctx.moveTo(8, h / 2);
	ctx.lineTo(w - 8, h / 2);
	ctx.stroke();
	rows.forEach((r) => {
		const t = Date.parse(((data(r.record).UtcTime) || '').replace(' ', 'T') + 'Z');
		if (Number.isNaN(t))
			return;
		const id = sys(r.record).EventID;
		ctx.fillStyle = COLORS[id] || '#4a5568';
		ctx.beginPath();
		ctx.arc(8 + (t - t0) / (t1 - t0) * (w - 16), h / 2, 6, 0, 2 * Math.PI);
		ctx.fill();
	});
	ctx.fillStyle = '#4a5568';
	ctx.font = '11px sans-serif';
	ctx.fillText(msToText(t0), 8, h - 2);
	const end = msToText(t1);
	ctx.fillText(end, w - 8 - ctx.measureText(end).width, h - 2);
}

// ---- start ----------------------------------------------------------------

async function start() {
	try {
		source = parseHash().params.get('source') || '';
		const m = await meta();
		const sources = m.sources || [m.source];
		const sel = document.getElementById('source');
		for (const s of sources)
			sel.append(el('option', { value: s }, s));
		document.getElementById('source-box').hidden = sources.length < 2;
		sel.addEventListener('change', () => {
			source = sel.value === sources[0] ? '' : sel.value;
			location.hash = route(['events'], []);
		});
	} catch (e) {
		if (e.message === 'not logged in')
			return;
	}
	window.addEventListener('hashchange', render);
	render();
}

start();
