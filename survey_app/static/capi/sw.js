/*
 * Minyi enumerator app service worker: keeps the app shell so the app opens with no network.
 * Pages and files are fetched from the network first and the cached copy is the fallback;
 * the API (/api/) is never cached here: interviews live in IndexedDB and sync explicitly.
 */
"use strict";

var CACHE = "minyi-capi-__RELEASE__";
var APP_SHELL = __APP_SHELL__;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(APP_SHELL);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("minyi-capi-") === 0 && name !== CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function shellKey(request) {
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") {
    return null;
  }
  if (request.mode === "navigate" && url.pathname.replace(/\/$/, "") === "/enumerator") {
    return "/enumerator";
  }
  return APP_SHELL.indexOf(url.pathname) >= 0 ? url.pathname : null;
}

self.addEventListener("fetch", function (event) {
  var key = shellKey(event.request);
  if (key === null) {
    return;
  }
  event.respondWith(
    fetch(event.request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) {
          return cache.put(key, copy);
        });
      }
      if (response.redirected && key === "/enumerator") {
        return caches.match(key).then(function (cached) {
          return cached || response;
        });
      }
      return response;
    }).catch(function () {
      return caches.match(key).then(function (cached) {
        return cached || Response.error();
      });
    })
  );
});
