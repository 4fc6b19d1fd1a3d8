// Tell the LMS how tall this page is so the iframe fits it (lti.frameResize). The content's
// own height is measured, not scrollHeight, which never drops below the frame's current size
// and so would never let the frame shrink after a long page.
(function () {
  if (window.parent === window) return;
  let last = 0;
  function report() {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }
  window.addEventListener("load", report);
  // Moodle ignores lti.frameResize and keeps a fixed frame: after a form post, bring the
  // confirmation into view inside the frame rather than leave it above the fold.
  window.addEventListener("load", () => {
    const message = document.querySelector(".flash");
    if (message) message.scrollIntoView({ block: "nearest" });
  });
  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.body);
})();
