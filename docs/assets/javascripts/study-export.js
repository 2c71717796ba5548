/* study-export.js: the reader's data as a file — export, import (merged card by card), erasing the
 * review history (only after offering an export), and the on-screen notice about saved data that
 * could not be read and was set aside (study-core.js). */
(function () {
  "use strict";

  var S = window.Study;
  var st = S.store;
  var el = S.el;
  var EXPORT_FORMAT = "pytorch-interview-study/progress";

  function exportJson() {
    return JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      exported: st.now().toISOString(),
      scheduler: st.SCHED,
      cards: st.read().cards,
      plan: st.readTicks()
    }, null, 1);
  }

  // Merge an export into this browser: per question the copy with the later `updated` wins; plan
  // ticks this browser does not have are added. Returns a sentence for the reader.
  function importJson(text) {
    var data;
    try { data = JSON.parse(text); } catch (err) { throw new Error("this file is not JSON"); }
    if (!data || data.format !== EXPORT_FORMAT || typeof data.cards !== "object" || !data.cards || Array.isArray(data.cards)) {
      throw new Error("this file is not a progress export from this site");
    }
    var store = st.read();
    var taken = 0, kept = 0, skipped = 0;
    Object.keys(data.cards).forEach(function (raw) {
      var entry = st.repairEntry(data.cards[raw]);
      if (!entry) { skipped += 1; return; }
      var id = st.DATA.aliases[raw] || raw;
      var winner = st.newer(store.cards[id], entry);
      if (winner === entry && winner !== store.cards[id]) { store.cards[id] = entry; taken += 1; } else kept += 1;
    });
    st.write(store);
    var plan = st.readTicks();
    if (data.plan && typeof data.plan === "object" && !Array.isArray(data.plan)) {
      Object.keys(data.plan).forEach(function (k) { if (!(k in plan)) plan[k] = !!data.plan[k]; });
      st.writeTicks(plan);
    }
    return "Imported: " + S.plural(taken, "card") + " updated from the file, " + kept + " kept from this browser (newer or the same)" +
      (skipped ? ", " + skipped + " unreadable entries skipped" : "") + ".";
  }

  function download(name, text) {
    var blob = new Blob([text], { type: "application/json" });
    var a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function downloadExport() {
    download("study-progress-" + st.now().toISOString().slice(0, 10) + ".json", exportJson());
  }

  // "Erase review history": a separate, explicit action; the panel offers an export first.
  function eraseButton(status, after) {
    var wrap = el("div", { "class": "rv-erase" });
    var open = el("button", { type: "button", "class": "rv-btn rv-btn--danger", "data-action": "erase-open" }, "Erase review history…");
    var panel = el("div", { "class": "rv-erase__panel", role: "group", "aria-label": "Erase review history", hidden: "" });
    open.addEventListener("click", function () {
      var n = Object.keys(st.read().cards).length;
      panel.textContent = "";
      panel.appendChild(el("p", null, "This deletes the review history of " + S.plural(n, "card") +
        " from this browser: every card becomes New again. Plan ticks stay. It cannot be undone, so export a copy first."));
      var exp = el("button", { type: "button", "class": "rv-btn", "data-action": "erase-export" }, "Export a copy first");
      exp.addEventListener("click", function () { downloadExport(); status.textContent = "Exported " + S.plural(n, "card") + "."; });
      var yes = el("button", { type: "button", "class": "rv-btn rv-btn--danger", "data-action": "erase-confirm" }, "Erase " + S.plural(n, "card"));
      yes.addEventListener("click", function () {
        st.eraseHistory();
        panel.hidden = true;
        open.hidden = false;
        status.textContent = "Review history erased (" + S.plural(n, "card") + ").";
        if (after) after();
      });
      var no = el("button", { type: "button", "class": "rv-btn", "data-action": "erase-cancel" }, "Cancel");
      no.addEventListener("click", function () { panel.hidden = true; open.hidden = false; open.focus(); });
      [exp, yes, no].forEach(function (b) { panel.appendChild(b); });
      panel.hidden = false;
      open.hidden = true;
      exp.focus();
    });
    wrap.appendChild(open);
    wrap.appendChild(panel);
    return wrap;
  }

  function importControl(status, after) {
    var label = el("label", { "class": "rv-btn rv-file" });
    label.appendChild(document.createTextNode("Import progress"));
    var input = el("input", { type: "file", accept: "application/json,.json", "data-action": "import", "class": "rv-file__input" });
    label.appendChild(input);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        try { status.textContent = importJson(String(reader.result)); } catch (err) { status.textContent = "Not imported: " + err.message + "."; }
        input.value = "";
        if (after) after();
      };
      reader.readAsText(file);
    });
    return label;
  }

  // The data panel of the review page: export, import, erase, and cards of removed questions.
  function renderData(box, after) {
    box.textContent = "";
    box.appendChild(el("h2", { id: "rv-data-title" }, "Your progress data"));
    box.appendChild(el("p", null, "Progress is stored in this browser only. Export it to a file to keep a copy or to " +
      "continue in another browser; importing merges it card by card, keeping whichever copy was reviewed last."));
    var row = el("div", { "class": "rv-data__row" });
    var status = el("p", { "class": "rv-message", role: "status" });
    var exp = el("button", { type: "button", "class": "rv-btn", "data-action": "export" }, "Export progress");
    exp.addEventListener("click", function () {
      downloadExport();
      status.textContent = "Exported " + S.plural(Object.keys(st.read().cards).length, "card") + ".";
    });
    row.appendChild(exp);
    row.appendChild(importControl(status, function () { if (after) after(); renderRemoved(box); }));
    row.appendChild(eraseButton(status, function () { if (after) after(); renderRemoved(box); }));
    box.appendChild(row);
    box.appendChild(status);
    renderRemoved(box);
  }

  function renderRemoved(box) {
    var old = box.querySelector(".rv-removed");
    if (old) old.remove();
    var store = st.read();
    var gone = Object.keys(store.cards).filter(function (id) { return !st.BY_ID[id]; });
    if (!gone.length) return;
    var section = el("div", { "class": "rv-removed" });
    section.appendChild(el("p", null, S.plural(gone.length, "saved card") + " belong to questions this site no longer has. " +
      "They are kept (an export includes them) but never scheduled:"));
    var list = el("ul");
    gone.forEach(function (id) {
      var li = el("li", { "data-removed-qid": id });
      li.appendChild(el("code", null, id));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", { "class": "rv-chip rv-chip--removed" }, "Removed"));
      list.appendChild(li);
    });
    section.appendChild(list);
    var drop = el("button", { type: "button", "class": "rv-btn" }, "Forget removed cards");
    drop.addEventListener("click", function () { st.forget(gone); renderRemoved(box); });
    section.appendChild(drop);
    box.appendChild(section);
  }

  /* ------------------------------ set-aside data notice ------------------------------ */

  // Shown on every page until the reader downloads or discards each set-aside value.
  function renderNotice() {
    var article = document.querySelector("article.md-content__inner") || document.querySelector("article");
    var old = document.querySelector(".study-notice");
    if (old) old.remove();
    var list = S.quarantine();
    var unsaved = S.unsaved();
    if (!article || (!list.length && !unsaved.length)) return;
    var box = el("section", { "class": "study-notice", role: "alert", "aria-label": "Saved progress needs attention" });
    if (list.length) {
      box.appendChild(el("p", { "class": "study-notice__title" }, "Some study progress saved in this browser could not be read. " +
        "Nothing was deleted: it was set aside, and new progress is saved separately."));
      var ul = el("ul");
      list.forEach(function (r) {
        var li = el("li", { "data-aside-key": r.key });
        li.appendChild(el("code", null, r.key));
        li.appendChild(document.createTextNode(": " + r.reason + " "));
        var get = el("button", { type: "button", "class": "rv-btn rv-btn--small", "data-action": "aside-download" }, "Download it");
        get.addEventListener("click", function () { download("study-set-aside-" + r.key.replace(/[^\w.-]+/g, "_") + ".json", S.asideValue(r.slot) || ""); });
        var drop = el("button", { type: "button", "class": "rv-btn rv-btn--small", "data-action": "aside-discard" }, "Discard it");
        drop.addEventListener("click", function () { S.forgetAside(r.slot); renderNotice(); });
        li.appendChild(get);
        li.appendChild(drop);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (unsaved.length) {
      box.appendChild(el("p", { "class": "study-notice__title", "data-unsaved": unsaved.join(" ") },
        "This browser refused to save your latest progress (storage full or blocked): it is kept only until you leave the page. Export it from the Review page."));
    }
    article.insertBefore(box, article.firstChild);
  }

  S.onPage(renderNotice);
  S.onChange(renderNotice);
  S.onAside(renderNotice);

  S.data = { exportJson: exportJson, importJson: importJson, renderData: renderData, eraseButton: eraseButton, renderNotice: renderNotice };

  // For tests and tools: the scheduler settings and the stored state, read-only.
  window.studyReview = {
    settings: st.SCHED,
    store: function () { return st.read(); },
    exportJson: exportJson,
    importJson: importJson
  };
})();
