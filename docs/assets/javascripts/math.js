/* math.js: render the formulas pymdownx.arithmatex (generic mode) leaves as <span class="arithmatex">\(…\)</span>
 * with KaTeX, served from this site (assets/vendor/katex, vendored by scripts/vendor-katex).
 *
 * KaTeX (≈ 300 KiB with its stylesheet) is fetched only when a formula is displayed: a page without
 * maths never loads it, nor does a page whose formulas are all hidden (review and quiz keep their cards
 * hidden until one is shown; a collapsed block's formulas count once it is opened). Once loaded, every
 * formula of the page is rendered. Until then (or without JavaScript) the TeX source stays readable.
 */
(function () {
  "use strict";

  var here = document.currentScript && document.currentScript.src;
  var base = here ? new URL("../vendor/katex/", here).href : null;
  var loading = null;
  var observer = null;

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

  function renderAll() {
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
      if (observer) observer.disconnect();
    }, function () { /* KaTeX missing: the TeX source stays readable */ });
  }

  function watch() {
    var nodes = document.querySelectorAll(".arithmatex:not([data-math-done])");
    if (!nodes.length || !base) return;
    if (window.katex || !("IntersectionObserver" in window)) return renderAll();
    if (observer) observer.disconnect();
    // a hidden (display: none) formula never intersects; a displayed one anywhere on the page does
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) renderAll();
    }, { rootMargin: "100000px" });
    nodes.forEach(function (node) { observer.observe(node); });
  }

  // document$ emits on every page view (instant navigation); in the offline copy (file://) it may
  // have emitted before this script subscribed, so watch once on load as well (watch is idempotent).
  window.StudyMath = { watch: watch }; // for content a script adds later (review.js: a card's answer)
  if (window.document$) document$.subscribe(watch);
  window.addEventListener("load", watch);
})();
