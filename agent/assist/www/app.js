// caseprobe assist page: one step shown at a time, state polled from the
// local caseprobe (GET api/state, which is also the page's heartbeat),
// actions POSTed to api/*. No framework; every word comes from the page
// (#strings), which caseprobe translated when it served it.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const S = $('strings').dataset;
  const lang = document.documentElement.lang || 'en';
  let state = null;
  let shown = null;
  let stepWanted = 'phone';
  let lastAnnounce = '';

  function announce(text) {
    if (text && text !== lastAnnounce) {
      lastAnnounce = text;
      $('announce').textContent = text;
    }
  }

  function showError(text) {
    const e = $('error');
    e.textContent = text || '';
    e.hidden = !text;
  }

  function show(step) {
    stepWanted = step;
    if (shown === step) return;
    shown = step;
    for (const s of document.querySelectorAll('[data-step]')) s.hidden = s.id !== 'step-' + step;
    const h = $('step-' + step).querySelector('h2');
    if (h) {
      h.focus();
      announce(S.step + ' ' + h.textContent);
    }
  }

  async function post(path, body) {
    const r = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
    });
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    if (!r.ok) {
      showError((j && j.error) || r.statusText);
      return null;
    }
    showError('');
    if (j && j.phase) render(j);
    return j;
  }

  function renderPhone(d) {
    const st = (d && d.state) || 'none';
    // One phone is there: go on (collecting asks for Trust / unlock and waits).
    const ready = st !== 'none' && st !== 'many' && st !== 'usbmuxd';
    let line = S[st] || S.unknown;
    if (d && d.model && st !== 'none' && st !== 'many' && st !== 'usbmuxd')
      line = S.found + ' ' + d.model + (d.ios ? ' (iOS ' + d.ios + ')' : '') + '. ' + line;
    if ($('phone-line').textContent !== line) $('phone-line').textContent = line;
    $('phone-next').disabled = !ready;
    $('phone-status').dataset.state = st;
  }

  function renderWho(s) {
    const box = $('who-box');
    if (box.dataset.done) return;
    box.dataset.done = '1';
    box.textContent = '';
    const r = s.request;
    const p = document.createElement('p');
    if (r) {
      const strong = document.createElement('strong');
      strong.id = 'requested-by';
      strong.textContent = S.requestedBy + ' ' + r.org + (r.verified ? ' — ' + S.verified : '');
      p.appendChild(strong);
      box.appendChild(p);
      const c = document.createElement('p');
      c.textContent = S.case + ' ' + r.case_id + '. ' + S.expires + ' ' + r.expires + '.';
      box.appendChild(c);
      if (!r.verified) {
        const w = document.createElement('p');
        w.className = 'warn';
        w.textContent = S.unsigned;
        box.appendChild(w);
      }
      $('case-row').hidden = true;
    } else {
      p.textContent = S.norequest;
      box.appendChild(p);
      $('case-row').hidden = false;
      if (s.case_id && !$('case-id').value) $('case-id').value = s.case_id;
    }
  }

  function renderScopes(s) {
    const ul = $('scope-list');
    if (ul.dataset.done) return;
    ul.dataset.done = '1';
    for (const sc of s.scopes) {
      const li = document.createElement('li');
      const id = 'scope-' + sc.name;
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.id = id;
      input.value = sc.name;
      input.checked = !!sc.asked; // nothing the request did not ask for
      input.setAttribute('aria-describedby', id + '-d');
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = sc.title;
      const d = document.createElement('div');
      d.id = id + '-d';
      d.className = 'scope-detail';
      const what = document.createElement('p');
      what.textContent = S.contains + ' ' + sc.reads;
      const why = document.createElement('p');
      why.textContent = sc.asked ? S.asked + ' “' + sc.reason + '”' : S.notasked;
      d.appendChild(what);
      d.appendChild(why);
      li.appendChild(input);
      li.appendChild(label);
      li.appendChild(d);
      ul.appendChild(li);
    }
  }

  function renderMembers(s) {
    const ul = $('member-list');
    const key = (s.members || []).map((m) => m.name).join('|');
    if (ul.dataset.key === key) return;
    ul.dataset.key = key;
    ul.textContent = '';
    for (const m of s.members || []) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'member';
      b.dataset.name = m.name;
      b.textContent = S.show + ' ' + m.name + ' (' + m.size + ' ' + S.bytes + ')';
      b.addEventListener('click', () => preview(m.name));
      li.appendChild(b);
      ul.appendChild(li);
    }
  }

  async function preview(name) {
    const r = await fetch('api/member?name=' + encodeURIComponent(name), { credentials: 'same-origin' });
    const text = await r.text();
    $('preview-title').textContent = name + (r.headers.get('X-Truncated') === '1' ? ' ' + S.truncated : '');
    $('preview').textContent = text; // text only, never markup
    $('preview-box').hidden = false;
    $('preview').focus();
  }

  function render(s) {
    state = s;
    renderPhone(s.device);
    renderWho(s);
    renderScopes(s);
    const ph = s.phase;
    if (ph === 'collecting') {
      show('collect');
      const p = s.progress || {};
      const pct = p.steps ? Math.round((100 * Math.max(0, (p.step || 1) - 1)) / p.steps) : 0;
      $('collect-bar').value = pct;
      let line = p.title ? S.collecting + ' ' + p.title + ' (' + (p.step || 1) + '/' + p.steps + ')' : '';
      if (p.waiting === 'trust') line = S.waitTrust;
      if (p.waiting === 'unlock') line = S.waitUnlock;
      if ($('collect-line').textContent !== line) $('collect-line').textContent = line;
    } else if (ph === 'collected' || ph === 'sending') {
      show('review');
      renderMembers(s);
      const r = s.request;
      const canSend = r && r.can_upload;
      $('send').disabled = !canSend || ph === 'sending';
      $('save').disabled = ph === 'sending';
      $('send-note').textContent = canSend ? S.willSend + ' ' + r.org + '.' : S.cannotSend;
      if (ph === 'sending') {
        const u = s.upload || {};
        $('send-label').hidden = false;
        $('send-bar').hidden = false;
        $('send-bar').value = u.total ? Math.round((100 * u.done) / u.total) : 0;
        if ($('send-line').textContent !== S.sending) $('send-line').textContent = S.sending;
      } else {
        $('send-line').textContent = '';
      }
      if (s.error) showError(s.error);
    } else if (ph === 'sent' || ph === 'saved') {
      show('done');
      const line = ph === 'sent' ? S.sent + ' ' + s.receipt + '.' : S.saved + ' ' + s.saved;
      $('done-line').textContent = line;
      $('done-line').id = 'done-line';
      announce(line);
    } else if (ph === 'cancelled') {
      show('cancelled');
    } else if (ph === 'failed') {
      show('scopes');
      if (s.error) showError(s.error);
    } else if (shown === null || shown === 'collect' || shown === 'review' || shown === 'done' || shown === 'cancelled') {
      show(stepWanted === 'collect' ? 'scopes' : stepWanted);
    }
  }

  let polling = true;
  async function poll() {
    if (!polling) return;
    try {
      const r = await fetch('api/state', { credentials: 'same-origin' });
      if (r.ok) render(await r.json());
    } catch (e) { /* caseprobe stopped: keep the page as it is */ }
    setTimeout(poll, 700);
  }

  $('phone-next').addEventListener('click', () => show('who'));
  $('who-next').addEventListener('click', () => show('scopes'));
  for (const b of document.querySelectorAll('button.back'))
    b.addEventListener('click', () => show(b.dataset.to));
  for (const b of document.querySelectorAll('button.cancel'))
    b.addEventListener('click', async () => {
      await post('api/cancel');
      announce(S.cancelled);
      show('cancelled');
    });
  $('collect').addEventListener('click', async () => {
    const scopes = [...document.querySelectorAll('#scope-list input:checked')].map((i) => i.value);
    if (!scopes.length) { showError(S.pickOne); return; }
    const j = await post('api/collect', { scopes, lang, case_id: $('case-id').value.trim() });
    if (j) show('collect');
  });
  $('send').addEventListener('click', () => post('api/send'));
  $('save').addEventListener('click', () => post('api/save'));
  $('restart').addEventListener('click', () => show('phone'));
  // The page is finished whatever happens to the reply: caseprobe may end
  // before its answer to api/close reaches a slow browser.
  async function finish() {
    polling = false;
    try { await post('api/close'); } catch (e) { /* caseprobe already ended */ }
    show('closed');
  }
  $('finish').addEventListener('click', finish);
  for (const b of document.querySelectorAll('button.finish')) b.addEventListener('click', finish);

  show('phone');
  poll();
})();
