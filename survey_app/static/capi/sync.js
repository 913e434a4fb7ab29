/*
 * Minyi enumerator app: the sync queue. Interviews go one per request, oldest first, each
 * under its own UUID, so a retry after a lost answer is a duplicate the server recognises.
 * A failed request leaves the interview pending with a growing wait (backoff) and stops the
 * round; nothing is dropped. Then the review states come back, with rejected interviews and
 * their comments. Plain ES2017.
 */
(function (root) {
  "use strict";

  var S = root.MinyiCapiStore;
  var RETRY_BASE_MS = 5000;
  var RETRY_MAX_MS = 30 * 60 * 1000;

  /* app: {user, deviceId(), assignment(id), refresh() (downloads the work again), done(report)} */
  function create(app) {
    var syncing = false;

    function payload(item) {
      return {uuid: item.uuid, assignment_id: item.assignmentId,
        questionnaire_version_id: item.versionId, disposition: item.disposition,
        answers: item.answers, paradata: item.paradata};
    }

    function postOne(item) {
      return fetch("/api/capi/interviews", {
        method: "POST", credentials: "same-origin",
        headers: {"content-type": "application/json", accept: "application/json"},
        body: JSON.stringify({device_id: app.deviceId(), interviews: [payload(item)]})
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
      return S.saveInterview(item);
    }

    function backOff(item) {
      item.attempts = (item.attempts || 0) + 1;
      var wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * Math.pow(2, item.attempts - 1));
      item.nextAttemptAt = Date.now() + wait * (0.75 + Math.random() / 2);
      return S.saveInterview(item);
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
      return S.interviewsOf(app.user).then(function (items) {
        var byUuid = {};
        items.forEach(function (item) {
          byUuid[item.uuid] = item;
        });
        var writes = [];
        items.forEach(function (item) {
          var reviewed = data.states[item.uuid];
          if (reviewed && item.status === "sent" && item.reviewState !== reviewed) {
            item.reviewState = reviewed;
            writes.push(S.put("interviews", item));
          }
        });
        data.returned.forEach(function (back) {
          var item = byUuid[back.uuid];
          if (item && ["pending", "returned", "draft"].indexOf(item.status) >= 0) {
            return;
          }
          var assignment = app.assignment(back.assignment_id);
          item = item || {uuid: back.uuid, owner: app.user, createdAt: Date.now(), attempts: 0};
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
          writes.push(S.put("interviews", item));
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
      if (syncing) {
        return Promise.resolve();
      }
      syncing = true;
      document.body.setAttribute("data-sync", "running");
      var report = {sent: 0, failed: false, signedOut: false, due: 0, manual: manual};
      return S.interviewsOf(app.user).then(function (items) {
        var now = Date.now();
        var due = items.filter(function (item) {
          return item.status === "pending" && (manual || !item.nextAttemptAt || item.nextAttemptAt <= now);
        }).sort(function (a, b) {
          return a.updatedAt - b.updatedAt;
        });
        report.due = due.length;
        return uploadInOrder(due, report);
      }).then(function () {
        return report.failed ? null : fetchReviews().then(app.refresh);
      }).catch(function () {
        report.failed = true;
      }).then(function () {
        return S.interviewsOf(app.user);
      }).then(function (items) {
        report.pending = items.filter(function (i) { return i.status === "pending"; }).length;
        syncing = false;
        document.body.setAttribute("data-sync", "idle");
        return app.done(report);
      });
    }

    function isSyncing() {
      return syncing;
    }

    return {syncNow: syncNow, isSyncing: isSyncing};
  }

  root.MinyiCapiSync = {create: create};
})(self);
