// Sekisho console: the audit log's live view. Polls /console/audit/live/events with the page's read
// session (one AUDIT_READ for the whole view, not one per poll) and puts new events at the top of the
// table. Text only (textContent), never markup: every value came from outside.
(function () {
  'use strict';
  var table = document.getElementById('live-events');
  if (!table) {
    return;
  }
  var body = table.tBodies[0];
  var status = document.getElementById('live-status');
  var session = table.getAttribute('data-session');
  var after = table.getAttribute('data-after') || '';
  var url = table.getAttribute('data-events');
  var every = Math.max(2000, Math.min(5000, parseInt(table.getAttribute('data-poll'), 10) || 3000));
  var keep = parseInt(table.getAttribute('data-keep'), 10) || 500;
  var openLabel = table.getAttribute('data-open');
  var seen = {};
  var fails = 0;

  Array.prototype.forEach.call(body.rows, function (tr) {
    seen[tr.getAttribute('data-node') + '/' + tr.getAttribute('data-seq')] = true;
  });

  function say(text, cls) {
    status.textContent = text;
    status.className = cls;
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    if (cls) {
      td.className = cls;
    }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function row(e) {
    var tr = document.createElement('tr');
    tr.className = e.deny ? 'event deny new' : 'event new';
    tr.setAttribute('data-node', e.node);
    tr.setAttribute('data-seq', String(e.seq));
    cell(tr, e.time, 'nowrap');
    cell(tr, e.type);
    var badge = document.createElement('span');
    badge.className = 'badge badge-' + e.outcome.replace(/[^A-Z_]/g, '');
    badge.textContent = e.outcomeLabel;
    cell(tr, '').appendChild(badge);
    cell(tr, e.reason, 'mono');
    cell(tr, e.subject, 'subject');
    cell(tr, e.source, 'mono');
    cell(tr, e.route);
    cell(tr, e.approval);
    cell(tr, e.transfer, 'mono');
    var a = document.createElement('a');
    a.className = 'detail';
    a.href = e.href; // a same-origin path the gateway built
    a.textContent = openLabel;
    cell(tr, '').appendChild(a);
    return tr;
  }

  function show(answer) {
    // newest first in the answer: insert the oldest first so that the newest ends on top
    for (var i = answer.events.length - 1; i >= 0; i--) {
      var e = answer.events[i];
      var key = e.node + '/' + e.seq;
      if (!seen[key]) {
        seen[key] = true;
        body.insertBefore(row(e), body.firstChild);
      }
    }
    while (body.rows.length > keep) {
      var last = body.rows[body.rows.length - 1];
      delete seen[last.getAttribute('data-node') + '/' + last.getAttribute('data-seq')];
      body.removeChild(last);
    }
    if (answer.after) {
      after = answer.after;
    }
    if (answer.gap) {
      say(status.getAttribute('data-gap'), 'pending');
    } else {
      say(status.getAttribute('data-running'), 'notice');
    }
  }

  function stop(why) {
    say(status.getAttribute('data-stopped') + (why ? ' (' + why + ')' : ''), 'error');
  }

  function poll() {
    var q = '?session=' + encodeURIComponent(session) + (after ? '&after=' + encodeURIComponent(after) : '');
    fetch(url + q, {credentials: 'same-origin', headers: {'Accept': 'application/json'}, cache: 'no-store'})
      .then(function (r) {
        return r.json().then(function (j) {
          return {ok: r.ok, status: r.status, body: j};
        });
      })
      .then(function (r) {
        if (!r.ok) {
          // a refused session (restart, expiry) is final: the page must be opened again
          stop((r.body && r.body.reason) || String(r.status));
          return;
        }
        fails = 0;
        show(r.body);
        window.setTimeout(poll, every);
      })
      .catch(function () {
        fails++;
        if (fails >= 5) {
          stop('');
          return;
        }
        window.setTimeout(poll, every * 2);
      });
  }

  window.setTimeout(poll, every);
}());
