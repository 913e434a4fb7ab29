/*
 * Minyi enumerator app: the tablet's own storage (IndexedDB "minyi-capi"): interviews by their
 * UUID, and small "meta" records (the downloaded work, the device id). Plain ES2017.
 */
(function (root) {
  "use strict";

  var dbPromise = null;

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

  function interviewsOf(owner) {
    return withStore("interviews", "readonly", function (store) {
      return store.getAll();
    }).then(function (all) {
      return (all || []).filter(function (item) {
        return item.owner === owner;
      });
    });
  }

  function saveInterview(item) {
    item.updatedAt = Date.now();
    return put("interviews", item);
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

  root.MinyiCapiStore = {
    newUuid: newUuid,
    put: put,
    getOne: getOne,
    interviewsOf: interviewsOf,
    saveInterview: saveInterview,
    deviceId: deviceId
  };
})(self);
