// ssmpatch status report: sorting and filtering of the node table. The page reads fully without
// it. Reads only data-* attributes and textContent; builds its controls with createElement and
// textContent. The view is kept in the URL fragment (#verdict=failed,missed&q=text&sort=-node),
// so a filtered view can be bookmarked, shared or opened directly.
(function () {
  'use strict';
  var doc = document;
  var table = doc.getElementById('node-table');
  if (!table || !table.tBodies.length) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var verdicts = (table.getAttribute('data-verdicts') || '').split(' ').filter(Boolean);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var texts = [];
  var sortKey = '';
  var sortDir = 1;
  var moved = false;

  function el(tag, attrs, text) {
    var e = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // The controls: a text filter, one checkbox per verdict with its row count, "n of N shown".
  var bar = el('div', { 'class': 'controls', role: 'search', 'data-controls': '' });
  var input = el('input', { type: 'search', id: 'node-filter', placeholder: 'node, reason, command id\u2026', 'aria-label': 'Filter nodes' });
  var label = el('label', {}, 'Filter ');
  label.appendChild(input);
  bar.appendChild(label);
  var set = el('fieldset', {});
  set.appendChild(el('legend', {}, 'Verdicts'));
  var boxes = {};
  verdicts.forEach(function (v) {
    var n = rows.filter(function (r) { return r.getAttribute('data-verdict') === v; }).length;
    var box = el('input', { type: 'checkbox', 'data-verdict': v });
    box.checked = true;
    var l = el('label', { 'data-verdict': v });
    l.appendChild(box);
    l.appendChild(doc.createTextNode(' ' + v + ' (' + n + ')'));
    set.appendChild(l);
    boxes[v] = box;
  });
  bar.appendChild(set);
  var shown = el('output', { id: 'node-shown', 'aria-live': 'polite' });
  bar.appendChild(shown);
  table.parentNode.insertBefore(bar, table);

  function cellValue(row, i) {
    var c = row.cells[i];
    if (!c) { return ''; }
    var s = c.getAttribute('data-sort');
    return s === null ? c.textContent.trim() : s;
  }
  function compare(a, b) {
    if (a === b) { return 0; }
    if (a === '') { return 1; }   // blanks last, either direction (see sortRows)
    if (b === '') { return -1; }
    var x = Number(a), y = Number(b);
    if (isFinite(x) && isFinite(y)) { return x < y ? -1 : x > y ? 1 : 0; }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function sortRows() {
    var i = -1;
    heads.forEach(function (h, j) {
      var key = h.getAttribute('data-key');
      if (key === sortKey) { i = j; }
      if (key) { h.setAttribute('aria-sort', key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none'); }
    });
    // Unsorted and never moved: the rows are in the report's order already (a large table
    // would pay for moving every row).
    if (i < 0 && !moved) { return; }
    moved = i >= 0;
    var order = rows.map(function (r, n) { return { r: r, n: n, v: i < 0 ? '' : cellValue(r, i) }; });
    if (i >= 0) {
      order.sort(function (a, b) {
        if (a.v === '' || b.v === '') { return compare(a.v, b.v) || a.n - b.n; }
        return sortDir * compare(a.v, b.v) || a.n - b.n;
      });
    }
    var frag = doc.createDocumentFragment();
    order.forEach(function (o) { frag.appendChild(o.r); });
    tbody.appendChild(frag);
  }
  function filterRows() {
    var q = input.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r, j) {
      var ok = !!(boxes[r.getAttribute('data-verdict')] || {}).checked;
      if (ok && q) {
        if (texts[j] === undefined) { texts[j] = r.textContent.toLowerCase(); }
        ok = texts[j].indexOf(q) >= 0;
      }
      if (r.hidden === ok) { r.hidden = !ok; }   // only rows that change
      if (ok) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' shown';
    table.setAttribute('data-shown', String(n));
  }

  function readHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var eq = part.indexOf('=');
      if (eq <= 0) { return; }
      try { params[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' ')); } catch (e) { /* ignore a malformed part */ }
    });
    var only = params.verdict === undefined ? null : params.verdict.split(',');
    verdicts.forEach(function (v) { boxes[v].checked = !only || only.indexOf(v) >= 0; });
    input.value = params.q || '';
    var s = params.sort || '';
    sortDir = s.charAt(0) === '-' ? -1 : 1;
    sortKey = s.replace(/^-/, '');
    if (!heads.some(function (h) { return h.getAttribute('data-key') === sortKey; })) { sortKey = ''; sortDir = 1; }
    sortRows();
    filterRows();
  }
  function writeHash() {
    var parts = [];
    var on = verdicts.filter(function (v) { return boxes[v].checked; });
    if (on.length !== verdicts.length) { parts.push('verdict=' + on.join(',')); }
    if (input.value.trim()) { parts.push('q=' + encodeURIComponent(input.value.trim())); }
    if (sortKey) { parts.push('sort=' + (sortDir < 0 ? '-' : '') + sortKey); }
    var hash = parts.length ? '#' + parts.join('&') : '';
    if (hash !== location.hash) {
      try { history.replaceState(null, '', location.pathname + location.search + hash); } catch (e) { /* file: URLs in some browsers */ }
    }
  }

  heads.forEach(function (h) {
    var key = h.getAttribute('data-key');
    if (!key) { return; }
    var b = el('button', { type: 'button', title: 'Sort by ' + h.textContent.trim() }, h.textContent.trim());
    h.textContent = '';
    h.appendChild(b);
    b.addEventListener('click', function () {
      if (sortKey === key) { sortDir = -sortDir; } else { sortKey = key; sortDir = 1; }
      sortRows();
      writeHash();
    });
  });
  input.addEventListener('input', function () { filterRows(); writeHash(); });
  verdicts.forEach(function (v) { boxes[v].addEventListener('change', function () { filterRows(); writeHash(); }); });
  window.addEventListener('hashchange', readHash);

  // Evidence: open in the page (readable without JS), folded on screen, unfolded for printing.
  var details = Array.prototype.slice.call(tbody.querySelectorAll('details'));
  var before = null;
  details.forEach(function (d) { d.open = false; });
  window.addEventListener('beforeprint', function () {
    before = details.map(function (d) { return d.open; });
    details.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    if (before) { details.forEach(function (d, j) { d.open = before[j]; }); before = null; }
  });

  readHash();
  doc.documentElement.setAttribute('data-js', 'on');
}());
