/*
 * Minyi enumerator app, the page: assignments with quota cells filling up, interviews saved
 * (store.js) on every answer, page by page (form.js), visits without an interview, and the
 * sync queue (sync.js) shown and started. Skip logic is questionnaires/js/expressions.js
 * (MinyiExpressions), as on the web survey. Plain ES2017, no dependencies.
 */
(function () {
  "use strict";

  var E = window.MinyiExpressions;
  var S = window.MinyiCapiStore;
  var T = JSON.parse(document.getElementById("capi-texts").textContent);
  var USER = document.body.getAttribute("data-user");
  var LANGUAGE = (document.documentElement.lang || "zh").split("-")[0];
  var F = window.MinyiCapiForm.create(T, LANGUAGE);
  var el = F.el;
  var format = F.format;
  var localize = F.localize;
  var findQuestion = F.findQuestion;
  var computePages = F.computePages;
  var shownNames = F.shownNames;
  var saveInterview = S.saveInterview;
  var put = S.put;
  var getOne = S.getOne;
  var newUuid = S.newUuid;
  var state = {boot: null, bootAt: 0, deviceId: "", current: null, pages: [],
    outcomeFor: null, shownAt: 0};

  function $(id) {
    return document.getElementById(id);
  }

  function myInterviews() {
    return S.interviewsOf(USER);
  }

  /* ---------- the downloaded work: assignments, questionnaires, codes ---------- */

  function loadBootstrap() {
    return fetch("/api/capi/bootstrap", {credentials: "same-origin",
      headers: {accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("bootstrap " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        state.boot = data;
        state.bootAt = Date.now();
        return put("meta", {key: "bootstrap:" + USER, data: data, at: state.bootAt});
      })
      .catch(function () {
        return getOne("meta", "bootstrap:" + USER).then(function (saved) {
          if (saved) {
            state.boot = saved.data;
            state.bootAt = saved.at;
          }
        });
      });
  }

  function assignmentById(id) {
    return (state.boot ? state.boot.assignments : []).filter(function (a) {
      return a.id === id;
    })[0];
  }

  function formFor(assignment) {
    return state.boot.questionnaires[String(assignment.wave_id)];
  }

  function dispositionLabel(code) {
    var found = (state.boot ? state.boot.dispositions : []).filter(function (d) {
      return d.code === code;
    })[0];
    return found ? found.label : code;
  }

  /* ---------- quotas: server counts plus what this tablet has not yet reported ---------- */

  function quotaKey(values) {
    var fields = state.boot ? state.boot.quota_fields : [];
    var parts = fields.map(function (field) {
      return values[field];
    });
    return parts.some(function (v) { return v === undefined || v === ""; }) ? null : parts.join("|");
  }

  function notYetCounted(item) {
    return item.status !== "draft" && item.disposition === "1.1" &&
      !(item.status === "sent" && item.sentAt && item.sentAt < state.bootAt);
  }

  function localCounts(items, assignmentId) {
    var counts = {total: 0, cells: {}};
    items.forEach(function (item) {
      if (item.assignmentId === assignmentId && notYetCounted(item)) {
        counts.total += 1;
        if (item.quotaKey) {
          counts.cells[item.quotaKey] = (counts.cells[item.quotaKey] || 0) + 1;
        }
      }
    });
    return counts;
  }

  function cellLabel(key, definition) {
    var fields = state.boot.quota_fields;
    return key.split("|").map(function (value, index) {
      var name = fields[index];
      var question = findQuestion(definition.items, name);
      if (question && question.list_name) {
        var list = (definition.choice_lists || []).filter(function (l) {
          return l.name === question.list_name;
        })[0];
        var choice = list && list.choices.filter(function (c) { return c.name === value; })[0];
        if (choice) {
          return localize(choice.label, definition);
        }
      }
      var range = /^age_(\d+)_(\d+)$/.exec(value);
      if (range) {
        return format(T.ageYears, {low: range[1], high: range[2]});
      }
      var plus = /^age_(\d+)_plus$/.exec(value);
      return plus ? format(T.agePlus, {low: plus[1]}) : value;
    }).join(" · ");
  }

  function cellIsFull(assignment, key, items) {
    var local = localCounts(items, assignment.id);
    var cell = assignment.quota.filter(function (c) { return c.key === key; })[0];
    return Boolean(cell) && cell.filled + (local.cells[key] || 0) >= cell.target;
  }

  /* ---------- home: assignments and the sync queue ---------- */

  function showView(name) {
    ["home-view", "interview-view", "outcome-view"].forEach(function (id) {
      $(id).hidden = id !== name;
    });
    window.scrollTo(0, 0);
  }

  function notice(text) {
    $("notice").textContent = text;
    $("notice").hidden = !text;
  }

  function renderHome() {
    return myInterviews().then(function (items) {
      renderAssignments(items);
      renderQueue(items);
    });
  }

  function renderAssignments(items) {
    if (!state.boot) {
      notice(T.noDataOffline);
      return;
    }
    var body = $("assignment-rows");
    body.textContent = "";
    state.boot.assignments.forEach(function (a) {
      var local = localCounts(items, a.id);
      var definition = formFor(a).definition;
      var cells = el("ul", {"class": "cells"}, a.quota.map(function (cell) {
        var filled = cell.filled + (local.cells[cell.key] || 0);
        var full = filled >= cell.target;
        return el("li", {"class": full ? "cell full" : "cell", "data-cell": cell.key}, [
          cellLabel(cell.key, definition) + " " + filled + "/" + cell.target +
            (full ? " (" + T.quotaFull + ")" : "")]);
      }));
      var start = el("button", {type: "button", "class": "start"}, [T.start]);
      start.addEventListener("click", function () {
        startInterview(a);
      });
      var none = el("button", {type: "button", "class": "secondary no-interview"}, [T.nonResponse]);
      none.addEventListener("click", function () {
        openOutcome(a, null);
      });
      body.appendChild(el("tr", {"data-assignment": String(a.id)}, [
        el("td", {}, [a.street.name]),
        el("th", {scope: "row"}, [a.community.name]),
        el("td", {"class": "progress"}, [(a.completed + local.total) + " / " + a.target]),
        el("td", {}, [cells]),
        el("td", {"class": "actions"}, [start, none])
      ]));
    });
  }

  function statusText(item) {
    if (item.status === "sent" && item.reviewState === "approved") {
      return T.approved;
    }
    return T[item.status] || item.status;
  }

  function renderQueue(items) {
    var counts = {pending: 0, sent: 0, rejected: 0};
    items.forEach(function (item) {
      if (item.status === "pending") {
        counts.pending += 1;
      } else if (item.status === "sent") {
        counts.sent += 1;
      } else if (item.status !== "draft") {
        counts.rejected += 1;
      }
    });
    $("queue-summary").textContent = format(T.queueSummary, counts);
    $("queue-count").textContent = counts.pending ? String(counts.pending) : "";
    var list = $("queue-items");
    list.textContent = "";
    items.slice().sort(function (a, b) { return b.updatedAt - a.updatedAt; }).forEach(function (item) {
      var assignment = assignmentById(item.assignmentId);
      var place = assignment ? assignment.community.name : "";
      var when = new Date(item.updatedAt).toLocaleString(document.documentElement.lang);
      var parts = [
        el("span", {"class": "status status-" + item.status}, [statusText(item)]),
        " " + place + " · " + (item.disposition ? dispositionLabel(item.disposition) : T.interview) +
          " · " + when
      ];
      if (item.comment) {
        parts.push(el("p", {"class": "comment"}, [T.comment + ": " + item.comment]));
      }
      if (item.message) {
        parts.push(el("p", {"class": "message"}, [item.message]));
      }
      if (["draft", "returned", "rejected"].indexOf(item.status) >= 0 && assignment) {
        var button = el("button", {type: "button", "class": "secondary correct"},
          [item.status === "draft" ? T.resume : T.correct]);
        button.addEventListener("click", function () {
          resumeInterview(item);
        });
        parts.push(button);
      }
      list.appendChild(el("li", {"data-uuid": item.uuid, "data-status": item.status}, parts));
    });
  }

  function renderNetwork() {
    $("network").textContent = navigator.onLine ? T.online : T.offline;
    $("network").className = navigator.onLine ? "network online" : "network offline";
  }

  /* ---------- interviews: pages, questions, skip logic, paradata ---------- */

  function formState(item) {
    var definition = currentDefinition();
    return E.formState(definition, item.answers, {});
  }

  function currentDefinition() {
    return formFor(assignmentById(state.current.assignmentId)).definition;
  }

  function pageShown(index, relevant) {
    return shownNames(state.pages[index].items, relevant).length > 0;
  }

  function startInterview(assignment) {
    var form = formFor(assignment);
    var answers = {};
    ["district", "street", "community"].forEach(function (level) {
      if (findQuestion(form.definition.items, level)) {
        answers[level] = assignment[level].code;
      }
    });
    var item = {
      uuid: newUuid(), owner: USER, assignmentId: assignment.id, waveId: assignment.wave_id,
      versionId: form.version_id, disposition: null, answers: answers, status: "draft",
      page: 0, comment: "", message: "", attempts: 0, nextAttemptAt: 0, createdAt: Date.now(),
      paradata: {started_at: new Date().toISOString(), timings: {}, device_id: state.deviceId,
        language: LANGUAGE}
    };
    state.current = item;
    saveInterview(item).then(function () {
      openInterview(true);
    });
  }

  function resumeInterview(item) {
    state.current = item;
    item.page = item.status === "draft" ? item.page || 0 : 0;
    openInterview(false);
  }

  function openInterview(askGps) {
    var item = state.current;
    var assignment = assignmentById(item.assignmentId);
    var form = formFor(assignment);
    state.pages = computePages(form.definition);
    $("interview-title").textContent = localize(form.definition.title, form.definition);
    $("interview-place").textContent = assignment.street.name + " · " + assignment.community.name +
      (item.comment ? " — " + T.comment + ": " + item.comment : "");
    showView("interview-view");
    $("gps-panel").hidden = !askGps;
    $("interview-form").hidden = askGps;
    firstPage();
    if (askGps) {
      $("gps-consent").checked = false;
      $("begin").focus();
    } else {
      renderPage();
    }
  }

  function firstPage() {
    var item = state.current;
    if (!pageShown(item.page, formState(item).relevant)) {
      item.page = Math.max(0, nextPage(item.page, formState(item).relevant));
    }
  }

  function recordGps() {
    if (!navigator.geolocation) {
      return;
    }
    var item = state.current;
    navigator.geolocation.getCurrentPosition(function (position) {
      item.paradata.gps = {
        latitude: Math.round(position.coords.latitude * 100) / 100,
        longitude: Math.round(position.coords.longitude * 100) / 100
      };
      saveInterview(item);
    }, function () {}, {enableHighAccuracy: false, timeout: 15000, maximumAge: 600000});
  }

  function renderPage(problems) {
    var item = state.current;
    var definition = currentDefinition();
    var form = formState(item);
    var page = state.pages[item.page];
    var container = $("page-questions");
    container.textContent = "";
    var heading = localize(page.label, definition);
    if (heading) {
      container.appendChild(el("h3", {}, [heading]));
    }
    container.appendChild(el("p", {"class": "hint"}, [format(T.page,
      {page: item.page + 1, pages: state.pages.length})]));
    if (previousPage(item.page, form.relevant) < 0) {
      container.appendChild(F.noticeNode(definition));
    }
    F.itemsNode(page.items, definition, form, item.answers, problems || {})
      .forEach(function (node) {
        container.appendChild(node);
      });
    $("quota-stop").hidden = true;
    $("next").textContent = isLastPage(item.page, form.relevant) ? T.finish : T.next;
    $("back").disabled = previousPage(item.page, form.relevant) < 0;
    state.shownAt = Date.now();
  }

  function nextPage(from, relevant) {
    for (var i = from + 1; i < state.pages.length; i += 1) {
      if (pageShown(i, relevant)) {
        return i;
      }
    }
    return -1;
  }

  function previousPage(from, relevant) {
    for (var i = from - 1; i >= 0; i -= 1) {
      if (pageShown(i, relevant)) {
        return i;
      }
    }
    return -1;
  }

  function isLastPage(index, relevant) {
    return nextPage(index, relevant) < 0;
  }

  function readField(target) {
    var item = state.current;
    var name = target.name;
    if (!name) {
      return;
    }
    if (target.type === "checkbox") {
      var boxes = document.querySelectorAll("#page-questions input[name='" + name + "']");
      item.answers[name] = Array.prototype.filter.call(boxes, function (b) {
        return b.checked;
      }).map(function (b) {
        return b.value;
      });
    } else if (target.value === "") {
      delete item.answers[name];
    } else {
      item.answers[name] = target.value;
    }
    var now = Date.now();
    var timings = item.paradata.timings;
    timings[name] = Math.round(((timings[name] || 0) + (now - state.shownAt) / 1000) * 10) / 10;
    state.shownAt = now;
  }

  function onFieldChange(event) {
    readField(event.target);
    var item = state.current;
    saveInterview(item);
    if (event.type === "change") {
      var focused = document.activeElement ? document.activeElement.id : "";
      var shownAt = state.shownAt;
      renderPage();
      state.shownAt = shownAt;
      if (focused && $(focused)) {
        $(focused).focus();
      }
    }
  }

  function onNext(event) {
    event.preventDefault();
    var item = state.current;
    if (!$("quota-stop").hidden) {
      finishInterview("4.80");
      return;
    }
    var problems = F.pageProblems(currentDefinition(), state.pages[item.page], formState(item));
    if (Object.keys(problems).length) {
      renderPage(problems);
      var first = document.querySelector("#page-questions .has-error input");
      if (first) {
        first.focus();
      }
      return;
    }
    var form = formState(item);
    var assignment = assignmentById(item.assignmentId);
    var key = quotaKey(form.values);
    if (key && item.quotaCheckedKey !== key) {
      return myInterviews().then(function (items) {
        var others = items.filter(function (other) { return other.uuid !== item.uuid; });
        if (cellIsFull(assignment, key, others)) {
          $("quota-stop").textContent = format(T.quotaStop,
            {cell: cellLabel(key, currentDefinition())});
          $("quota-stop").hidden = false;
          $("next").textContent = dispositionLabel("4.80");
          $("quota-stop").focus();
          return;
        }
        item.quotaCheckedKey = key;
        advance(item, form);
      });
    }
    advance(item, form);
  }

  function advance(item, form) {
    var next = nextPage(item.page, form.relevant);
    if (next < 0) {
      finishInterview(outcomeOf(form.values));
      return;
    }
    item.page = next;
    saveInterview(item);
    renderPage();
    $("interview-title").focus();
  }

  function outcomeOf(values) {
    var rules = formFor(assignmentById(state.current.assignmentId)).outcome_rules;
    for (var i = 0; i < rules.length; i += 1) {
      if (E.evaluateBoolean(rules[i][0], values, {})) {
        return rules[i][1];
      }
    }
    return "1.1";
  }

  function onBack() {
    var item = state.current;
    var previous = previousPage(item.page, formState(item).relevant);
    if (previous >= 0) {
      item.page = previous;
      saveInterview(item);
      renderPage();
    }
  }

  function closeParadata(item) {
    var end = new Date();
    item.paradata.ended_at = end.toISOString();
    item.paradata.duration_seconds =
      Math.round((end - new Date(item.paradata.started_at)) / 100) / 10;
  }

  function finishInterview(disposition) {
    var item = state.current;
    var form = formState(item);
    item.answers = form.values;
    item.disposition = disposition;
    item.quotaKey = disposition === "1.1" ? quotaKey(form.values) : null;
    item.status = "pending";
    item.message = "";
    item.attempts = 0;
    item.nextAttemptAt = 0;
    closeParadata(item);
    state.current = null;
    saveInterview(item).then(function () {
      showView("home-view");
      notice(T.saved);
      return renderHome();
    }).then(function () {
      if (navigator.onLine) {
        syncNow(false);
      }
    });
  }

  /* ---------- visits without an interview: AAPOR dispositions ---------- */

  function openOutcome(assignment, item) {
    state.outcomeFor = {assignment: assignment, item: item};
    $("outcome-place").textContent = assignment.street.name + " · " + assignment.community.name;
    var box = $("outcome-choices");
    box.textContent = "";
    state.boot.dispositions.filter(function (d) {
      return d.without_interview;
    }).forEach(function (d) {
      var id = "outcome-" + d.code.replace(".", "-");
      box.appendChild(el("label", {"class": "choice", "for": id}, [
        el("input", {type: "radio", name: "outcome", id: id, value: d.code}), " " + d.label]));
    });
    $("outcome-note").value = "";
    $("outcome-error").hidden = true;
    showView("outcome-view");
  }

  function onOutcomeSave(event) {
    event.preventDefault();
    var chosen = document.querySelector("#outcome-choices input:checked");
    if (!chosen) {
      $("outcome-error").textContent = T.chooseOutcome;
      $("outcome-error").hidden = false;
      return;
    }
    var assignment = state.outcomeFor.assignment;
    var item = state.outcomeFor.item || {
      uuid: newUuid(), owner: USER, assignmentId: assignment.id, waveId: assignment.wave_id,
      versionId: formFor(assignment).version_id, answers: {}, comment: "", createdAt: Date.now(),
      paradata: {started_at: new Date().toISOString(), timings: {}, device_id: state.deviceId,
        language: LANGUAGE}
    };
    if ($("outcome-note").value.trim()) {
      item.paradata.note = $("outcome-note").value.trim();
    }
    state.current = item;
    state.pages = computePages(formFor(assignment).definition);
    finishInterview(chosen.value);
  }

  /* ---------- sync (sync.js) and what the page shows of it ---------- */

  var sync = window.MinyiCapiSync.create({
    user: USER,
    deviceId: function () {
      return state.deviceId;
    },
    assignment: assignmentById,
    refresh: loadBootstrap,
    done: function (report) {
      if (report.signedOut) {
        notice(T.signInAgain);
      } else if (report.failed) {
        notice(format(T.syncFailed, {pending: report.pending}));
      } else if (report.due === 0) {
        if (report.manual) {
          notice(T.nothingToSend);
        }
      } else {
        notice(format(T.syncDone, {sent: report.sent}));
      }
      if ($("home-view").hidden === false) {
        return renderHome();
      }
    }
  });

  function syncNow(manual) {
    return sync.syncNow(manual);
  }

  /* ---------- start ---------- */

  function bind() {
    $("sync-now").addEventListener("click", function () {
      syncNow(true);
    });
    $("begin").addEventListener("click", function () {
      if ($("gps-consent").checked) {
        state.current.paradata.gps_consent = true;
        recordGps();
      }
      $("gps-panel").hidden = true;
      $("interview-form").hidden = false;
      renderPage();
    });
    $("interview-form").addEventListener("submit", onNext);
    $("interview-form").addEventListener("change", onFieldChange);
    $("interview-form").addEventListener("input", onFieldChange);
    $("back").addEventListener("click", onBack);
    $("abandon").addEventListener("click", function () {
      var item = state.current;
      openOutcome(assignmentById(item.assignmentId), item);
    });
    $("to-home").addEventListener("click", function () {
      state.current = null;
      showView("home-view");
      renderHome();
    });
    $("outcome-form").addEventListener("submit", onOutcomeSave);
    $("outcome-cancel").addEventListener("click", function () {
      state.current = null;
      showView("home-view");
      renderHome();
    });
    window.addEventListener("online", function () {
      renderNetwork();
      syncNow(false);
    });
    window.addEventListener("offline", renderNetwork);
    window.setInterval(function () {
      if (navigator.onLine && !sync.isSyncing()) {
        syncNow(false);
      }
    }, 20000);
  }

  function start() {
    document.body.setAttribute("data-sync", "starting");
    renderNetwork();
    bind();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/enumerator/sw.js", {scope: "/enumerator"});
    }
    S.deviceId().then(function (id) {
      state.deviceId = id;
      return loadBootstrap();
    }).then(function () {
      return renderHome();
    }).then(function () {
      document.body.setAttribute("data-ready", "yes");
      if (navigator.onLine) {
        return syncNow(false);
      }
      document.body.setAttribute("data-sync", "idle");
    });
  }

  start();
})();
