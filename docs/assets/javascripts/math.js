/* math.js: render the formulas pymdownx.arithmatex (generic mode) leaves as <span class="arithmatex">\(…\)</span>
 * with KaTeX, served from this site (assets/vendor/katex, vendored by scripts/vendor-katex).
 * KaTeX is loaded only on pages that have a formula. Until it has rendered (or without JavaScript)
 * the TeX source stays readable as text.
 */
(function () {
  "use strict";

  var here = document.currentScript && document.currentScript.src;
  var base = here ? new URL("../vendor/katex/", here).href : null;
  var loading = null;

  function loadKatex() {
    if (window.katex) return Promise.resolve(window.katex);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = base + "katex.min.css";
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = base + "katex.min.js";
      script.onload = function () { resolve(window.katex); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function render() {
    var nodes = document.querySelectorAll(".arithmatex:not([data-math-done])");
    if (!nodes.length || !base) return;
    loadKatex().then(function (katex) {
      nodes.forEach(function (node) {
        if (node.hasAttribute("data-math-done")) return; // rendered by an earlier call
        var tex = node.textContent.trim();
        var display = node.tagName === "DIV" || /^\\\[/.test(tex);
        tex = tex.replace(/^\\[(\[]|\\[)\]]$/g, "");
        try {
          katex.render(tex, node, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
          node.setAttribute("data-math-done", "");
        } catch (err) { /* leave the TeX source as text */ }
      });
    }, function () { /* KaTeX missing: the TeX source stays readable */ });
  }

  // document$ emits on every page view (instant navigation); in the offline copy (file://) it may
  // have emitted before this script subscribed, so render once on load as well (render is idempotent).
  if (window.document$) document$.subscribe(render);
  window.addEventListener("load", render);
})();
