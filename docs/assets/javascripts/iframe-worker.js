/* iframe-worker.js: lets Material's search worker run when the offline copy is opened from disk.
 *
 * Browsers refuse `new Worker(url)` for file:// pages, so search would be dead in the offline build.
 * Material's offline plugin fixes that with a shim loaded from unpkg.com, a third-party request; it
 * skips its own when a polyfill whose URL mentions "iframe-worker" is configured, which is this file
 * (mkdocs.yml → extra.polyfills). Served over http(s) it does nothing.
 *
 * The worker script runs in a hidden same-origin iframe instead: its postMessage goes to this window,
 * and our postMessage is delivered as a "message" event on the iframe's window.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:" || typeof window.Worker === "undefined") return;

  function FrameWorker(url) {
    var self = this;
    var target = document.createElement("div"); // an EventTarget the page can listen on
    this.onmessage = null;
    this.onerror = null;
    this.addEventListener = target.addEventListener.bind(target);
    this.removeEventListener = target.removeEventListener.bind(target);
    this.dispatchEvent = target.dispatchEvent.bind(target);

    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    (document.body || document.documentElement).appendChild(frame);
    this.frame = frame;
    var win = frame.contentWindow;
    var src = new URL(String(url), location.href).href;

    window.addEventListener("message", function (ev) {
      if (ev.source !== win) return;
      var event = new MessageEvent("message", { data: ev.data });
      self.dispatchEvent(event);
      if (typeof self.onmessage === "function") self.onmessage(event);
    });

    // The worker's globals: messages go to the parent; importScripts adds scripts in order.
    var runtime =
      "postMessage=function(d){parent.postMessage(d,'*')};" +
      "importScripts=function(){for(var i=0;i<arguments.length;i++)" +
      "document.write('<script src=\"'+new URL(arguments[i],document.baseURI).href+'\"><\\/script>')};";
    win.document.open();
    win.document.write(
      "<!doctype html><html><head><base href=\"" + src.replace(/"/g, "&quot;") + "\"></head><body>" +
      "<script>" + runtime + "<\/script>" +
      "<script src=\"" + src.replace(/"/g, "&quot;") + "\"><\/script></body></html>"
    );
    win.document.close();

    this.ready = new Promise(function (resolve) {
      if (win.document.readyState === "complete") resolve();
      else win.addEventListener("load", function () { resolve(); });
    });
  }

  FrameWorker.prototype.postMessage = function (data) {
    var frame = this.frame;
    this.ready.then(function () {
      if (frame.contentWindow) frame.contentWindow.dispatchEvent(new MessageEvent("message", { data: data }));
    });
  };

  FrameWorker.prototype.terminate = function () {
    this.frame.remove();
  };

  window.Worker = FrameWorker;
})();
