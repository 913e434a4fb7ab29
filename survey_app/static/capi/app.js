/*
 * Minyi enumerator app: assignments with quota cells, interviews saved in IndexedDB as they are
 * typed, and a sync queue that sends each interview once (client UUID) whenever it can.
 * Skip logic is questionnaires/js/expressions.js (MinyiExpressions), as on the web survey; the
 * server validates again and has the last word. Plain ES2017, no dependencies.
 */
(function () {
  "use strict";

  var E = window.MinyiExpressions;
  var T = JSON.parse(document.getElementById("capi-texts").textContent);
  var USER = document.body.getAttribute("data-user");
  var LANG = (document.documentElement.lang || "zh").split("-")[0];
  var HIDDEN_TYPES = ["calculate", "start", "end", "today", "deviceid"];
  var RETRY_BASE_MS = 5000;
  var RETRY_MAX_MS = 30 * 60 * 1000;
  var state = {boot: null, bootAt: 0, deviceId: "", current: null, pages: [], syncing: false,
    outcomeFor: null, shownAt: 0};

  function $(id) {
    return document.getElementById(id);
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (attributes[name] === true) {
        node.setAttribute(name, "");
      } else if (attributes[name] !== false && attributes[name] !== null) {
        node.setAttribute(name, attributes[name]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  /* ---------- IndexedDB: "interviews" by uuid, "meta" by key ---------- */

  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open("minyi-capi", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("interviews", {keyPath: "uuid"});
          request.result.createObjectStore("meta", {keyPath: "key"});
        };
        request.onsuccess = function () {
          resolve(request.result);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var result = work(transaction.objectStore(name));
        transaction.oncomplete = function () {
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function put(name, value) {
    return withStore(name, "readwrite", function (store) {
      store.put(value);
    });
  }

  function getOne(name, key) {
    return withStore(name, "readonly", function (store) {
      return store.get(key);
    });
  }

  function myInterviews() {
    return withStore("interviews", "readonly", function (store) {
      return store.getAll();
    }).then(function (all) {
      return (all || []).filter(function (item) {
        return item.owner === USER;
      });
    });
  }

  function saveInterview(item) {
    item.updatedAt = Date.now();
    return put("interviews", item);
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

  function deviceId() {
    return getOne("meta", "device").then(function (saved) {
      if (saved) {
        return saved.value;
      }
      var value = newUuid();
      return put("meta", {key: "device", value: value}).then(function () {
        return value;
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

  function localize(text, definition) {
    if (!text) {
      return "";
    }
    return text[LANG] || text[definition.default_language] ||
      Object.keys(text).map(function (k) { return text[k]; }).filter(Boolean)[0] || "";
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

  function findQuestion(items, name) {
    for (var i = 0; i < items.length; i += 1) {
      var item = items[i];
      if (item.name === name && item.kind === "question") {
        return item;
      }
      if (item.children) {
        var inner = findQuestion(item.children, name);
        if (inner) {
          return inner;
        }
      }
    }
    return null;
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

  function computePages(definition) {
    var pages = [];
    var loose = [];
    function flush() {
      var shown = loose.some(function (item) {
        return HIDDEN_TYPES.indexOf(item.type) < 0;
      });
      if (shown) {
        pages.push({name: loose[0].name, label: loose[0].label, relevant: "", items: loose});
      }
      loose = [];
    }
    definition.items.forEach(function (item) {
      if (item.kind === "question") {
        loose.push(item);
      } else {
        flush();
        pages.push({name: item.name, label: item.label, relevant: item.relevant || "",
          items: item.kind === "group" ? item.children || [] : []});
      }
    });
    flush();
    return pages;
  }

  function shownNames(items, relevant) {
    var names = [];
    items.forEach(function (item) {
      if (item.kind === "group") {
        names = names.concat(shownNames(item.children || [], relevant));
      } else if (item.kind === "question" && HIDDEN_TYPES.indexOf(item.type) < 0 &&
          relevant.indexOf(item.name) >= 0) {
        names.push(item.name);
      }
    });
    return names;
  }

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
      paradata: {started_at: new Date().toISOString(), timings: {}, device_id: state.deviceId}
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

  function choicesFor(question, definition, values) {
    var list = (definition.choice_lists || []).filter(function (l) {
      return l.name === question.list_name;
    })[0];
    return (list ? list.choices : []).filter(function (choice) {
      if (!question.choice_filter) {
        return true;
      }
      try {
        return E.evaluateBoolean(question.choice_filter, values, {choice: choice.filters || {}});
      } catch (error) {
        return true;
      }
    });
  }

  function questionNode(question, definition, values, problems) {
    var label = localize(question.label, definition);
    var hint = localize(question.hint, definition);
    var error = problems[question.name];
    var answer = state.current.answers[question.name];
    var field = "q-" + question.name;
    var described = [hint ? "hint-" + question.name : "", error ? "error-" + question.name : ""]
      .filter(Boolean).join(" ") || null;
    var extras = [];
    if (hint) {
      extras.push(el("p", {"class": "hint", id: "hint-" + question.name}, [hint]));
    }
    if (question.type === "note") {
      return el("p", {"class": "note"}, [label]);
    }
    var required = question.required ? " *" : "";
    if (question.type === "select_one" || question.type === "select_multiple") {
      var multiple = question.type === "select_multiple";
      var chosen = multiple ? (answer || []) : [answer];
      var options = choicesFor(question, definition, values).map(function (choice) {
        var id = field + "-" + choice.name;
        return el("label", {"class": "choice", "for": id}, [
          el("input", {type: multiple ? "checkbox" : "radio", id: id, name: question.name,
            value: choice.name, checked: chosen.indexOf(choice.name) >= 0}),
          " " + localize(choice.label, definition)
        ]);
      });
      var fieldset = el("fieldset", {"class": error ? "question has-error" : "question",
        id: field, "aria-describedby": described},
        [el("legend", {}, [label + required])].concat(extras, options));
      if (error) {
        fieldset.appendChild(el("p", {"class": "error", id: "error-" + question.name}, [error]));
      }
      return fieldset;
    }
    var types = {integer: "number", decimal: "number", date: "date", text: "text"};
    var input = el("input", {id: field, name: question.name, type: types[question.type] || "text",
      inputmode: question.type === "integer" ? "numeric" : (question.type === "decimal" ? "decimal" : null),
      step: question.type === "integer" ? "1" : (question.type === "decimal" ? "any" : null),
      "aria-describedby": described, "aria-invalid": error ? "true" : null});
    input.value = answer === undefined || answer === null ? "" : String(answer);
    var block = el("div", {"class": error ? "question has-error" : "question"},
      [el("label", {"for": field}, [label + required])].concat(extras, [input]));
    if (error) {
      block.appendChild(el("p", {"class": "error", id: "error-" + question.name}, [error]));
    }
    return block;
  }

  function itemsNode(items, definition, formValues, relevant, problems) {
    var nodes = [];
    items.forEach(function (item) {
      if (item.kind === "group") {
        if (!shownNames(item.children || [], relevant).length) {
          return;
        }
        nodes.push(el("fieldset", {"class": "group"}, [el("legend", {}, [
          localize(item.label, definition)])].concat(
          itemsNode(item.children || [], definition, formValues, relevant, problems))));
      } else if (item.kind === "question" && HIDDEN_TYPES.indexOf(item.type) < 0 &&
          relevant.indexOf(item.name) >= 0) {
        nodes.push(questionNode(item, definition, formValues, problems));
      }
    });
    return nodes;
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
      container.appendChild(noticeNode(definition));
    }
    itemsNode(page.items, definition, form.values, form.relevant, problems || {})
      .forEach(function (node) {
        container.appendChild(node);
      });
    $("quota-stop").hidden = true;
    $("next").textContent = isLastPage(item.page, form.relevant) ? T.finish : T.next;
    $("back").disabled = previousPage(item.page, form.relevant) < 0;
    state.shownAt = Date.now();
  }

  function noticeNode(definition) {
    var parts = [];
    var legal = definition.legal;
    if (legal) {
      parts.push(el("dl", {"class": "legal"}, [
        [T.formNumber, legal.form_number], [T.authority, legal.authority],
        [T.approval, legal.approval_number], [T.validUntil, legal.valid_until]
      ].map(function (pair) {
        return el("div", {}, [el("dt", {}, [pair[0]]), el("dd", {}, [pair[1]])]);
      })));
    }
    parts.push(el("h4", {}, [T.privacy]));
    parts.push(el("p", {}, [localize(definition.privacy_notice, definition)]));
    return el("section", {"class": "privacy"}, parts);
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

  function isEmpty(value) {
    return value === undefined || value === null || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function pageProblems(item) {
    var definition = currentDefinition();
    var form = formState(item);
    var problems = {};
    var names = shownNames(state.pages[item.page].items, form.relevant);
    names.forEach(function (name) {
      var question = findQuestion(definition.items, name);
      var answer = form.values[name];
      if (!question || question.type === "note") {
        return;
      }
      if (isEmpty(answer)) {
        if (question.required && E.evaluateBoolean(question.required, form.values, {})) {
          problems[name] = localize(question.required_message, definition) || T.required;
        }
        return;
      }
      var wrongNumber = question.type === "integer" ? !/^-?\d+$/.test(String(answer)) :
        (question.type === "decimal" && isNaN(Number(answer)));
      var broken = false;
      if (!wrongNumber && question.constraint) {
        try {
          broken = !E.evaluateBoolean(question.constraint, form.values, {current: answer});
        } catch (error) {
          broken = false;
        }
      }
      if (wrongNumber || broken) {
        problems[name] = localize(question.constraint_message, definition) || T.constraint;
      }
    });
    return problems;
  }

  function onNext(event) {
    event.preventDefault();
    var item = state.current;
    if (!$("quota-stop").hidden) {
      finishInterview("4.80");
      return;
    }
    var problems = pageProblems(item);
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
      paradata: {started_at: new Date().toISOString(), timings: {}, device_id: state.deviceId}
    };
    if ($("outcome-note").value.trim()) {
      item.paradata.note = $("outcome-note").value.trim();
    }
    state.current = item;
    state.pages = computePages(formFor(assignment).definition);
    finishInterview(chosen.value);
  }

  /* ---------- sync: one interview per request, retries with backoff ---------- */

  function payload(item) {
    return {uuid: item.uuid, assignment_id: item.assignmentId,
      questionnaire_version_id: item.versionId, disposition: item.disposition,
      answers: item.answers, paradata: item.paradata};
  }

  function postOne(item) {
    return fetch("/api/capi/interviews", {
      method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", accept: "application/json"},
      body: JSON.stringify({device_id: state.deviceId, interviews: [payload(item)]})
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        var denied = new Error("signed out");
        denied.signedOut = true;
        throw denied;
      }
      if (!response.ok) {
        throw new Error("upload " + response.status);
      }
      return response.json();
    });
  }

  function applyResult(item, result) {
    item.attempts = 0;
    item.nextAttemptAt = 0;
    item.message = result.message || "";
    if (result.status === "conflict") {
      item.status = "conflict";
    } else if (result.status === "invalid") {
      item.status = "rejected";
      var problems = result.problems || {};
      var details = Object.keys(problems).map(function (name) {
        return name + ": " + problems[name];
      });
      item.message = [item.message].concat(details).join(" ");
    } else {
      item.status = "sent";
      item.sentAt = Date.now();
      item.reviewState = "received";
      item.comment = "";
    }
    return saveInterview(item);
  }

  function backOff(item) {
    item.attempts = (item.attempts || 0) + 1;
    var wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * Math.pow(2, item.attempts - 1));
    item.nextAttemptAt = Date.now() + wait * (0.75 + Math.random() / 2);
    return saveInterview(item);
  }

  function uploadInOrder(items, report) {
    if (!items.length) {
      return Promise.resolve();
    }
    var item = items[0];
    return postOne(item).then(function (answer) {
      return applyResult(item, answer.results[0]).then(function () {
        report.sent += 1;
        return uploadInOrder(items.slice(1), report);
      });
    }, function (error) {
      report.failed = true;
      report.signedOut = Boolean(error.signedOut);
      return backOff(item);
    });
  }

  function applyReviews(data) {
    return myInterviews().then(function (items) {
      var byUuid = {};
      items.forEach(function (item) {
        byUuid[item.uuid] = item;
      });
      var writes = [];
      items.forEach(function (item) {
        var reviewed = data.states[item.uuid];
        if (reviewed && item.status === "sent" && item.reviewState !== reviewed) {
          item.reviewState = reviewed;
          writes.push(put("interviews", item));
        }
      });
      data.returned.forEach(function (back) {
        var item = byUuid[back.uuid];
        if (item && ["pending", "returned", "draft"].indexOf(item.status) >= 0) {
          return;
        }
        var assignment = assignmentById(back.assignment_id);
        item = item || {uuid: back.uuid, owner: USER, createdAt: Date.now(), attempts: 0};
        item.assignmentId = back.assignment_id;
        item.waveId = assignment ? assignment.wave_id : null;
        item.versionId = back.questionnaire_version_id;
        item.answers = back.answers;
        item.paradata = back.paradata;
        item.paradata.timings = item.paradata.timings || {};
        item.disposition = back.disposition;
        item.status = "returned";
        item.reviewState = "rejected";
        item.comment = back.comment;
        item.message = "";
        item.updatedAt = Date.now();
        writes.push(put("interviews", item));
      });
      return Promise.all(writes);
    });
  }

  function fetchReviews() {
    return fetch("/api/capi/reviews", {credentials: "same-origin",
      headers: {accept: "application/json"}})
      .then(function (response) {
        return response.ok ? response.json().then(applyReviews) : null;
      }, function () {
        return null;
      });
  }

  function syncNow(manual) {
    if (state.syncing) {
      return Promise.resolve();
    }
    state.syncing = true;
    document.body.setAttribute("data-sync", "running");
    var report = {sent: 0, failed: false, signedOut: false, due: 0};
    return myInterviews().then(function (items) {
      var now = Date.now();
      var due = items.filter(function (item) {
        return item.status === "pending" && (manual || !item.nextAttemptAt || item.nextAttemptAt <= now);
      }).sort(function (a, b) {
        return a.updatedAt - b.updatedAt;
      });
      report.due = due.length;
      return uploadInOrder(due, report);
    }).then(function () {
      return report.failed ? null : fetchReviews().then(loadBootstrap);
    }).then(function () {
      return myInterviews();
    }).then(function (items) {
      var pending = items.filter(function (i) { return i.status === "pending"; }).length;
      if (report.signedOut) {
        notice(T.signInAgain);
      } else if (report.failed) {
        notice(format(T.syncFailed, {pending: pending}));
      } else if (report.due === 0) {
        if (manual) {
          notice(T.nothingToSend);
        }
      } else {
        notice(format(T.syncDone, {sent: report.sent}));
      }
    }).catch(function () {
      notice(format(T.syncFailed, {pending: ""}));
    }).then(function () {
      state.syncing = false;
      document.body.setAttribute("data-sync", "idle");
      if ($("home-view").hidden === false) {
        return renderHome();
      }
    });
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
      if (navigator.onLine && !state.syncing) {
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
    deviceId().then(function (id) {
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
