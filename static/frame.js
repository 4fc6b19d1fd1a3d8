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
  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.body);
})();
